"""Report: the Sentry backend (``backend = sentry``; ``pip install 'paste_exc[sentry]'``).

Stage four of the pipeline (catch → collect → format → **report** → respond).
:class:`SentryReporter` builds its own :class:`sentry_sdk.Client` from the
options :func:`sentry_sdk.init` takes and sends each report through it. The
SDK's transport sends in its own background thread, so the caller never waits
for the network.

.. versionadded:: 0.1
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from paste_exc.config.convert import asbool, aslist
from paste_exc.config.reporters import coerce_sentry_options
from paste_exc.errors import ConfigError, log_failure
from paste_exc.format.records import field_text
from paste_exc.model.values import report_fields
from paste_exc.report.registry import import_sdk, resolve_reference
from paste_exc.report.sdk.context import SDKReport, SDKReporter, body_headers, cookie_names
from paste_exc.report.sdk.scrub import PayloadRedactor, pick_redactor

if TYPE_CHECKING:
    import sentry_sdk

    from paste_exc.model.request import RequestInfo
    from paste_exc.redact.engine import Redactor

__all__ = ["SentryReporter"]

log = logging.getLogger("paste_exc.backends.sentry")

Event = dict[str, Any]
Hint = dict[str, Any]
BeforeSend = Callable[[Event, Hint], Event | None]

#: Keyword arguments extras may hold (those of ``capture_exception``).
SCOPE_KEYWORDS = frozenset({"user", "level", "extras", "contexts", "tags", "fingerprint"})
#: The SDK's last hook for each kind of payload → the kind, for messages.
#: Each is chained with the user's: our redaction, the user's hook, ours again.
PAYLOAD_HOOKS: dict[str, str] = {
    "before_send": "event",
    "before_breadcrumb": "breadcrumb",
    "before_send_transaction": "transaction",
    "before_send_log": "log",
    "before_send_metric": "metric",
    "before_send_span": "span",
}
#: What is sent instead of a payload that could not be redacted, where the SDK
#: cannot drop it (a streamed span keeps its original when the hook gives ``None``).
UNREDACTABLE: dict[str, dict[str, Any]] = {"span": {"name": "[REDACTED]", "attributes": {}}}
#: Tag names carrying our codes, so Sentry issues and our pages can be matched.
TAG_CODE = "paste_exc.identification_code"
TAG_OCCURRENCE = "paste_exc.occurrence_id"
#: Tag names of the other fields of the header line (set when known).
TAG_TIME = "paste_exc.time"
TAG_METHOD = "paste_exc.request_method"
TAG_URL = "paste_exc.request_url"


class SentryReporter(SDKReporter):
    """Send reports to Sentry.

    Every keyword option goes to :class:`sentry_sdk.Client` (the options of
    :func:`sentry_sdk.init`); ``environment`` defaults to ``development`` or
    ``production`` after ``__debug__``. The extras of providers become the
    keyword arguments of ``capture_exception`` (``tags``, ``user``,
    ``contexts``, ``extras``, ``level``, ``fingerprint``).

    Each event carries the message (as the event's ``message`` and in the
    ``paste_exc`` context) and the identification code and occurrence id (as
    the tags ``paste_exc.identification_code`` and ``paste_exc.occurrence_id``),
    and the time (UTC, ISO 8601), request method and URL of the report's header
    line (tags ``paste_exc.time``, ``paste_exc.request_method``,
    ``paste_exc.request_url``; all five fields also in the ``paste_exc`` context).

    Every payload the client sends (events, breadcrumbs, and transactions,
    logs, metrics and streamed spans where the SDK has them) passes paste_exc's redaction
    whole, in the SDK's last hook before sending: first our redaction, then
    your hook (so it sees redacted data), then our redaction again (so nothing
    your hook adds leaves unredacted). A payload that cannot be redacted is
    not sent.

    :param integrations: integration objects, ``module:Class`` references, or
        ``{"type": "module:Class", "args": [...], "kwargs": {...}}``
    :param before_send: a callable or a ``module:name`` reference, called
        between our two redactions; returning ``None`` drops the event
    :param before_breadcrumb: a callable or a ``module:name`` reference, called
        between our two redactions of each breadcrumb
    :param global_client: also make the client Sentry's global one (as
        :func:`sentry_sdk.init` does), so the application's own
        ``sentry_sdk.capture_*`` calls use it (and are redacted too)
    :param redactor: the :class:`~paste_exc.redact.Redactor` to apply, or a
        ``module:name`` reference to one (default:
        :data:`paste_exc.redact.default_redactor`, the one paste_exc's own
        outputs use)
    :param options: any other option of :func:`sentry_sdk.init`;
        ``before_send_transaction``, ``before_send_log``,
        ``before_send_metric`` and ``before_send_span`` are chained as
        ``before_send`` is
    :raises ConfigError: an option is unknown to the SDK or has a bad value
    :raises ImportError: ``sentry_sdk`` is not installed
    """

    service = "Sentry"
    accepted_extras = SCOPE_KEYWORDS
    log = log

    def __init__(
        self,
        integrations: Iterable[object] | str = (),
        before_send: BeforeSend | str | None = None,
        before_breadcrumb: Callable[..., object] | str | None = None,
        *,
        global_client: bool | str = False,
        redactor: Redactor | str | None = None,
        **options: object,
    ) -> None:
        global_client = asbool(global_client, "global_client")
        sdk = import_sdk("sentry_sdk", "sentry")
        self._sdk = sdk
        self.redactor: Redactor = pick_redactor(redactor)
        self._payload_redactor = PayloadRedactor(self.redactor)
        defaults: Mapping[str, object] = import_sdk("sentry_sdk.consts", "sentry").DEFAULT_OPTIONS
        options = _coerce_options(options)
        options["before_send"] = before_send
        options["before_breadcrumb"] = before_breadcrumb
        experiments = options.get("_experiments")
        if isinstance(experiments, Mapping):  # where older SDKs took the newer hooks
            experiments = options["_experiments"] = dict(experiments)
            for name in PAYLOAD_HOOKS:
                if name in experiments and options.get(name) is None:
                    options[name] = experiments.pop(name)
        for name, kind in PAYLOAD_HOOKS.items():
            if name not in options and name not in defaults:
                continue  # an SDK version without this kind of payload
            if kind == "span" and options.get(name) is None and not _streams_spans(options):
                continue  # spans go in transactions (the SDK warns of this hook otherwise)
            user_hook = resolve_reference(options.get(name), option=name)
            if user_hook is not None and not callable(user_hook):
                raise ConfigError(name, f"{options.get(name)!r} is not callable")
            options[name] = self._chain(kind, user_hook)
        options.setdefault("environment", "development" if __debug__ else "production")
        options["integrations"] = _build_integrations(sdk, integrations)
        self.client: sentry_sdk.Client = _make_client(sdk, options)
        if global_client:
            sdk.get_global_scope().set_client(self.client)

    # -- reporting ----------------------------------------------------------

    def send_report(self, report: SDKReport) -> None:
        """Capture the exception on this reporter's client (see the class docstring)."""
        exc_data, message = report.exc_data, report.message
        request = _request_info(report.request)
        with self._sdk.new_scope() as scope:
            scope.set_client(self.client)
            scope.set_tag(TAG_CODE, exc_data.identification_code)
            scope.set_tag(TAG_OCCURRENCE, exc_data.occurrence_id)
            fields = report_fields(exc_data)
            if fields["request_url"]:
                fields["request_url"] = self.redactor.redact_text(fields["request_url"])
            for tag, name in (
                (TAG_TIME, "time"),
                (TAG_METHOD, "request_method"),
                (TAG_URL, "request_url"),
            ):
                value = fields[name]
                if value is not None:
                    scope.set_tag(tag, field_text(value)[:200])
            scope.set_context("paste_exc", report.custom_data(fields))

            def add_details(event: Event, hint: Hint) -> Event:
                event.setdefault("message", message)
                if request is not None:
                    known = event.get("request")
                    if isinstance(known, dict):  # an integration's wins, key by key
                        for key, value in request.items():
                            known.setdefault(key, value)
                    else:
                        event["request"] = request
                return event

            scope.add_event_processor(add_details)
            scope.capture_exception(report.exception, **report.kwargs)

    # -- redaction: ours first (your hooks see redacted data) and last ------

    def _redact(self, kind: str, payload: Any) -> Any:
        """Return *payload* redacted, or ``None`` (dropped) when redaction fails."""
        if payload is None:
            return None
        try:
            return self._payload_redactor.redact(payload)
        except Exception:  # noqa: BLE001 (logged by log_failure)
            # Fail closed: what we could not redact is not sent.
            log_failure(log, "could not redact a Sentry %s; it is not sent", kind)
            blank = UNREDACTABLE.get(kind)
            return dict(blank) if blank is not None else None

    def _chain(self, kind: str, user_hook: Callable[..., Any] | None) -> Callable[..., Any]:
        """Our redaction, then *user_hook* (if any), then our redaction again."""

        def hook(payload: Any, hint: Any) -> Any:
            payload = self._redact(kind, payload)
            if payload is None or user_hook is None:
                return payload
            return self._redact(kind, user_hook(payload, hint))

        hook.__name__ = f"paste_exc_{kind}"
        return hook

    # -- lifecycle ----------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> None:
        """Wait up to *timeout* seconds for queued events to be sent."""
        self.client.flush(timeout=timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Flush for up to *timeout* seconds, then shut the client's transport down."""
        self.client.close(timeout=timeout)


#: Options that take a callable, so a string is a ``module:name`` reference.
_CALLABLE_OPTIONS = frozenset(
    {
        "traces_sampler",
        "profiles_sampler",
        "error_sampler",
        "custom_repr",
    }
)


def _streams_spans(options: Mapping[str, Any]) -> bool:
    """Whether the SDK sends spans one by one (``trace_lifecycle = stream``)."""
    if options.get("trace_lifecycle") is not None:
        return bool(options.get("trace_lifecycle") == "stream")
    experiments = options.get("_experiments")
    return isinstance(experiments, Mapping) and experiments.get("trace_lifecycle") == "stream"


def _coerce_options(options: dict[str, object]) -> dict[str, object]:
    """Turn ini strings into the types the SDK's options take (see ``coerce_sentry_options``)."""
    defaults: Mapping[str, object] = import_sdk("sentry_sdk.consts", "sentry").DEFAULT_OPTIONS
    plain = {name: value for name, value in options.items() if name not in _CALLABLE_OPTIONS}
    result = coerce_sentry_options(plain, defaults)
    for name in _CALLABLE_OPTIONS & options.keys():
        result[name] = resolve_reference(options[name], option=name)
    return result


def _make_client(sdk: Any, options: dict[str, Any]) -> sentry_sdk.Client:
    try:
        client: sentry_sdk.Client = sdk.Client(**options)
    except TypeError as exc:  # "Unknown option 'x'"
        text = str(exc)
        name = text.split("'")[1] if text.count("'") >= 2 else "options"
        raise ConfigError(name, f"not an option of sentry_sdk.init ({text})") from exc
    except Exception as exc:  # BadDsn and friends
        if type(exc).__name__ == "BadDsn":
            raise ConfigError("dsn", f"not a valid Sentry DSN: {exc}") from exc
        raise ConfigError("options", f"sentry_sdk rejected the options: {exc}") from exc
    return client


def _build_integrations(sdk: Any, integrations: Iterable[object] | str | None) -> list[Any]:
    base = import_sdk("sentry_sdk.integrations", "sentry").Integration
    if integrations is None:
        return []
    if isinstance(integrations, str):
        integrations = aslist(integrations, "integrations")
    result = []
    for index, spec in enumerate(integrations):
        option = f"integrations[{index}]"
        args: Iterable[object] = ()
        kwargs: Mapping[str, object] = {}
        if isinstance(spec, Mapping):
            unknown = set(spec) - {"type", "args", "kwargs"}
            if unknown or "type" not in spec:
                raise ConfigError(option, "expected {'type': 'module:Class', 'args', 'kwargs'}")
            target = resolve_reference(spec["type"], option=f"{option}.type")
            args, kwargs = spec.get("args", ()), spec.get("kwargs", {})
            if isinstance(args, str) or not isinstance(args, Iterable):
                raise ConfigError(f"{option}.args", "expected a list")
            if not isinstance(kwargs, Mapping):
                raise ConfigError(f"{option}.kwargs", "expected a mapping")
        else:
            target = resolve_reference(spec, option=option)
        if isinstance(target, type):
            try:
                target = target(*args, **kwargs)
            except Exception as exc:
                raise ConfigError(option, f"cannot create {target.__name__}: {exc}") from exc
        if not isinstance(target, base):
            raise ConfigError(option, f"{spec!r} is not a Sentry integration")
        result.append(target)
    return result


def _request_info(request: RequestInfo | None) -> dict[str, Any] | None:
    """Describe the request in Sentry's ``request`` shape, from its :class:`RequestInfo`.

    The request data is already redacted (secret-named headers and query
    parameters, every cookie's value); the whole payload is redacted again
    before it is sent.
    """
    if request is None:
        return None
    env = {"REMOTE_ADDR": request.client_address} if request.client_address is not None else {}
    if request.server_name:
        env["SERVER_NAME"] = request.server_name
    if request.server_port:
        env["SERVER_PORT"] = request.server_port
    return {
        "method": request.method,
        "url": request.url.partition("?")[0],  # the query string apart, as Sentry's shape has it
        "query_string": request.query_string,
        "headers": body_headers(request),
        "cookies": cookie_names(request),
        "env": env,
    }
