"""Settings: Pulumi config first, then the environment; clear errors for what is missing."""

from __future__ import annotations

import pytest

from pulumi_jsmops.api.config import load_settings
from pulumi_jsmops.errors import ConfigurationError

ENV = ("JSMOPS_BASE_URL", "JSMOPS_CLOUD_ID", "JSMOPS_EMAIL", "JSMOPS_API_TOKEN", "JSMOPS_SITE_URL", "JSMOPS_TIMEOUT",
       "JSMOPS_MAX_RETRIES", "JSMOPS_BACKOFF_FACTOR", "JSMOPS_BACKOFF_MAX", "JSMOPS_MAX_CONCURRENCY")


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


REQUIRED = {"jsmops:cloudId": "c", "jsmops:email": "e@example.com", "jsmops:apiToken": "t0ken-value"}


def test_a_missing_cloud_id_is_named_with_how_to_set_it() -> None:
    with pytest.raises(ConfigurationError) as missing:
        load_settings({"jsmops:email": "e@example.com", "jsmops:apiToken": "t"}.get)
    assert str(missing.value) == (
        "jsmops:cloudId is not set; run `pulumi config set jsmops:cloudId <value>` "
        "or set the environment variable JSMOPS_CLOUD_ID"
    )


@pytest.mark.parametrize("url", ["not a url", "api.atlassian.com", "ftp://api.atlassian.com", "https://", "http:///x",
                                 "https://api.atlassian.com/?x=1"])
def test_a_malformed_base_url_is_refused(url) -> None:
    with pytest.raises(ConfigurationError) as invalid:
        load_settings({**REQUIRED, "jsmops:baseUrl": url}.get)
    message = str(invalid.value)
    assert message.startswith("jsmops:baseUrl is invalid: must be an http(s) URL with ")
    assert f"(got {url!r})" in message and "JSMOPS_BASE_URL" in message


def test_http_base_urls_with_a_host_are_taken() -> None:
    assert load_settings({**REQUIRED, "jsmops:baseUrl": "http://127.0.0.1:8080"}.get).api_root == (
        "http://127.0.0.1:8080/jsm/ops/api/c")


@pytest.mark.parametrize("key, value, reason", [
    ("timeout", "soon", "must be a number"),
    ("timeout", "0", "must be more than 0"),
    ("maxRetries", "2.5", "must be a whole number"),
    ("maxRetries", "-1", "must be at least 0"),
    ("backoffMax", "0", "must be more than 0"),
    ("maxConcurrency", "0", "must be at least 1"),
    ("maxConcurrency", "many", "must be a whole number"),
])
def test_bad_numbers_are_named_in_plain_words(key, value, reason) -> None:
    with pytest.raises(ConfigurationError) as invalid:
        load_settings({**REQUIRED, f"jsmops:{key}": value}.get)
    assert str(invalid.value).startswith(f"jsmops:{key} is invalid: {reason} (got {value!r}); run `pulumi config set")


def test_max_concurrency_defaults_to_10_and_is_read() -> None:
    assert load_settings(REQUIRED.get).max_concurrency == 10
    assert load_settings({**REQUIRED, "jsmops:maxConcurrency": "32"}.get).max_concurrency == 32


def test_several_problems_are_reported_together_and_never_show_the_token() -> None:
    with pytest.raises(ConfigurationError) as invalid:
        load_settings({"jsmops:apiToken": "", "jsmops:email": "e", "jsmops:baseUrl": "nope"}.get)
    message = str(invalid.value)
    assert "jsmops:baseUrl is invalid" in message and "jsmops:cloudId is not set" in message
    assert "jsmops:apiToken is not set" in message


def test_an_invalid_token_value_is_not_echoed() -> None:
    with pytest.raises(ConfigurationError) as invalid:
        load_settings({**REQUIRED, "jsmops:apiToken": 12345}.get)
    assert "12345" not in str(invalid.value)


def test_credentials_in_the_base_url_are_refused_and_not_echoed() -> None:
    with pytest.raises(ConfigurationError) as invalid:
        load_settings({**REQUIRED, "jsmops:baseUrl": "https://me:s3cret@api.atlassian.com"}.get)
    assert "jsmops:baseUrl is invalid: must not hold credentials" in str(invalid.value)
    assert "s3cret" not in str(invalid.value) and "https://***@api.atlassian.com" in str(invalid.value)


