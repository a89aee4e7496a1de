-- The device poll for wrk, the cross-check of the LoadTests generator (PollBenchmark):
--   wrk -t2 -c64 -d10s --latency -s LoadTests/poll.lua http://127.0.0.1:PORT -- DEVICES_FILE
-- DEVICES_FILE has one request per line: "MAC SECRET" or "MAC SECRET ETAG" (then sent as
-- If-None-Match, so the answer is a 304). The lines are requested in order, each thread starting
-- at its own offset, wrapping around; every request is encoded once at start.
local requests = {}
local next_index = 1
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("offset", thread_count)
end

function init(args)
  for line in io.lines(args[1]) do
    local mac, secret, etag = line:match("^(%S+)%s+(%S+)%s*(%S*)$")
    local headers = { ["X-Device-Mac"] = mac, ["X-Device-Secret"] = secret }
    if etag ~= "" then
      headers["If-None-Match"] = etag
    end
    requests[#requests + 1] = wrk.format("GET", "/api/v1/device/license", headers)
  end
  next_index = ((offset or 1) * 7919) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end
