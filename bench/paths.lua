-- paths.lua — wrk script for the benchmarks: sends the session cookie ($BENCH_COOKIE, may be
-- empty) on every request, cycles through the request paths listed one a line in $BENCH_PATHS
-- (or uses the URL's path), and prints one machine-readable line at the end:
--   RESULT requests=… rps=… p50_us=… p90_us=… p99_us=… max_us=… non2xx=… errors=…
-- The requests are formatted once in init(), so picking the next one costs wrk almost nothing and
-- the same script serves nginx (the ceiling) and dangjian alike.

local reqs = {}
local i = 0
local nthreads = 0

-- runs in the main Lua state once per thread, before init
function setup(thread)
	thread:set("offset", nthreads * 7919)
	nthreads = nthreads + 1
end

function init(args)
	local headers = {}
	local cookie = os.getenv("BENCH_COOKIE")
	if cookie and cookie ~= "" then
		headers["Cookie"] = "dj_session=" .. cookie
	end
	local file = os.getenv("BENCH_PATHS")
	if file and file ~= "" then
		for line in io.lines(file) do
			if line ~= "" then
				reqs[#reqs + 1] = wrk.format("GET", line, headers)
			end
		end
	end
	if #reqs == 0 then
		reqs[1] = wrk.format("GET", wrk.path, headers)
	end
	-- threads start at different places in the list
	i = (offset or 0) % #reqs
end

function request()
	i = i % #reqs + 1
	return reqs[i]
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d errors=%d\n",
		summary.requests, summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
		e.status, e.connect + e.read + e.write + e.timeout))
end
