-- A listener stops responding to one conversation: load down (never below 0), idle clock restarts.
-- KEYS: 1 load, 2 idle
-- ARGV: 1 listener_id, 2 now_ms
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n < 0 then
  redis.call('HSET', KEYS[1], ARGV[1], 0)
  n = 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return n
