"""Who is on call, and what a change means for it: pure computation on the API's models.

`engine.py` (a schedule's timeline from its model: the service's on-call rules),
`assessment.py` (what a change of schedules means for who is on call), `report.py` (that
assessment as text, markdown or JSON), `picture.py` (drawn, with matplotlib).

May import: `pulumi_jsmops.api.models` and `pulumi_jsmops.errors` (never `dynamic`, `cli`,
the client or the settings): it reads nothing and writes nothing; the commands in `cli/`
hand it what they read.
"""
