"""What operators watch: Prometheus metrics summed over every worker, and JSON logs that carry
no NIK, KK or name.

- `metrics`: the metric families, the cheap per-request and per-event hooks, and the exposition
  `/metrics` serves (prometheus_client's multiprocess mode under `dpt serve`);
- `sampler`: the per-worker task that carries counts and gauges into the shared metric files;
- `access`: the ASGI wrapper that times, counts and logs every request;
- `logs`: the one logging configuration (app and granian), the JSON formatter, the redaction filter.
"""
