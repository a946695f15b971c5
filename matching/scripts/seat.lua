-- Hold a seat in a group session, atomically: capacity is never exceeded, whatever the number of
-- processes and simultaneous joins (the same guarantee pair.lua gives listeners' capacity).
-- KEYS: 1 group_seats(session)
-- ARGV: 1 seeker_id, 2 capacity, 3 the seeded sentinel
-- Returns {"ok", seats_taken} (also when this seeker already holds one), {"full", seats_taken},
-- or {"rebuild"} when the set is missing its sentinel (Redis lost it): seed it, then call again.
local sentinel = ARGV[3]
if redis.call('SISMEMBER', KEYS[1], sentinel) == 0 then return {'rebuild'} end
local taken = redis.call('SCARD', KEYS[1]) - 1
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {'ok', tostring(taken)} end
if taken >= tonumber(ARGV[2]) then return {'full', tostring(taken)} end
redis.call('SADD', KEYS[1], ARGV[1])
return {'ok', tostring(taken + 1)}
