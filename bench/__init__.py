"""Benchmarks of the Schedule provider through the real `pulumi` CLI against the emulator.

`python -m bench.run` (or `make bench`); see bench/README.md.
"""
