"""A Pulumi project of a user's own, outside the checkout, with the wheel of pulumi-jsmops
installed from `requirements.txt` into its own venv (the newest Pulumi SDK on PyPI), set
up as the README's "Install into your own project" says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
# What the copy of the sources for a build leaves out (nothing is written into the checkout).
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", ".pulumi", ".emulator", "build", "dist", "*.egg-info",
                                     "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache")
PASSPHRASE = "user-project-passphrase"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def build_wheel(work: Path) -> Path:
    """The wheel, built (in an isolated build env, as pip does) from a copy of the sources."""
    shutil.copytree(REPO, work / "src", ignore=NOT_SOURCES, symlinks=True)
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(work / "src")], work)
    (built,) = (work / "dist").glob("pulumi_jsmops-*.whl")
    return built


def newest_sdk_on_pypi(python: Path) -> str:
    """The newest Pulumi 3.x release on PyPI, as pip of that venv sees it."""
    listing = run([str(python), "-m", "pip", "index", "versions", "pulumi"], python.parent)
    versions = listing.split("Available versions:", 1)[1].splitlines()[0].split(",")
    return str(max(v for v in map(Version, map(str.strip, versions)) if v.major == 3 and not v.is_prerelease))


@dataclass
class UserProject:
    dir: Path
    python: Path
    sdk_version: str
    newest_sdk: str
    env: dict[str, str]

    @classmethod
    def create(cls, root: Path, wheel: Path) -> UserProject:
        project = root / "platform-oncall"
        project.mkdir()
        (project / "Pulumi.yaml").write_text(
            "name: platform-oncall\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n"
        )
        run([sys.executable, "-m", "venv", "venv"], project)
        python = project / "venv" / "bin" / "python"
        newest = newest_sdk_on_pypi(python)
        (project / "requirements.txt").write_text(f"pulumi-jsmops @ {wheel.as_uri()}\npulumi>=3,<4\n")
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "-r", "requirements.txt"], project)
        installed = run([str(python), "-c", "from importlib.metadata import version; print(version('pulumi'))"],
                        project).strip()

        # Only the Pulumi CLI and its language host on PATH: nothing of the checkout's venv.
        cli_dir = Path(shutil.which("pulumi") or "pulumi").resolve().parent
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("JSMOPS_", "PULUMI_", "VIRTUAL_ENV", "PYTHON"))}
        env.update({
            "PATH": os.pathsep.join([str(cli_dir), "/usr/local/bin", "/usr/bin", "/bin"]),
            "PULUMI_BACKEND_URL": f"file://{root / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_HOME": str(root / "pulumi-home"),
        })
        (root / "state").mkdir()
        return cls(project, python, installed, newest, env)

    def pulumi(self, *args: str) -> str:
        return run(["pulumi", *args, "--non-interactive"], self.dir, self.env)
