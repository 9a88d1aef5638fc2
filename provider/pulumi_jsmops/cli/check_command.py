"""`jsmops check`: whether a stack's settings reach the service, at the cost of one read.

A preview of an unchanged stack sends no request (the provider checks the settings' form
only), so a wrong token, cloud id or base URL would show only at the first `pulumi up` that
changes something. This command takes the settings as the provider does (the stack's
`jsmops:*` config, else the `JSMOPS_*` environment; with `--site`, that site's in
`jsmops:sites`) and asks the service for one page of the site's schedules. What one read
cannot tell: whether the token may change schedules (only a change tells; a read-only
token fails at the first `up`, saying so).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from .stack import PulumiStack


def run_check(stack: str, project_dir: Path, site: Optional[str] = None,
              progress: Callable[[str], None] = print) -> int:
    """Checks the stack's settings (those of `site` in `jsmops:sites`, if given) against the
    service; an error (a `JsmOpsError`) names the setting to fix. Answers the exit status."""
    from ..api.client import SCHEDULES_PATH, Client
    from ..api.config import setting_key

    settings = PulumiStack(stack, project_dir).config().settings(site)
    source = f"jsmops:sites.{site}" if site else "the stack's config, else JSMOPS_*"
    progress(f"stack '{stack}': {setting_key('base_url', site)} {settings.base_url}, "
             f"{setting_key('cloud_id', site)} {settings.cloud_id}, {setting_key('email', site)} {settings.email} "
             f"({source})")
    with Client(settings) as client:
        client.check_site_readable()
    progress(f"the service answers GET {SCHEDULES_PATH} (1 request): the site exists, and this email and token "
             "can read its schedules")
    progress("not checked: whether the token may change schedules (only a change tells: a read-only token fails "
             "at the first `pulumi up`, naming the permission)")
    return 0
