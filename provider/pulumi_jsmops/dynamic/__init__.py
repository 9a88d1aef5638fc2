"""The dynamic-provider side: what runs in the provider process the Pulumi engine starts.

`base.py` (what every resource's provider shares: settings, the client, the user's inputs,
values not known yet, logging, reading answers as models), `update_plan.py` (the requests
an update of a schedule sends, and when two schedules are the same), `preview_diff.py` (the
paths a preview shows of an update), `ownership.py` (which schedules a stack may take as its
own), `stack_state.py` (the stack's state, read only to explain a refused create),
`listing.py` (a refresh of many schedules served from one listing of the site),
`partial_update.py` (an update that failed after some of its requests landed), `host.py`
(adjustments to the SDK's provider host). The providers themselves live beside the
resources (`pulumi_jsmops.provider`).

May import: `pulumi_jsmops.api` and `pulumi_jsmops.errors` (never `oncall` or `cli`).
"""