@pytest.mark.parametrize(("url", "says"), [
    ("http://127.0.0.1:18080/jsm/ops/api/local/v1", "set it to http://127.0.0.1:18080 (the part before /jsm/ops/api/), "
                                                    "and jsmops:cloudId to local"),
    ("https://proxy.example.com/atlassian/jsm/ops/api/", "set it to https://proxy.example.com/atlassian (the part"),
])
def test_the_apis_own_address_as_base_url_says_what_to_set(url: str, says: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_settings({"jsmops:baseUrl": url, "jsmops:cloudId": "c", "jsmops:email": "e", "jsmops:apiToken": "t"}.get)
    assert "jsmops:baseUrl is invalid: is the API's address, not the site's: " + says in str(refused.value)


SITES = {"jsmops:sites": '{"eu": {"cloudId": "c-eu", "email": "eu@example.com", "apiToken": "eu-t0ken", '
                         '"timeout": 5, "siteUrl": "https://eu.atlassian.net"}, "us": {"cloudId": "c-us"}}',
         **REQUIRED}


def test_a_site_takes_its_own_keys_and_the_defaults(monkeypatch) -> None:
    """The engine and the program hand `jsmops:sites` over as JSON text, secrets in clear."""
    monkeypatch.setenv("JSMOPS_BASE_URL", "http://127.0.0.1:1")
    settings = load_settings(SITES.get, "eu")
    assert (settings.site, settings.cloud_id, settings.email, settings.timeout) == ("eu", "c-eu", "eu@example.com", 5)
    assert settings.api_token.get_secret_value() == "eu-t0ken" and "eu-t0ken" not in repr(settings)
    assert settings.base_url == "https://api.atlassian.com"  # the default: neither jsmops:* nor the environment
    assert settings.site_root == "https://eu.atlassian.net"
    assert load_settings(SITES.get).site is None and load_settings(SITES.get).cloud_id == "c"


def test_a_site_lacking_a_key_names_it_and_never_borrows_it(monkeypatch) -> None:
    monkeypatch.setenv("JSMOPS_API_TOKEN", "env-token")
    with pytest.raises(ConfigurationError) as missing:
        load_settings(SITES.get, "us")
    assert str(missing.value) == (
        "jsmops:sites.us.email is not set; run `pulumi config set --path 'jsmops:sites.us.email' <value>`; "
        "jsmops:sites.us.apiToken is not set; run `pulumi config set --secret --path 'jsmops:sites.us.apiToken' "
        "<value>`")


def test_an_unknown_site_is_named_with_the_sites_the_config_has() -> None:
    with pytest.raises(ConfigurationError, match=r"^site 'apac' is not in jsmops:sites \(its sites: 'eu', 'us'\)"):
        load_settings(SITES.get, "apac")
    with pytest.raises(ConfigurationError, match=r"^site 'eu' is not in jsmops:sites \(the stack config has no "
                                                 r"jsmops:sites\)"):
        load_settings(REQUIRED.get, "eu")


@pytest.mark.parametrize("sites", ['"eu"', '{"eu": "c-eu"}', "[1]", "{not json"])
def test_sites_that_are_not_an_object_of_objects_are_refused(sites: str) -> None:
    with pytest.raises(ConfigurationError, match="^jsmops:sites must be an object of sites, each an object"):
        load_settings({**REQUIRED, "jsmops:sites": sites}.get, "eu")


def test_a_missing_site_url_is_named_when_a_lookup_needs_it() -> None:
    with pytest.raises(ConfigurationError, match=r"^jsmops:siteUrl is not set .*JSMOPS_SITE_URL$"):
        _ = load_settings(REQUIRED.get).site_root
    with pytest.raises(ConfigurationError, match=r"^jsmops:sites.us.siteUrl is not set"):
        _ = load_settings({**SITES, "jsmops:sites": '{"us": {"cloudId": "c", "email": "e", "apiToken": "t"}}'}.get,
                          "us").site_root
