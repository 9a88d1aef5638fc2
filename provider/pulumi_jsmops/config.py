"""Client settings, read from Pulumi config (`jsmops:<key>`) with the environment as fallback."""

from __future__ import annotations

import os
from typing import Any, Callable, Optional

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from .errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.atlassian.com"

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
    backoff_max: float = Field(30.0, gt=0)

    @property
    def api_root(self) -> str:
        """The root every API path hangs from, e.g. https://api.atlassian.com/jsm/ops/api/<cloud>."""
        return f"{self.base_url.rstrip('/')}/jsm/ops/api/{self.cloud_id}"


def how_to_set(field: str) -> str:
    key, env, secret = _SOURCES[field]
    flag = " --secret" if secret else ""
    return f"run `pulumi config set{flag} jsmops:{key} <value>` or set the environment variable {env}"


def load_settings(config_get: Callable[[str], Any] = lambda key: None) -> Settings:
    """Settings from `config_get("jsmops:<key>")`, falling back to the environment.

    Raises ConfigurationError naming the missing or invalid setting and how to set it.
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
            what = "is not set" if error["type"] == "missing" else f"is invalid ({error['msg']})"
            problems.append(f"jsmops:{_SOURCES[field][0]} {what}: {how_to_set(field)}")
        raise ConfigurationError("; ".join(problems)) from None
