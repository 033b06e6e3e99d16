-- wrk script: POST /api/v1/nik with bodies read from BODIES (one JSON body per line), in order,
-- each thread starting at its own offset. done() prints one JSON line for the harness.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(os.getenv("BODIES")) do
    bodies[#bodies + 1] = line
  end
  local share = math.floor(#bodies / counter_total())
  index = id * share
  wrk.method = "POST"
  wrk.path = "/api/v1/nik"
  wrk.headers["Content-Type"] = "application/json"
end

function counter_total()
  return tonumber(os.getenv("WRK_THREADS") or "1")
end

function request()
  index = index + 1
  if index > #bodies then index = 1 end
  return wrk.format(nil, nil, nil, bodies[index])
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"errors_connect":%d,"errors_read":%d,"errors_write":%d,' ..
    '"errors_status":%d,"errors_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
