-- wrk script: GET an establishment (API) chosen at random among those with interventions,
-- as the demo control agent (bearer token in the TOKEN environment variable).
local sirets = {}
for line in io.lines(os.getenv("SIRETS")) do sirets[#sirets + 1] = line end
local token = os.getenv("TOKEN")
local path = os.getenv("READ_PATH") or "/api/v1/establishments/"
dofile(os.getenv("BENCH_DIR") .. "/http-pace.lua")
math.randomseed(42)
request = function()
	local s = sirets[math.random(#sirets)]
	return wrk.format("GET", path .. s, {["Authorization"] = "Bearer " .. token})
end
