"""The API token leaves no message, in any encoding a service may echo it in (issue 18.5).

The credentials here give base64 with `+`, `/` and padding, and a token that
percent-encoding changes, so that each encoding is a different text.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
from urllib.parse import quote

import pytest

from pulumi_jsmops.api.client import Client
from pulumi_jsmops.errors import (
    ApiError,
    AuthenticationError,
    CallError,
    ConfigurationError,
    InvalidResponseError,
    TransportError,
    UnknownOutcomeError,
    api_error,
)
from pulumi_jsmops.redaction import MIN_REVEALED, REDACTED, RedactingFilter, protect, redact
from testkit.emulator_process import Emulator
from testkit.stub_server import Stub

EMAIL, TOKEN = "ops@example.com", "T0k????>>n-secret"
CREDENTIALS = f"{EMAIL}:{TOKEN}"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def percent_lower(text: str) -> str:
    return re.sub("%[0-9A-F]{2}", lambda code: code.group().lower(), quote(text, safe=""))


HEADER = f"Basic {b64(CREDENTIALS)}"
assert {"+", "/"} <= set(b64(CREDENTIALS)) and {"+", "/", "="} <= set(b64(TOKEN))  # the encodings differ
assert quote(TOKEN, safe="") != TOKEN

# Echoed text -> what a message shows of it.
ECHOES = {
    "token": (TOKEN, REDACTED),
    "token percent-encoded": (quote(TOKEN, safe=""), REDACTED),
    "token percent-encoded, lower-case hex": (percent_lower(TOKEN), REDACTED),
    "token JSON-escaped": (json.dumps(TOKEN), f'"{REDACTED}"'),
    "token base64": (b64(TOKEN), REDACTED),
    "token base64 without padding": (b64(TOKEN).rstrip("="), REDACTED),
    "token base64url": (b64url(TOKEN), REDACTED),
    "token base64, percent-encoded": (quote(b64(TOKEN), safe=""), REDACTED),
    "email:token": (CREDENTIALS, REDACTED),
    "email:token percent-encoded": (quote(CREDENTIALS, safe=""), REDACTED),
    "Authorization header": (HEADER, f"Basic {REDACTED}"),
    "Authorization header percent-encoded": (quote(HEADER, safe=""), f"Basic%20{REDACTED}"),
    "Authorization header, lower-case hex": (percent_lower(HEADER), f"Basic%20{REDACTED}"),
    "headers as JSON": (json.dumps({"Authorization": HEADER}), json.dumps({"Authorization": f"Basic {REDACTED}"})),
    "headers as JSON, / escaped": (json.dumps({"Authorization": HEADER}).replace("/", "\\/"),
                                   json.dumps({"Authorization": f"Basic {REDACTED}"})),
    "email:token base64url": (b64url(CREDENTIALS), REDACTED),
    "email:token base64url without padding": (b64url(CREDENTIALS).rstrip("="), REDACTED),
    "header cut in the email": (HEADER[:14] + "…", f"Basic {REDACTED}…"),
    "header cut in the token": (HEADER[:40] + "...", f"Basic {REDACTED}..."),
}


@pytest.fixture(autouse=True, scope="module")
def protected() -> None:
    protect(EMAIL, TOKEN)


@pytest.mark.parametrize("echoed, shown", ECHOES.values(), ids=ECHOES.keys())
def test_every_encoding_is_redacted(echoed: str, shown: str) -> None:
    assert redact(f"could not verify '{echoed}' (try again)") == f"could not verify '{shown}' (try again)"


def test_a_cut_off_token_is_redacted_once_it_reveals_enough() -> None:
    for size in range(MIN_REVEALED, len(TOKEN) + 1):
        assert redact(f"token {TOKEN[:size]}…") == f"token {REDACTED}…"
    assert redact(f"token {TOKEN[:MIN_REVEALED - 1]}…") == f"token {TOKEN[:MIN_REVEALED - 1]}…"


def test_every_cut_off_base64_of_the_credentials_is_redacted() -> None:
    encoded = b64(CREDENTIALS)
    for size in range(1, len(encoded) + 1):  # after "Basic", however short
        assert redact(f"could not verify 'Basic {encoded[:size]}…'") == f"could not verify 'Basic {REDACTED}…'"
    # Without "Basic" in front: once it holds MIN_REVEALED characters of the token.
    reveals = len(b64(f"{EMAIL}:{TOKEN[:MIN_REVEALED]}").rstrip("="))
    for size in range(reveals, len(encoded) + 1):
        assert REDACTED in redact(f"header {encoded[:size]}")


@pytest.mark.parametrize("text", [
    f"user {EMAIL} may not do this", "Basic authentication failed", "GET /jsm/ops/api/local/v1/schedules",
    f"Basic {b64('someone@example.com:other')}", TOKEN[: MIN_REVEALED - 1],
])
def test_other_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_a_token_too_short_to_be_one_is_redacted_only_within_the_credentials() -> None:
    protect("short@example.com", "t0k")
    assert redact("the token t0k is short") == "the token t0k is short"
    assert redact(f"could not verify {b64('short@example.com:t0k')}") == f"could not verify {REDACTED}"


def test_errors_are_redacted_as_they_are_made() -> None:
    titles = [f"could not verify '{HEADER}'", f"token {TOKEN}"]
    denied = api_error(401, "GET", "/v1/schedules", titles)
    assert isinstance(denied, AuthenticationError)
    assert denied.titles == [f"could not verify 'Basic {REDACTED}'", f"token {REDACTED}"]
    assert str(denied) == ("GET /v1/schedules failed with 401 (the email or API token is not valid; check "
                           f"jsmops:email and jsmops:apiToken): could not verify 'Basic {REDACTED}'; token {REDACTED}")
    made = [
        CallError("POST", "/v1/schedules", f"echo {TOKEN}"),
        InvalidResponseError("GET", "/v1/schedules", f"not JSON: '{quote(HEADER, safe='')}'"),
        UnknownOutcomeError("PATCH", "/v1/schedules/s", f"{denied.reason}; read back"),
        TransportError("GET", "/v1/schedules", f"reset by {b64url(CREDENTIALS)}", sent=True),
        ConfigurationError(f"jsmops:apiToken {TOKEN} is wrong"),
        ApiError(599, "GET", "/", [percent_lower(TOKEN)]),
    ]
    for error in made:
        told = str(error) + repr(error.args) + getattr(error, "reason", "")
        assert REDACTED in told and not leaks(told), told


def test_log_lines_are_redacted_by_the_filter() -> None:
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("pulumi_jsmops.test_redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("outcome unknown (%s); sent %s", f"could not verify '{HEADER}'", {"token": TOKEN})
    finally:
        logger.removeHandler(handler)
    assert written.getvalue() == (
        f"outcome unknown (could not verify 'Basic {REDACTED}'); sent {{'token': '{REDACTED}'}}\n")


def test_what_the_service_echoes_never_leaves_the_client(client_for, emulator: Emulator) -> None:
    """The emulator echoes the request's own Authorization header, as some gateways do, in
    every form it has; a stub answers with it in a body that is not JSON."""
    client = client_for(emulator)
    forms = ["header", "header-cut", "header-percent", "headers-json", "token", "base64url"]
    emulator.add_fault(method="GET", action="status", status=401, echo=forms)
    with pytest.raises(AuthenticationError) as denied:
        client.get_schedule("any")
    message = str(denied.value)
    shown = [f"Basic {REDACTED}", f"Basic {REDACTED}…", f"Basic%20{REDACTED}",
             json.dumps({"Authorization": f"Basic {REDACTED}"}), REDACTED, REDACTED]
    assert message.endswith("injected fault: HTTP 401; " + "; ".join(f"could not verify '{text}'" for text in shown))
    assert not leaks(message, *emulator.admin_auth), message

    header = "Basic " + base64.b64encode(":".join(emulator.admin_auth).encode()).decode()
    stub = Stub(lambda *_: (502, {"Content-Type": "text/html"}, f"<p>bad gateway for {header}</p>".encode()))
    try:
        with Client(client.settings.model_copy(update={"base_url": stub.base_url, "max_retries": 0})) as through_stub:
            with pytest.raises(ApiError) as failed:
                through_stub.get_schedule("any")
    finally:
        stub.stop()
    assert f"<p>bad gateway for Basic {REDACTED}</p>" in str(failed.value)


def leaks(text: str, email: str = EMAIL, token: str = TOKEN) -> list[str]:
    """The writings of the credentials (or their revealing starts) that `text` holds."""
    credentials = f"{email}:{token}"
    secrets = [token, credentials]
    written = {encode(secret) for secret in secrets
               for encode in (str, b64, b64url, lambda s: b64(s).rstrip("="), lambda s: b64url(s).rstrip("="))}
    written |= {escaped for text in set(written) for escaped in (quote(text, safe=""), percent_lower(text))}
    found = [piece for piece in written if piece in text]
    return found + [piece for piece in (token[:MIN_REVEALED], b64(credentials)[:8]) if piece in text]
