-- Pick the best (seeker, listener) pair and mark both sides in one atomic step.
-- KEYS: 1 queue, 2 queue_meta, 3 listeners, 4 load, 5 idle, 6 queue_version, 7 pair_times, 8 seen:listener
-- ARGV: 1 now_ms, 2 topic_wait_ms, 3 only_conversation ("" for any), 4 only_listener ("" for any), 5 scan_limit,
--       6 stale_ms (a listener not seen for this long has no live socket)
-- Returns {conversation_id, listener_id, seeker_id, waited_ms} or nil.
local now = tonumber(ARGV[1])
local topic_wait = tonumber(ARGV[2])
local only_cid = ARGV[3]
local only_lid = ARGV[4]
local scan_limit = tonumber(ARGV[5])
local online_after = now - tonumber(ARGV[6])

local function has(list, value)
  if type(list) ~= 'table' then return false end
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

local free = {}
local profiles = redis.call('HGETALL', KEYS[3])
for i = 1, #profiles, 2 do
  local id = profiles[i]
  if only_lid == '' or only_lid == id then
    local p = cjson.decode(profiles[i + 1])
    local load = tonumber(redis.call('HGET', KEYS[4], id) or '0')
    local seen = tonumber(redis.call('ZSCORE', KEYS[8], id) or '0')
    if p.st == 'available' and seen > online_after and load < tonumber(p.max) then
      p.id = id
      p.load = load
      p.idle = tonumber(redis.call('HGET', KEYS[5], id) or '0')
      free[#free + 1] = p
    end
  end
end
if #free == 0 then return nil end

local candidates
if only_cid ~= '' then
  if not redis.call('ZSCORE', KEYS[1], only_cid) then return nil end
  candidates = {only_cid}
else
  candidates = redis.call('ZRANGE', KEYS[1], 0, scan_limit - 1)
end

for _, cid in ipairs(candidates) do
  local raw = redis.call('HGET', KEYS[2], cid)
  if raw then
    local m = cjson.decode(raw)
    local waited = now - tonumber(m.t)
    local best, best_shares = nil, false
    for _, l in ipairs(free) do
      if has(l.langs, m.lang) then
        local shares = has(l.topics, m.topic)
        if shares or waited >= topic_wait then
          local better = false
          if best == nil then
            better = true
          elseif shares ~= best_shares then
            better = shares
          elseif l.load ~= best.load then
            better = l.load < best.load
          elseif l.idle ~= best.idle then
            better = l.idle < best.idle
          else
            better = l.id < best.id
          end
          if better then best, best_shares = l, shares end
        end
      end
    end
    if best then
      redis.call('ZREM', KEYS[1], cid)
      redis.call('HDEL', KEYS[2], cid)
      redis.call('HINCRBY', KEYS[4], best.id, 1)
      redis.call('HSET', KEYS[5], best.id, now)
      redis.call('INCR', KEYS[6])
      redis.call('LPUSH', KEYS[7], now)
      redis.call('LTRIM', KEYS[7], 0, 49)
      return {cid, best.id, m.sk, tostring(waited)}
    end
  end
end
return nil
