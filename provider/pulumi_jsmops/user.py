"""People by email, as a lookup like a data source: `get_user`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi


@dataclass
class GetUserResult:
    """An account found by `get_user`."""

    account_id: str
    """The account id: what a participant or responder of type `user` takes as its `id`."""
    display_name: str
    """The name the site shows for the account."""
    email: str
    """Its email address, as the site holds it."""
    active: bool
    """Whether the account is active (always True: an inactive one fails the lookup)."""


def get_user(email: str, site: Optional[str] = None) -> GetUserResult:
    """Finds the account with this email address through the Jira site's user search
    (`GET /rest/api/3/user/search`, every page of 50 answers, one request each), like a
    Terraform data source. The search matches prefixes of names and addresses; only an
    address equal to `email` as a whole, ignoring case, is taken.

    Needs `jsmops:siteUrl` (the site's address, `https://<name>.atlassian.net`) besides the
    usual settings, from the stack config, then the JSMOPS_* environment; with `site`, the
    settings of that site in `jsmops:sites`.

    :param str email: The person's email address, e.g. `alice@example.com`.
    :param str site: The name of a site in `jsmops:sites`. Defaults to the `jsmops:*` settings.
    :raises pulumi.RunError: No active account has the address, several do, the account is inactive,
            the settings are missing or wrong, or the site failed; the program stops with that message.
    """
    from .api.client import Client
    from .api.config import load_settings, setting_key
    from .api.users import find_by_email, search_pages
    from .errors import ConfigurationError, JsmOpsError, NotFoundError

    lookup = f"get_user(email={email!r}{'' if site is None else f', site={site!r}'})"
    try:
        if not isinstance(email, str) or "@" not in email or email != email.strip():
            raise ValueError("email: must be an email address, e.g. alice@example.com")
        settings = load_settings(pulumi.runtime.get_config, site)
        with Client(settings, root=settings.site_root) as client:
            try:
                user = find_by_email(search_pages(client.read_array, email), email)
            except NotFoundError as exc:
                raise ConfigurationError(f"{exc}; check {setting_key('site_url', site)}: the Jira site's address, "
                                         "https://<name>.atlassian.net") from None
    except (JsmOpsError, ValueError) as exc:
        # A RunError stops the program with its message alone, without a traceback.
        raise pulumi.RunError(f"{lookup}: {exc}") from None
    return GetUserResult(account_id=user.account_id, display_name=user.display_name, email=user.email or email,
                         active=user.active)


def get_user_output(email: pulumi.Input[str], site: Optional[pulumi.Input[Optional[str]]] = None
                    ) -> pulumi.Output[GetUserResult]:
    """`get_user` for inputs that are Outputs.

    :param pulumi.Input[str] email: The person's email address.
    :param pulumi.Input[str] site: The name of a site in `jsmops:sites`. Defaults to the `jsmops:*` settings.
    """
    return pulumi.Output.all(email, site).apply(lambda args: get_user(args[0], args[1]))
