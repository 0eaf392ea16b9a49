-- wrk script: POST a routine intervention (control on site, two themes, a follow-up) on
-- a random establishment, as the demo control agent (bearer token in TOKEN).
local sirets = {}
for line in io.lines(os.getenv("SIRETS")) do sirets[#sirets + 1] = line end
local token = os.getenv("TOKEN")
local day = os.getenv("DAY")
dofile(os.getenv("BENCH_DIR") .. "/http-pace.lua")
math.randomseed(7)
request = function()
	local s = sirets[math.random(#sirets)]
	local body = '{"date": "' .. day .. '", "kind": "controle_site", "siret": "' .. s ..
		'", "themes": ["ss_chutes_hauteur", "ds_duree"], "note": "Contrôle de routine.",' ..
		' "followups": [{"kind": "lettre_observations", "date": "' .. day ..
		'", "provisions": ["R.4323-58"]}]}'
	return wrk.format("POST", "/api/v1/interventions",
		{["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
