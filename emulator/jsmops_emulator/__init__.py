"""Local emulator of the Jira Service Management operations Schedules API.

Run `jsmops-emulator --port 0 --db FILE` (or `python -m jsmops_emulator`); it
prints `jsmops-emulator listening on http://HOST:PORT` once it listens. The API
lives under `/jsm/ops/api/{cloudId}/v1/schedules` with HTTP basic auth
(`admin@example.com` / `local-admin-token` reads and writes,
`viewer@example.com` / `local-viewer-token` only reads; cloud id `local`).

Test controls, without auth, never counted, rate limited or faulted:

- `GET /_emulator/stats` -> `{"total", "by_method", "by_status", "by_method_status"}`
  over every API request; `POST /_emulator/stats/reset` zeroes them.
- `POST /_emulator/faults` with `{"method", "path" (regex), "count", "action":
  "status" | "delay" | "cut", "status", "retry_after", "delay"}` -> 201 with the
  fault and its id; `GET /_emulator/faults` -> `{"faults": [...]}` (pending,
  `count` = applications left); `DELETE /_emulator/faults` clears them.
- `POST /_emulator/reset` deletes all schedules, faults and counters.

Layout, after moto: `models` (SQLite store), `validation` (request bodies),
`responses` (HTTP handlers), `app` (route table and error handlers), `faults`
(counters, rate limit, fault injection), `cli` (the command).
"""
