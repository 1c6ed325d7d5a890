-- wrk script for the uncut server load check (bench/server/run.sh).
-- MIX=list|trace|mixed; TOKEN and QUOTES from the environment. Counts
-- failed traces (HTTP 200 with a failed job) on top of wrk's non-2xx count,
-- and traces that found no source (every extract comes from the archive).
local token = os.getenv("TOKEN")
local mix = os.getenv("MIX") or "mixed"
local quotes = {}
for line in io.lines(os.getenv("QUOTES")) do quotes[#quotes + 1] = line end
local searches = {"", "river", "doc-01", "bridge", "", "txt", "harbour", ""}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  failed = 0
  not_found = 0
  counter = id * 7919
  math.randomseed(id + 1)
end

local function json_string(s)
  return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

function request()
  counter = counter + 1
  local headers = {["Authorization"] = "Bearer " .. token}
  local trace = mix == "trace" or (mix == "mixed" and counter % 4 == 0)
  if trace then
    headers["Content-Type"] = "application/json"
    local q = quotes[(counter % #quotes) + 1]
    return wrk.format("POST", "/api/trace?wait=30", headers, '{"text": ' .. json_string(q) .. '}')
  end
  local q = searches[(counter % #searches) + 1]
  return wrk.format("GET", "/api/items?limit=50&q=" .. q, headers)
end

function response(status, headers, body)
  if status == 200 and body:find('"state":"failed"', 1, true) then failed = failed + 1 end
  if status == 200 and body:find('"verdict":"not_found"', 1, true) then not_found = not_found + 1 end
end

function done(summary, latency, requests)
  local total_failed, total_not_found = 0, 0
  for _, t in ipairs(threads) do
    total_failed = total_failed + t:get("failed")
    total_not_found = total_not_found + t:get("not_found")
  end
  io.write(string.format("failed_jobs %d\nnot_found %d\n", total_failed, total_not_found))
end
