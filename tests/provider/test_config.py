"""Settings: Pulumi config first, then the environment; clear errors for what is missing."""

from __future__ import annotations

import pytest

from pulumi_jsmops.config import load_settings
from pulumi_jsmops.errors import ConfigurationError

ENV = ("JSMOPS_BASE_URL", "JSMOPS_CLOUD_ID", "JSMOPS_EMAIL", "JSMOPS_API_TOKEN", "JSMOPS_TIMEOUT")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def test_config_wins_over_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("JSMOPS_CLOUD_ID", "from-env")
    monkeypatch.setenv("JSMOPS_EMAIL", "env@example.com")
    monkeypatch.setenv("JSMOPS_API_TOKEN", "env-token")
    config = {"jsmops:cloudId": "from-config", "jsmops:timeout": "5"}
    settings = load_settings(config.get)
    assert (settings.cloud_id, settings.email, settings.timeout) == ("from-config", "env@example.com", 5.0)
    assert settings.base_url == "https://api.atlassian.com"
    assert settings.api_root == "https://api.atlassian.com/jsm/ops/api/from-config"
    assert "env-token" not in repr(settings)


def test_a_missing_setting_says_how_to_set_it() -> None:
    with pytest.raises(ConfigurationError) as missing:
        load_settings({"jsmops:cloudId": "c", "jsmops:email": "e@example.com"}.get)
    message = str(missing.value)
    assert "jsmops:apiToken is not set" in message
    assert "pulumi config set --secret jsmops:apiToken" in message and "JSMOPS_API_TOKEN" in message
    assert "cloudId" not in message


def test_an_invalid_setting_is_named(monkeypatch) -> None:
    monkeypatch.setenv("JSMOPS_TIMEOUT", "soon")
    with pytest.raises(ConfigurationError, match="jsmops:timeout is invalid"):
        load_settings({"jsmops:cloudId": "c", "jsmops:email": "e", "jsmops:apiToken": "t"}.get)
