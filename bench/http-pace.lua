-- Shared by the wrk scripts: when RATE (requests a second, all connections together) is
-- set, requests leave at random times (exponential gaps, Poisson arrivals) at RATE a
-- second instead of as fast as the server answers: each wrk thread keeps a schedule at
-- RATE / THREADS, and a connection ready to send waits for the next free slot. wrk
-- starts a request's clock when it is sent, so the latency is the server's alone; when
-- the server cannot keep up the rate falls, and the table shows it.
local rate = tonumber(os.getenv("RATE") or "")
local threads = tonumber(os.getenv("THREADS") or "2")
if rate and rate > 0 then
	local ffi = require("ffi")
	ffi.cdef [[
		typedef struct { long tv_sec; long tv_nsec; } constat_timespec;
		int clock_gettime(int clk, constat_timespec *tp);
	]]
	local ts = ffi.new("constat_timespec")
	local function now_ms()
		ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
		return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
	end
	local gap_ms = threads * 1000 / rate
	local next_ms
	delay = function()
		local now = now_ms()
		if not next_ms or next_ms < now - 1000 then next_ms = now end
		next_ms = next_ms - gap_ms * math.log(1 - math.random())
		local wait = next_ms - now
		return wait > 0 and math.floor(wait) or 0
	end
end
