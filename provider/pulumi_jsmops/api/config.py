"""Client settings, read from Pulumi config (`jsmops:<key>`) with the environment as fallback."""

from __future__ import annotations

import os
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from ..errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.atlassian.com"
API_PATH = "/jsm/ops/api/"  # below the base URL, before the cloud id

# field -> (Pulumi config key, environment variable, is secret)
_SOURCES: dict[str, tuple[str, str, bool]] = {
    "base_url": ("baseUrl", "JSMOPS_BASE_URL", False),
    "cloud_id": ("cloudId", "JSMOPS_CLOUD_ID", False),
    "email": ("email", "JSMOPS_EMAIL", False),
    "api_token": ("apiToken", "JSMOPS_API_TOKEN", True),
    "timeout": ("timeout", "JSMOPS_TIMEOUT", False),
    "max_retries": ("maxRetries", "JSMOPS_MAX_RETRIES", False),
    "backoff_factor": ("backoffFactor", "JSMOPS_BACKOFF_FACTOR", False),
    "backoff_max": ("backoffMax", "JSMOPS_BACKOFF_MAX", False),
    "max_concurrency": ("maxConcurrency", "JSMOPS_MAX_CONCURRENCY", False),
}


class Settings(BaseModel):
    """How to reach the API. `api_token` is a SecretStr: it never shows in repr or logs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = DEFAULT_BASE_URL
    cloud_id: str = Field(min_length=1)
    email: str = Field(min_length=1)
    api_token: SecretStr
    timeout: float = Field(30.0, gt=0, description="seconds to connect, and to wait for an answer")
    max_retries: int = Field(5, ge=0)
    backoff_factor: float = Field(0.5, ge=0)
    backoff_max: float = Field(30.0, gt=0, description="the longest wait between attempts, Retry-After included")
    max_concurrency: int = Field(10, ge=1, description="calls at a time: pooled connections, provider workers")

    @field_validator("base_url")
    @classmethod
    def _is_http_url(cls, url: str) -> str:
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


def how_to_set(field: str) -> str:
    key, env, secret = _SOURCES[field]
    flag = " --secret" if secret else ""
    return f"run `pulumi config set{flag} jsmops:{key} <value>` or set the environment variable {env}"


def load_settings(config_get: Callable[[str], Any] = lambda key: None) -> Settings:
    """Settings from `config_get("jsmops:<key>")`, falling back to the environment.

    Raises ConfigurationError naming each missing or invalid setting and how to set it;
    it makes no request, so the provider's `check` can call it at preview.
    """
    values: dict[str, Any] = {}
    for field, (key, env, _) in _SOURCES.items():
        value: Optional[Any] = config_get(f"jsmops:{key}")
        if value in (None, ""):
            value = os.environ.get(env) or None
        if value is not None:
            values[field] = value
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0])
            if error["type"] == "missing":
                what = "is not set"
            else:
                shown = "" if _SOURCES[field][2] else f" (got {_without_credentials(values.get(field))!r})"
                what = f"is invalid: {_plain(error['type'], error['msg'], error.get('ctx') or {})}{shown}"
            problems.append(f"jsmops:{_SOURCES[field][0]} {what}; {how_to_set(field)}")
        raise ConfigurationError("; ".join(problems)) from None


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
