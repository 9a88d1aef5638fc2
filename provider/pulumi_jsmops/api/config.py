"""Client settings, read from Pulumi config (`jsmops:<key>`) with the environment as fallback.

A program may reach several sites: the stack config object `jsmops:sites` holds each named
site's settings under the same keys (`jsmops:sites.eu.cloudId`, ...). A named site takes
only its own keys (and the defaults), never the `jsmops:*` ones nor the environment, so a
site left half-configured fails naming what it lacks instead of reaching another site.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Mapping, Optional
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from ..errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.atlassian.com"
API_PATH = "/jsm/ops/api/"  # below the base URL, before the cloud id
SITES_KEY = "jsmops:sites"  # the stack config object of named sites: name -> {key: value}

# field -> (Pulumi config key, environment variable, is secret)
_SOURCES: dict[str, tuple[str, str, bool]] = {
    "base_url": ("baseUrl", "JSMOPS_BASE_URL", False),
    "cloud_id": ("cloudId", "JSMOPS_CLOUD_ID", False),
    "email": ("email", "JSMOPS_EMAIL", False),
    "api_token": ("apiToken", "JSMOPS_API_TOKEN", True),
    "site_url": ("siteUrl", "JSMOPS_SITE_URL", False),
    "timeout": ("timeout", "JSMOPS_TIMEOUT", False),
    "max_retries": ("maxRetries", "JSMOPS_MAX_RETRIES", False),
    "backoff_factor": ("backoffFactor", "JSMOPS_BACKOFF_FACTOR", False),
    "backoff_max": ("backoffMax", "JSMOPS_BACKOFF_MAX", False),
    "max_concurrency": ("maxConcurrency", "JSMOPS_MAX_CONCURRENCY", False),
}


class Settings(BaseModel):
    """How to reach the API. `api_token` is a SecretStr: it never shows in repr or logs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    site: Optional[str] = Field(None, description="the name of the site in jsmops:sites; None: the jsmops:* settings")
    base_url: str = DEFAULT_BASE_URL
    cloud_id: str = Field(min_length=1)
    email: str = Field(min_length=1)
    api_token: SecretStr
    site_url: Optional[str] = Field(None, description="the Jira site, https://<name>.atlassian.net: its user search")
    timeout: float = Field(30.0, gt=0, description="seconds one attempt of a call may take, connect to last byte")
    max_retries: int = Field(5, ge=0)
    backoff_factor: float = Field(0.5, ge=0)
    backoff_max: float = Field(30.0, gt=0, description="the longest wait between attempts, Retry-After included")
    max_concurrency: int = Field(10, ge=1, description="calls at a time: pooled connections, provider workers")

    @field_validator("base_url", "site_url")
    @classmethod
    def _is_http_url(cls, url: Optional[str]) -> Optional[str]:
        if url is None:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host, such as https://api.atlassian.com")
        if parts.username or parts.password:
            raise ValueError("must not hold credentials: set jsmops:email and jsmops:apiToken instead")
        if parts.query or parts.fragment:
            raise ValueError("must be an http(s) URL with no query or fragment, such as https://api.atlassian.com")
        if API_PATH in parts.path:
            # The emulator's banner and the API's documentation show the API's own address.
            before, after = parts.path.split(API_PATH, 1)
            cloud = after.split("/", 1)[0]
            raise ValueError(
                f"is the API's address, not the site's: set it to {parts.scheme}://{parts.netloc}{before} (the part "
                f"before {API_PATH})" + (f", and jsmops:cloudId to {cloud}" if cloud else ""))
        return url

    @property
    def api_root(self) -> str:
        """The root every API path hangs from, e.g. https://api.atlassian.com/jsm/ops/api/<cloud>."""
        return f"{self.base_url.rstrip('/')}{API_PATH}{self.cloud_id}"

    @property
    def site_root(self) -> str:
        """The Jira site the platform API hangs from (`jsmops:siteUrl`); an error saying how to set it when unset."""
        if self.site_url is None:
            raise ConfigurationError(f"{setting_key('site_url', self.site)} is not set (the address of the Jira "
                                     f"site, https://<name>.atlassian.net); {how_to_set('site_url', self.site)}")
        return self.site_url.rstrip("/")


def setting_key(field: str, site: Optional[str] = None) -> str:
    """The config key of a setting: `jsmops:cloudId`, or `jsmops:sites.eu.cloudId` for the site `eu`."""
    key = _SOURCES[field][0]
    return f"jsmops:{key}" if site is None else f"{SITES_KEY}.{site}.{key}"


