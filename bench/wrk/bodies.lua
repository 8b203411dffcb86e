-- POST the request bodies in a file, one JSON document a line, in order.
--
--   wrk -t1 -c4 -d3s --latency -s bench/wrk/bodies.lua URL -- BODIES_FILE [cycle|once]
--
-- cycle: start again at the first body after the last (a repeated workload).
-- once:  never send a body twice; if the file runs out, stop the thread and report it
--        ("exhausted"), so a run meant to be all-unique can never wrap around.
-- With several threads, thread k of n sends bodies k, k+n, k+2n, ...
-- done() prints one line "BENCH-JSON {...}" that bench/http_load.py reads: requests, duration,
-- wrk's error counts, latency percentiles (µs), responses outside 2xx, and X-Cache and X-Record tallies.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   table.insert(threads, thread)
   counter = counter + 1
end

local requests_ = {}
local n, i, step = 0, 0, 1
local once = false
non2xx, exhausted, responses = 0, 0, 0
hit_l1, hit_l2, miss, bypass, no_header = 0, 0, 0, 0, 0
committed, journaled, unrecorded = 0, 0, 0

function init(args)
   local file, mode = args[1], args[2] or "cycle"
   once = (mode == "once")
   step = tonumber(args[3] or "1")
   local headers = {["Content-Type"] = "application/json"}
   local f = assert(io.open(file, "rb"), "cannot open " .. tostring(file))
   for line in f:lines() do
      if #line > 0 then
         n = n + 1
         headers["Content-Length"] = nil
         requests_[n] = wrk.format("POST", wrk.path, headers, line)
      end
   end
   f:close()
   assert(n > 0, "no bodies in " .. file)
   i = (id or 0) - step + 1   -- the first request() moves to body id+1 (1-based)
end

function request()
   i = i + step
   if i > n then
      if once then
         exhausted = 1
         wrk.thread:stop()
         i = n            -- a request must be returned; the thread is stopping
      else
         i = ((i - 1) % n) + 1
      end
   end
   return requests_[i]
end

function response(status, headers, body)
   responses = responses + 1
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
   local c = headers["X-Cache"]
   if c == "hit-l1" then hit_l1 = hit_l1 + 1
   elseif c == "hit-l2" then hit_l2 = hit_l2 + 1
   elseif c == "miss" then miss = miss + 1
   elseif c == "bypass" then bypass = bypass + 1
   else no_header = no_header + 1 end
   local r = headers["X-Record"]
   if r == "committed" then committed = committed + 1
   elseif r == "journaled" then journaled = journaled + 1
   else unrecorded = unrecorded + 1 end
end

function done(summary, latency, requests)
   local t = {non2xx = 0, exhausted = 0, responses = 0, hit_l1 = 0, hit_l2 = 0, miss = 0, bypass = 0, no_header = 0,
              committed = 0, journaled = 0, unrecorded = 0}
   for _, thread in ipairs(threads) do
      for k, _ in pairs(t) do
         t[k] = t[k] + (tonumber(thread:get(k)) or 0)
      end
   end
   local e = summary.errors
   local parts = {
      string.format('"requests":%d,"duration_us":%d,"bytes":%d', summary.requests, summary.duration, summary.bytes),
      string.format('"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d',
                    e.connect, e.read, e.write, e.status, e.timeout),
      string.format('"lat_mean_us":%.1f,"lat_max_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d',
                    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99)),
   }
   for k, v in pairs(t) do
      parts[#parts + 1] = string.format('"%s":%d', k, v)
   end
   io.write("BENCH-JSON {" .. table.concat(parts, ",") .. "}\n")
end
