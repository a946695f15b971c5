-- Rebuild a group session's seats from PostgreSQL's members, unless another process already did.
-- KEYS: 1 group_seats(session)
-- ARGV: 1 the seeded sentinel, 2 ttl seconds, 3.. seeker ids seated in PostgreSQL
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SADD', KEYS[1], ARGV[1])
for i = 3, #ARGV do
  redis.call('SADD', KEYS[1], ARGV[i])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return #ARGV - 2