def named_setting(field: str, site: Optional[str] = None) -> str:
    """The setting as a message names it: its config key, and for the default site its variable too."""
    if site is not None:
        return setting_key(field, site)
    return f"{setting_key(field)} (or the environment variable {_SOURCES[field][1]})"


def how_to_set(field: str, site: Optional[str] = None) -> str:
    key, env, secret = _SOURCES[field]
    flag = " --secret" if secret else ""
    if site is not None:
        return f"run `pulumi config set{flag} --path '{setting_key(field, site)}' <value>`"
    return f"run `pulumi config set{flag} jsmops:{key} <value>` or set the environment variable {env}"


def load_settings(config_get: Callable[[str], Any] = lambda key: None, site: Optional[str] = None,
                  environ: Optional[Mapping[str, str]] = None) -> Settings:
    """Settings from `config_get("jsmops:<key>")`, falling back to the environment (`environ`,
    default this process's); for a named `site`, from its entry in `jsmops:sites` alone.

    Raises ConfigurationError naming each missing or invalid setting and how to set it (an
    unknown site: naming it and the sites the config has); it makes no request, so the
    provider's `check` can call it at preview.
    """
    values: dict[str, Any] = {}
    if site is None:
        for field, (key, env, _) in _SOURCES.items():
            value: Optional[Any] = config_get(f"jsmops:{key}")
            if value in (None, ""):
                value = (os.environ if environ is None else environ).get(env) or None
            if value is not None:
                values[field] = value
    else:
        own = _site_entry(config_get, site)
        values = {field: own[key] for field, (key, _, _) in _SOURCES.items() if own.get(key) not in (None, "")}
    try:
        return Settings(site=site, **values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0])
            if error["type"] == "missing":
                what = "is not set"
            else:
                shown = "" if _SOURCES[field][2] else f" (got {_without_credentials(values.get(field))!r})"
                what = f"is invalid: {_plain(error['type'], error['msg'], error.get('ctx') or {})}{shown}"
            problems.append(f"{setting_key(field, site)} {what}; {how_to_set(field, site)}")
        raise ConfigurationError("; ".join(problems)) from None


def site_names(config_get: Callable[[str], Any]) -> list[str]:
    """The names of the sites in `jsmops:sites`, sorted; an error when it is not an object of objects."""
    return sorted(_sites(config_get))


def _site_entry(config_get: Callable[[str], Any], site: str) -> dict[str, Any]:
    sites = _sites(config_get)
    if site not in sites:
        have = ", ".join(repr(name) for name in sorted(sites))
        has = f"its sites: {have}" if have else f"the stack config has no {SITES_KEY}"
        raise ConfigurationError(f"site {site!r} is not in {SITES_KEY} ({has}); add it with "
                                 f"`pulumi config set --path '{SITES_KEY}.{site}.cloudId' <value>` and the other keys")
    return sites[site]


def _sites(config_get: Callable[[str], Any]) -> dict[str, dict[str, Any]]:
    """`jsmops:sites` as an object. The engine hands it to the provider, and the program reads it, as
    JSON text with every value in clear, secrets too (the dynamic provider takes no secrets)."""
    raw = config_get(SITES_KEY)
    if raw in (None, ""):
        return {}
    try:
        sites = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        sites = None
    if not isinstance(sites, dict) or not all(isinstance(entry, dict) for entry in sites.values()):
        raise ConfigurationError(f"{SITES_KEY} must be an object of sites, each an object of settings, e.g. set with "
                                 f"`pulumi config set --path '{SITES_KEY}.eu.cloudId' <value>`")
    return {str(name): entry for name, entry in sites.items()}


def _plain(kind: str, message: str, ctx: dict[str, Any]) -> str:
    """A validation error in words, not pydantic's."""
    if kind in ("float_parsing", "float_type"):
        return "must be a number"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "must be a whole number"
    if kind in ("greater_than", "greater_than_equal"):
        bound = ctx.get("gt", ctx.get("ge"))
        return f"must be {'more than' if kind == 'greater_than' else 'at least'} {bound:g}"
    if kind == "string_too_short":
        return "must not be empty"
    return message.removeprefix("Value error, ")


def _without_credentials(value: Any) -> Any:
    """A value as it may be shown: a URL's user and password hidden."""
    if isinstance(value, str) and "@" in value:
        parts = urlsplit(value)
        if parts.username or parts.password:
            return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()
    return value
