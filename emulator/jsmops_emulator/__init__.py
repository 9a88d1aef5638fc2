"""Local emulator of the Jira Service Management operations Schedules API.

Run `jsmops-emulator --port 0 --db FILE` (or `python -m jsmops_emulator`); it
prints `jsmops-emulator listening on http://HOST:PORT` once it listens. The API
lives under `/jsm/ops/api/{cloudId}/v1/schedules` with HTTP basic auth
(`admin@example.com` / `local-admin-token` reads and writes,
`viewer@example.com` / `local-viewer-token` only reads; cloud id `local`), and
test controls under `/_emulator/` (stats, request journal, latency, faults,
users, reset). It is also a Jira site for user lookups: `/rest/api/3/user/search`
and `/rest/api/3/user` over a directory of users. What it serves, its quirks,
its choices where the spec is silent, and the controls: emulator/README.md.

Layout, after moto: `models` (SQLite store), `validation` (request bodies),
`responses` (HTTP handlers), `app` (route table and error handlers), `faults`
(latency, counters, journal, rate limit, fault injection), `cli` (the command),
`oncall` (who is on call and when), `users` (the directory and Jira's user routes).
"""
