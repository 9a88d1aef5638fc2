"""What the dynamic provider of every resource of this package shares.

`JsmOpsProvider` runs in the provider process that the Pulumi engine starts. An instance
serialized into the state holds nothing: credentials are read by `configure` (stack config,
then the environment) when the engine starts the provider, and the API client is made on
first use, so `check` and `diff` (all a `pulumi preview` of an unchanged stack needs) make
no request. Besides: the user's inputs as the engine hands them, values not known yet,
check failures, the URN of the request, and reading the API's answers as models.

Sites: a resource's `site` input names a site of the stack config's `jsmops:sites`, whose
settings reach it (a client per site); without one, the `jsmops:*` settings. The state holds
the name only (an input and output of its own, `SITE`), never the site's settings.

The stack program imports this module (for the class it serializes) on every preview and
up, but only the provider process runs its methods: they import the models, pydantic and
the HTTP client where they need them, which keeps `import pulumi_jsmops` light.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterable, Mapping, Optional, TypeVar

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider
from pulumi.dynamic.dynamic import PROVIDER_KEY  # the SDK's key of the serialized provider
from pulumi.runtime import rpc

from ..errors import ConfigurationError, InvalidResponseError, JsmOpsError
from ..redaction import RedactingFilter

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from ..api.client import Client

__all__ = ["PROVIDER_KEY", "ROTATION_ORDER", "SITE", "AnswerReader", "JsmOpsProvider", "check_failures",
           "has_unknowns", "is_unknown", "request_urn", "rotation_order", "show_changed_paths", "site_of",
           "user_inputs", "with_order", "with_site", "without_site"]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
SITE = "site"  # the input (and output) naming a resource's site in `jsmops:sites`
# A schedule's input: its rotations' names in the order the program declares them (the
# engine keeps rotations keyed by name, in no order). Only reports use it (`jsmops impact`
# draws and lists rotations so); it decides nothing, and previews hide keys starting `__`.
ROTATION_ORDER = "__rotation_order"
Json = dict[str, Any]
Model = TypeVar("Model", bound="BaseModel")


class JsmOpsProvider(ResourceProvider):
    """A provider of this package's resources: its settings, its client, its logging."""

    # Holds no secret (see the module docstring), so the state keeps it readable.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        self._config_get: Callable[[str], Any] = req.config.get
        _set_up_logging()
        from .host import install

        install(req.config.get)  # the SDK's host: workers up to jsmops:maxConcurrency, our errors as they are

    @property
    def config_get(self) -> Callable[[str], Any]:
        """Reads the stack config (`jsmops:<key>`); nothing before `configure`."""
        return getattr(self, "_config_get", lambda key: None)

    def client(self, site: Optional[str] = None) -> "Client":
        """The client of a site of `jsmops:sites` (None: of the `jsmops:*` settings), made on first use."""
        from ..api.client import Client
        from ..api.config import load_settings

        # The engine calls a provider from several threads.
        with _client_lock:
            clients: dict[Optional[str], Client] = getattr(self, "_clients", None) or {}
            self._clients = clients
            if site not in clients:
                clients[site] = Client(load_settings(self.config_get, site))
            return clients[site]

    def settings_failure(self, site: Any = None) -> Optional[CheckFailure]:
        """The failure of a site name or settings that are missing or invalid, for `check`: they
        fail the preview, not only the up (nothing is sent). A site not known yet is not checked."""
        from ..api.config import load_settings

        if is_unknown(site):
            return None
        if site is not None and not (isinstance(site, str) and site.strip()):
            return CheckFailure("", f"{SITE}: must be the name of a site in jsmops:sites (got {site!r})")
        try:
            load_settings(self.config_get, site)
        except ConfigurationError as exc:
            return CheckFailure("", f"{'provider configuration' if site is None else SITE}: {exc}")
        return None


_client_lock = threading.Lock()


