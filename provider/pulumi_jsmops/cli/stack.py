"""One stack of a Pulumi project, as the `jsmops` commands see it: the `pulumi` CLI on it,
its state, and its config, read once into the client's settings (of the `jsmops:*` keys, or
of a site of `jsmops:sites`, as the provider reads them) and participants' names."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional

from ..errors import JsmOpsError

if TYPE_CHECKING:
    from ..api.client import Client
    from ..api.config import Settings
    from ..oncall.assessment import Labels


class PulumiStack:
    """The `pulumi` CLI on one stack of the project in `project_dir`; a failed command
    raises `failure` with the CLI's words. `command` is the CLI (default: `pulumi` on PATH)
    and `env` what it gets besides this process's environment (an Automation API
    workspace's: `automation.py`)."""

    def __init__(self, name: str, project_dir: Path, failure: type[JsmOpsError] = JsmOpsError, *,
                 command: str = "pulumi", env: Optional[Mapping[str, str]] = None):
        self.name, self.project_dir, self.failure = name, project_dir, failure
        self.command, self.env = command, dict(env or {})

    # Why a secret of this stack's own preview may stay unread (None: that preview shows them all).
    unshown_secrets: Optional[str] = None

    def run(self, *args: str, stdin: Optional[str] = None, stream: bool = False, accept_failure: bool = False,
            env: Optional[Mapping[str, str]] = None) -> str:
        """The command's standard output (`stream` shows it instead). `accept_failure` takes
        a failed preview's JSON too, when it says why (its error diagnostics); a failure it
        does not explain (the JSON may be `{}`) raises with the CLI's standard error. `env`
        adds to the environment of the command."""
        extra = {**self.env, **(env or {})}
        result = subprocess.run([self.command, *args, "--stack", self.name, "--non-interactive"],
                                cwd=self.project_dir, env={**os.environ, **extra} if extra else None,
                                text=True, input=stdin, stdout=None if stream else subprocess.PIPE,
                                stderr=subprocess.PIPE)
        output = result.stdout or ""
        if result.returncode != 0 and not (accept_failure and tells_errors(output)):
            command = " ".join(arg for arg in args[:2] if not arg.startswith("-"))
            raise self.failure(f"`pulumi {command}` failed: {result.stderr.strip() or output.strip()}")
        return output

    def preview(self, plan_file: Path) -> str:
        """`pulumi preview --json` of the stack's program, its plan written to `plan_file`
        with the secrets in plaintext; the JSON also when the preview fails and says why in it."""
        return self.run("preview", "--json", "--save-plan", str(plan_file), "--show-secrets", accept_failure=True)

    def config(self, *, secrets: bool = True) -> StackConfig:
        """The stack's config; `secrets` decrypted (never printed), else shown as `[secret]`."""
        shown = ["--show-secrets"] if secrets else []
        return StackConfig(json.loads(self.run("config", "--json", *shown) or "{}"), {**os.environ, **self.env})

    def export(self, *, secrets: bool = False) -> dict[str, Any]:
        """The stack's state (`pulumi stack export`); `secrets` in clear."""
        state: dict[str, Any] = json.loads(self.run("stack", "export", *(["--show-secrets"] if secrets else [])))
        return state


def tells_errors(output: str) -> bool:
    """Whether a failed `pulumi preview --json` said why in its JSON (error diagnostics): else
    the failure is the CLI's own (its standard error says why), and the JSON may be `{}`."""
    try:
        preview = json.loads(output)
    except ValueError:
        return False
    diagnostics = preview.get("diagnostics") if isinstance(preview, dict) else None
    return any(isinstance(d, dict) and d.get("severity") == "error" for d in diagnostics or [])


@dataclass(frozen=True)
class StackConfig:
    """A stack's config as `pulumi config --json` has it: an entry per full key
    (`jsmops:cloudId`) with its `value`, and `objectValue` for an object."""

    entries: dict[str, dict[str, Any]]
    environ: Optional[Mapping[str, str]] = None  # JSMOPS_* where the config lacks a key (None: os.environ)

    def value(self, key: str) -> Any:
        return (self.entries.get(key) or {}).get("value")

    def settings(self, site: Optional[str] = None) -> Settings:
        """The client's settings: the stack's `jsmops:*` config, else the JSMOPS_* environment
        (the stack's workspace's too);
        for a site, its entry in `jsmops:sites`."""
        from ..api.config import load_settings

        return load_settings(self.value, site, self.environ)

    def client(self, site: Optional[str] = None) -> Client:
        from ..api.client import Client

        return Client(self.settings(site))

    def clients(self) -> SiteClients:
        return SiteClients(self)

    def objects(self, namespace: str) -> dict[str, Any]:
        """The config's objects in a namespace (the project's own), by key without it."""
        return {key.removeprefix(f"{namespace}:"): entry["objectValue"] for key, entry in self.entries.items()
                if key.startswith(f"{namespace}:") and isinstance(entry, dict) and "objectValue" in entry}

    def labels(self) -> Labels:
        """Participant ids named by the config's objects of names to ids (first name wins),
        e.g. `people: {alice: <id>}`."""
        labels: Labels = {}
        for entry in self.entries.values():
            value = entry.get("objectValue") if isinstance(entry, dict) else None
            if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                for name, ident in value.items():
                    labels.setdefault(ident, name)
        return labels


class SiteClients:
    """A client per site, made on first use and closed at the end (a context manager): for the
    commands that reach the schedules of a stack, each on the site its state names."""

    def __init__(self, config: StackConfig):
        self._config = config
        self._clients: dict[Optional[str], Client] = {}

    def __call__(self, site: Optional[str] = None) -> Client:
        """The client of a site of `jsmops:sites` (None: of the `jsmops:*` settings)."""
        if site not in self._clients:
            self._clients[site] = self._config.client(site)
        return self._clients[site]

    def __enter__(self) -> SiteClients:
        return self

    def __exit__(self, *_exc: object) -> None:
        for client in self._clients.values():
            client.close()
