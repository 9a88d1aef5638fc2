"""The JSM operations Schedules API as this package speaks it: `config.py` (the settings,
from Pulumi config or the environment), `client.py` (HTTP: retries, pagination, changes
whose outcome is unknown; the API's paths), `transport.py` (each call bounded whole by the
timeout), `models.py` (typed schedules in canonical form, and their validation),
`reserved_names.py` (rotation names Pulumi keeps for itself as object keys) and
`whole_windows.py` (restriction windows that end where they start).

May import: `pulumi_jsmops.errors` and `pulumi_jsmops.redaction` only (never `dynamic`,
`oncall`, `cli`, nor the resource modules), so that the on-call engine and the commands
can use it without the provider, and the provider without them.
"""
