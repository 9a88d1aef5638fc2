"""On-call rules enforced on every preview: a Pulumi CrossGuard policy pack.

`stack.py` (the schedules a stack declares, with their declared overrides, as a policy
sees them: values not known yet included), `rules.py` (the rules, over the on-call engine:
coverage, participants per rotation, weekly hours), `pack.py` (the policy pack itself, on
the `pulumi-policy` package: `pip install 'pulumi-jsmops[policy]'`). `jsmops policy-pack DIR`
(`cli/policy_pack_command.py`) writes a pack directory that runs `pack.py`.

May import: `pulumi_jsmops.oncall`, `pulumi_jsmops.api.models` and `pulumi_jsmops.errors`
(never `dynamic`, `cli`, the client or the settings): a policy reads nothing and writes
nothing; it sees what the engine hands it.
"""
