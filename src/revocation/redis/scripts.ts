// The two writes, as Lua run by EVAL. Each writes and announces in one atomic step, so no
// instance can see the entry without the message following it, nor the message without the entry.
// KEYS[1] is the entry; the last two arguments are the events channel and the message (the key
// relative to the prefix, which every local tier then forgets).

/**
 * A token's revocation. ARGV[1] is its expiry (seconds since the epoch), kept as the value: the
 * local tier needs it to forget the entry when Redis does, without asking for its TTL. A later
 * expiry already in place is kept.
 */
export const REVOKE_TOKEN = `
local current = tonumber(redis.call('GET', KEYS[1]))
if not current or current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[1])
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`;

/**
 * A subject's revocation. ARGV[1] is the cut-off and ARGV[2] how long to keep it (seconds); the
 * value is "before:expiry". A later cut-off and a later expiry already in place are kept.
 */
export const REVOKE_SUBJECT = `
local text = ARGV[1]
local before = tonumber(text)
local expiry = math.ceil(before + tonumber(ARGV[2]))
local current = redis.call('GET', KEYS[1])
if current then
  local previousText, previousExpiry = string.match(current, '^([^:]+):([^:]+)$')
  local previous = tonumber(previousText)
  if previous and previous > before then text, before = previousText, previous end
  previousExpiry = tonumber(previousExpiry)
  if previousExpiry and previousExpiry > expiry then expiry = previousExpiry end
end
redis.call('SET', KEYS[1], text .. ':' .. string.format('%d', expiry), 'EXAT', string.format('%d', expiry))
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;
