"""Benchmarks of the Schedule provider through the real `pulumi` CLI against the emulator.

`python -m bench.run` (or `make bench`); see bench/README.md.
"""

import signal


def let_children_be_interrupted() -> None:
    """Gives the `pulumi` processes a benchmark starts the default SIGINT action.

    A command started in the background by a non-interactive shell (`make bench &`, nohup,
    CI runners) inherits SIGINT ignored, and so would every process below it; the engine
    stops the language host of the stack program with SIGINT, then waits 5 s before it
    kills it, which would add 5 s to every preview and up measured."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