def user_inputs(props: dict[str, Any]) -> dict[str, Any]:
    """A resource's properties as the user gave them: without the provider and the declared
    order of rotations (top-level keys only: deeper, `__provider` is a key like any other, say
    a rotation's name in a state refreshed by an earlier version), and with properties set to None left out at every
    level (None means "not set")."""

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: prune(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [prune(v) for v in value]
        return value

    return {key: prune(value) for key, value in props.items()
            if value is not None and key not in (PROVIDER_KEY, ROTATION_ORDER)}


def rotation_order(props: Mapping[str, Any]) -> tuple[str, ...]:
    """The rotations' names in the order the program declares them; () when not given
    (a state written before it was kept, or refreshed)."""
    order = props.get(ROTATION_ORDER)
    return tuple(order) if isinstance(order, list) and all(isinstance(name, str) for name in order) else ()


def with_order(data: dict[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """Checked inputs with the declared order of `props` (the program's), when it gives one."""
    order = rotation_order(props)
    return {**data, ROTATION_ORDER: list(order)} if order else data


def site_of(props: dict[str, Any]) -> Optional[str]:
    """The site a resource's inputs or outputs name; None for the `jsmops:*` settings (and in states
    written before sites existed)."""
    site = props.get(SITE)
    return site if isinstance(site, str) else None


def without_site(props: dict[str, Any]) -> dict[str, Any]:
    """A resource's inputs or outputs without the site, as the models take them."""
    return {key: value for key, value in props.items() if key != SITE}


def with_site(data: dict[str, Any], site: Any) -> dict[str, Any]:
    """Inputs or outputs with the site, when one is named (states without one stay as they were)."""
    return data if site is None else {**data, SITE: site}


def is_unknown(value: Any) -> bool:
    """Whether a value is one not known yet (during a preview). The SDK hands them to the
    provider as `pulumi.output.Unknown` objects; older ones as the string `rpc.UNKNOWN`."""
    from pulumi.output import Unknown

    return isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN)


def has_unknowns(value: Any) -> bool:
    """Whether a value holds values not known yet, at any depth."""
    from ..api.models import holds_unknown

    return holds_unknown(value, is_unknown)


def check_failures(problems: Iterable[tuple[str, str]]) -> list[CheckFailure]:
    """(field path, reason) pairs as check failures. The engine prints a failure as
    "resource '<name>' has a problem: <reason>" when it names no property; with a property
    it adds that property's top-level value (maybe a secret), so none is named."""
    return [CheckFailure("", f"{path}: {reason}") for path, reason in problems]


def request_urn() -> Optional[str]:
    """The URN of the resource whose request this thread serves (`host.current_urn`)."""
    from .host import current_urn

    return current_urn()


def show_changed_paths(paths: Mapping[str, str]) -> None:
    """Hands the engine, with the Diff this thread serves, the property paths that change and
    how (`host.add_detailed_diff`): the preview prints those only."""
    from .host import record_changed_paths

    record_changed_paths(paths)


class AnswerReader(Generic[Model]):
    """Reads the API's answers to one change as models, each answer once: the test handed
    to the client (`where`, for an answer it reads back after a lost one) and the caller
    (`model`, for the answer the client returns, which is the last one tested) share it."""

    def __init__(self, parse: Callable[[Json], Model]):
        self._parse = parse
        self._last: Optional[tuple[Json, Optional[Model], Optional[ValidationError]]] = None

    def __call__(self, answer: Json) -> Optional[Model]:
        """The answer as a model; None when it is not one."""
        return self._read(answer)[0]

    def where(self, test: Callable[[Model], bool]) -> Callable[[Json], bool]:
        """A test of answers: whether one reads as a model that passes `test`."""

        def answer_passes(answer: Json) -> bool:
            model = self(answer)
            return model is not None and test(model)

        return answer_passes

    def model(self, answer: Json, method: str, path: str) -> Model:
        """The answer as a model, or an error naming the call and what cannot be read."""
        from ..api.models import validation_problems

        model, error = self._read(answer)
        if model is None:
            problems = "; ".join(f"{where}: {reason}" for where, reason in validation_problems(error)) if error else ""
            raise InvalidResponseError(method, path, f"the answer cannot be read ({problems})")
        return model

    def _read(self, answer: Json) -> tuple[Optional[Model], Optional[ValidationError]]:
        from pydantic import ValidationError

        if self._last is None or self._last[0] is not answer:
            try:
                self._last = (answer, self._parse(answer), None)
            except ValidationError as exc:
                self._last = (answer, None, exc)
        return self._last[1], self._last[2]


def _set_up_logging() -> None:
    """Our log lines (JSMOPS_LOG_LEVEL, default WARNING) go to stderr, redacted (see
    `redaction`), which the engine shows with -v or on failure. The gRPC server would add a
    Python traceback to each of our own errors, whose message already says all the engine
    shows; those are dropped."""
    ours = logging.getLogger("pulumi_jsmops")
    if not ours.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("jsmops: %(levelname)s %(message)s"))
        handler.addFilter(RedactingFilter())
        ours.addHandler(handler)
        wanted = os.environ.get("JSMOPS_LOG_LEVEL", "WARNING").strip().upper()
        ours.setLevel(wanted if wanted in LOG_LEVELS else "WARNING")
        ours.propagate = False
        if wanted not in LOG_LEVELS:
            ours.warning("JSMOPS_LOG_LEVEL=%r is not a log level (%s); using WARNING",
                         os.environ["JSMOPS_LOG_LEVEL"], ", ".join(LOG_LEVELS))
        logging.getLogger("grpc._server").addFilter(
            lambda record: not (record.exc_info and isinstance(record.exc_info[1], JsmOpsError))
        )
