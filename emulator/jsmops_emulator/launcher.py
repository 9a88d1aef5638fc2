"""The `jsmops-emulator` command as installed: the emulator's own dependencies come with
the `[emulator]` extra, so without them the command says what to install."""

from __future__ import annotations

import sys

# Top-level modules that only `pip install 'pulumi-jsmops[emulator]'` brings.
EXTRA_MODULES = {"fastapi", "starlette", "uvicorn"}


def main() -> int:
    try:
        from .cli import main as serve
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in EXTRA_MODULES:
            raise
        print(f"jsmops-emulator: the emulator needs {exc.name}, which this environment lacks: "
              "install it with `pip install 'pulumi-jsmops[emulator]'`", file=sys.stderr)
        return 2
    return serve()
