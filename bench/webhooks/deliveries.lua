-- wrk script: POST real signed webhook deliveries, each with a unique X-GitHub-Delivery id.
-- The signature covers the body only, so pre-signed bodies are reused; the delivery id is what the
-- receiver dedupes on. Statuses are counted per thread and summed in done().

local bodies, signatures = {}, {}
local threads = {}
local counter = 0
-- Globals, so that setup() and done() can reach them through thread:set and thread:get.
thread_id = 0
statuses = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local dir = args[1]
  local count = tonumber(args[2])
  for i = 1, count do
    local f = assert(io.open(dir .. "/body-" .. i .. ".json", "rb"))
    bodies[i] = f:read("*a")
    f:close()
    local s = assert(io.open(dir .. "/body-" .. i .. ".sig", "rb"))
    signatures[i] = s:read("*l")
    s:close()
  end
end

function request()
  counter = counter + 1
  local i = counter % #bodies + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "pull_request",
    ["X-GitHub-Delivery"] = "bench-" .. thread_id .. "-" .. counter,
    ["X-Hub-Signature-256"] = signatures[i],
  }
  return wrk.format("POST", "/webhook", headers, bodies[i])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(totals) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
