"""The API token out of every message, in every encoding a service may echo it in.

Some proxies and gateways answer with the request's `Authorization` header in their error
(`could not verify 'Basic YWRtaW5A…'`: base64 of `email:token`), cut off or not, and in
whatever encoding they keep it. Every message of this package passes `redact`: each error
as it is made (`errors.JsmOpsError`) and each log line of ours (`RedactingFilter` on our
log handlers). The client registers the credentials it sends (`protect`).

What is replaced with `[redacted]`, for the token alone and for `email:token`:

- the text in clear, in base64 and in base64url (padded or not, of its UTF-8 or Latin-1
  bytes), each as it is, percent-encoded (hex digits in either case) or JSON-escaped
  (`/` as `\\/` too);
- any cut-off start of those that holds at least `MIN_REVEALED` characters of the token
  (the email alone is no secret);
- after `Basic`, any start of the base64 of `email:token`, however short.

A form whose revealing start is shorter than `MIN_REVEALED` characters is not looked for:
it would match all over (a test's token `t`); no API token is that short.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from os.path import commonprefix  # of any strings, character by character
from typing import NamedTuple, Optional
from urllib.parse import quote

REDACTED = "[redacted]"
MIN_REVEALED = 8  # characters of the token that a cut-off echo must hold to be redacted

_BASIC = re.compile(r"\bbasic(?:\s+|%20|\+)([A-Za-z0-9+/_-]+)", re.IGNORECASE)


class _Form(NamedTuple):
    """A secret as it may be written: `text`, whose first `revealing` characters already
    reveal the token, then maybe `padding` (base64's, as escaped)."""

    text: str
    revealing: int
    padding: str


_lock = threading.Lock()
_forms: frozenset[_Form] = frozenset()
_basic_values: frozenset[str] = frozenset()  # base64 and base64url of `email:token`, unpadded


def protect(email: str, token: str) -> None:
    """From now on, `redact` removes this token, alone and as `email:token`, from any text."""
    global _forms, _basic_values
    if not token:
        return
    credentials, revealed = f"{email}:{token}", token[:MIN_REVEALED]
    forms = {*_forms_of(token, revealed), *_forms_of(credentials, f"{email}:{revealed}")}
    basic = {encoded.rstrip("=") for encode in _BASE64 if (encoded := encode(credentials))}
    with _lock:
        _forms, _basic_values = _forms | forms, _basic_values | basic


def redact(text: str) -> str:
    """`text` with every protected secret, in every form above, replaced by `[redacted]`."""
    forms, basic_values = _forms, _basic_values  # one read each: `protect` may run meanwhile
    spans = [span for form in forms for span in _occurrences(text, form)]
    for found in _BASIC.finditer(text):
        value = found.group(1)
        if any(secret.startswith(value) or value.startswith(secret) for secret in basic_values):
            spans.append(found.span(1))
    return _replaced(text, spans) if spans else text


class RedactingFilter(logging.Filter):
    """Redacts each log record's message (its arguments merged in) before a handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _occurrences(text: str, form: _Form) -> Iterator[tuple[int, int]]:
    """The spans of `text` that are the form (with its padding, if any) or a start of it
    long enough to reveal the token."""
    probe = form.text[: form.revealing]
    at = text.find(probe)
    while at >= 0:
        end = at + len(commonprefix([text[at:], form.text]))
        if end - at == len(form.text):
            end += len(commonprefix([text[end:], form.padding]))
        yield at, end
        at = text.find(probe, end)


def _replaced(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the spans (merged where they overlap) replaced by `[redacted]`."""
    pieces, done = [], 0
    for start, end in sorted(spans):
        if start >= done:
            pieces += [text[done:start], REDACTED]
        done = max(done, end)
    return "".join(pieces) + text[done:]


Encoding = Callable[[str], Optional[str]]  # None: the text cannot be encoded so


def _base64_of(charset: str, encode: Callable[[bytes], bytes]) -> Encoding:
    def write(text: str) -> Optional[str]:
        try:
            return encode(text.encode(charset)).decode("ascii")
        except UnicodeEncodeError:
            return None

    return write


def _json_escaped(text: str) -> str:
    return json.dumps(text)[1:-1]


_BASE64: tuple[Encoding, ...] = tuple(
    _base64_of(charset, encode)
    for charset in ("utf-8", "latin-1")
    for encode in (base64.b64encode, base64.urlsafe_b64encode)
)
_ESCAPES: tuple[Callable[[str], str], ...] = (
    lambda text: text,
    lambda text: quote(text, safe=""),
    lambda text: re.sub("%[0-9A-F]{2}", lambda code: code.group().lower(), quote(text, safe="")),
    _json_escaped,
    lambda text: _json_escaped(text).replace("/", "\\/"),
)


def _forms_of(secret: str, revealing_start: str) -> Iterator[_Form]:
    """`secret` in clear or base64, each escaped every way; `revealing_start` is its shortest
    start that reveals the token."""
    for encode in ((lambda text: text), *_BASE64):
        whole, start = encode(secret), encode(revealing_start)
        if whole is None or start is None:
            continue
        for escape in _ESCAPES:
            text, padded = escape(whole.rstrip("=")), escape(whole)
            revealing = len(commonprefix([text, escape(start)]))
            if revealing >= MIN_REVEALED:
                yield _Form(text, revealing, padded[len(text):])
