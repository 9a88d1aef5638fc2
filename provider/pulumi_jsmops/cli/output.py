"""Writing a command's report to standard output, when its reader may go away (`| head`),
and the words it is written in."""

from __future__ import annotations

import os
import sys

READER_GONE = 141  # the shell's status of a command stopped by SIGPIPE (128 + 13)


def print_flushed(text: str) -> None:
    """Prints now, so that a reader who went away is noticed where the output is written."""
    print(text, flush=True)


def reader_gone() -> int:
    """After a BrokenPipeError on stdout (`jsmops ... | head`): what is left to write goes
    nowhere (else Python complains again when it flushes stdout at exit); answers the exit
    code."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return READER_GONE


def counted(number: int, noun: str) -> str:
    """`1 schedule`, `2 schedules`, `0 schedules`: a count with its noun (one that takes an s)."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
