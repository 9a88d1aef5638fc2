"""The `jsmops` command (`main.py`) and its subcommands, each in a module of its own:
`import_command.py` (with `codegen.py`, the Python it writes), `recover_command.py`,
`check_command.py`, `impact_command.py` and `oncall_command.py`; `output.py` (writing a
report, and its words). `stack.py` is their one way to a stack: the
`pulumi` CLI on it, and its config read once into the client's settings and the names of
participants.

May import: anything in the package; only `automation.py` (the same reports for Python, on
Automation API stacks: its `PulumiStack` is the workspace's) imports it from outside.
"""
