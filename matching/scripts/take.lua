-- A listener takes a queued conversation: a given one, or the best one for them.
-- KEYS: 1 queue, 2 queue_meta, 3 listeners, 4 load, 5 idle, 6 queue_version, 7 pair_times, 8 seen:listener
-- ARGV: 1 now_ms, 2 topic_wait_ms, 3 listener_id, 4 conversation_id ("" for the best match), 5 scan_limit
-- Returns {"ok", conversation_id, seeker_id, waited_ms} or {"err", reason}.
local now = tonumber(ARGV[1])
local topic_wait = tonumber(ARGV[2])
local lid = ARGV[3]
local want = ARGV[4]
local scan_limit = tonumber(ARGV[5])

local function has(list, value)
  if type(list) ~= 'table' then return false end
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

local raw_profile = redis.call('HGET', KEYS[3], lid)
if not raw_profile then return {'err', 'offline'} end
local p = cjson.decode(raw_profile)
local load = tonumber(redis.call('HGET', KEYS[4], lid) or '0')
if load >= tonumber(p.max) then return {'err', 'capacity'} end

local chosen, meta
if want ~= '' then
  local raw = redis.call('HGET', KEYS[2], want)
  if not raw or not redis.call('ZSCORE', KEYS[1], want) then return {'err', 'not_queued'} end
  meta = cjson.decode(raw)
  if not has(p.langs, meta.lang) then return {'err', 'language'} end
  chosen = want
else
  -- Prefer the first (highest priority) seeker this listener would be paired with automatically;
  -- failing that, the first seeker whose language they speak: the listener chose to help.
  local fallback, fallback_meta = nil, nil
  for _, cid in ipairs(redis.call('ZRANGE', KEYS[1], 0, scan_limit - 1)) do
    local raw = redis.call('HGET', KEYS[2], cid)
    if raw then
      local m = cjson.decode(raw)
      if has(p.langs, m.lang) then
        if has(p.topics, m.topic) or (now - tonumber(m.t)) >= topic_wait then
          chosen, meta = cid, m
          break
        end
        if not fallback then fallback, fallback_meta = cid, m end
      end
    end
  end
  if not chosen then chosen, meta = fallback, fallback_meta end
  if not chosen then return {'err', 'empty'} end
end

redis.call('ZREM', KEYS[1], chosen)
redis.call('HDEL', KEYS[2], chosen)
redis.call('HINCRBY', KEYS[4], lid, 1)
redis.call('HSET', KEYS[5], lid, now)
redis.call('INCR', KEYS[6])
redis.call('LPUSH', KEYS[7], now)
redis.call('LTRIM', KEYS[7], 0, 49)
return {'ok', chosen, meta.sk, tostring(now - tonumber(meta.t))}
