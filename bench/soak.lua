-- soak.lua — wrk script for `make soak` (scripts/soak.sh): a mixed load on one logged-in session.
-- The session is made once by soak.sh and passed in: SOAK_COOKIE (dj_session token), SOAK_CSRF,
-- SOAK_MEMBERS and SOAK_ORGS (comma-separated ids to read and write), SOAK_WRITE_PCT (default 20).
--
-- Reads: member lists (pages, a search, a filter), member and org details, children, meetings,
-- dashboard. Writes: a PATCH of one member's 工作单位 (audited, same row count) and, rarely, a new
-- organization under one of the given orgs. Each thread counts answers by class; done() prints
--   SOAK requests=… 2xx=… 3xx=… 4xx=… 5xx=… writes=… errors=… (socket) p50_us=… p99_us=… max_us=…
-- and scripts/soak.sh fails the run on any 5xx.

local threads = {}
local members, orgs = {}, {}
local cookie, csrf
local write_pct = 20
-- Globals, not locals: wrk's thread:get() in done() reads a thread's globals (tid is set by setup()).
n2, n3, n4, n5, nw = 0, 0, 0, 0, 0
local seq = 0

local function split(s)
	local t = {}
	for x in string.gmatch(s or "", "[^,]+") do
		t[#t + 1] = x
	end
	return t
end

function setup(thread)
	thread:set("tid", #threads + 1)
	threads[#threads + 1] = thread
end

function init(args)
	cookie = "dj_session=" .. (os.getenv("SOAK_COOKIE") or "")
	csrf = os.getenv("SOAK_CSRF") or ""
	members = split(os.getenv("SOAK_MEMBERS"))
	orgs = split(os.getenv("SOAK_ORGS"))
	write_pct = tonumber(os.getenv("SOAK_WRITE_PCT") or "20")
	if #members == 0 or #orgs == 0 then
		error("SOAK_MEMBERS and SOAK_ORGS must list ids")
	end
	math.randomseed(os.time() + (tid or 0) * 7919)
end

local function pick(t)
	return t[math.random(#t)]
end

local reads = {
	function() return "/api/v1/members?per_page=20&page=" .. math.random(50) end,
	function() return "/api/v1/members?q=%E5%BC%A0&per_page=20" end, -- q=张
	function() return "/api/v1/members?status=active&sort=-joined_on&per_page=50" end,
	function() return "/api/v1/members/" .. pick(members) end,
	function() return "/api/v1/orgs/" .. pick(orgs) end,
	function() return "/api/v1/orgs/" .. pick(orgs) .. "/children" end,
	function() return "/api/v1/meetings?per_page=20" end,
	function() return "/api/v1/dashboard" end,
	function() return "/api/v1/session" end,
}

function request()
	local h = { ["Cookie"] = cookie }
	if math.random(100) <= write_pct then
		nw = nw + 1
		seq = seq + 1
		h["X-DJ-CSRF"] = csrf
		h["Content-Type"] = "application/json"
		if math.random(100) <= 2 then
			local body = string.format('{"parent_id":%s,"name":"压测支部%d-%d-%d","kind":"branch","sector":"rural"}',
				pick(orgs), tid or 0, os.time(), seq)
			return wrk.format("POST", "/api/v1/orgs", h, body)
		end
		local body = string.format('{"work_unit":"压测单位%d"}', seq % 1000)
		return wrk.format("PATCH", "/api/v1/members/" .. pick(members), h, body)
	end
	return wrk.format("GET", reads[math.random(#reads)](), h)
end

function response(status, headers, body)
	if status >= 500 then
		n5 = n5 + 1
	elseif status >= 400 then
		n4 = n4 + 1
	elseif status >= 300 then
		n3 = n3 + 1
	else
		n2 = n2 + 1
	end
end

-- wrk calls done() in the main thread; the per-thread counters are fetched from each thread.
function done(summary, latency, requests)
	local t2, t3, t4, t5, tw = 0, 0, 0, 0, 0
	for _, t in ipairs(threads) do
		t2 = t2 + t:get("n2")
		t3 = t3 + t:get("n3")
		t4 = t4 + t:get("n4")
		t5 = t5 + t:get("n5")
		tw = tw + t:get("nw")
	end
	local e = summary.errors
	io.write(string.format(
		"SOAK requests=%d 2xx=%d 3xx=%d 4xx=%d 5xx=%d writes=%d errors=%d p50_us=%d p99_us=%d max_us=%d\n",
		summary.requests, t2, t3, t4, t5, tw, e.connect + e.read + e.write + e.timeout,
		latency:percentile(50), latency:percentile(99), latency.max))
end
