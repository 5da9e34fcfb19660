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

from paste_exc._records import field_text, report_fields
from paste_exc.api import ExceptionReporter
from paste_exc.backends import import_sdk, resolve_reference
from paste_exc.backends._context import pick_extras, request_headers
from paste_exc.backends._scrub import default_redactor, scrub
from paste_exc.errors import ConfigError

if TYPE_CHECKING:
    import sentry_sdk

    from paste_exc.redact import Redactor

__all__ = ["SentryReporter"]

log = logging.getLogger("paste_exc.backends.sentry")

Event = dict[str, Any]
Hint = dict[str, Any]
BeforeSend = Callable[[Event, Hint], Event | None]

#: Keyword arguments extras may hold (those of ``capture_exception``).
SCOPE_KEYWORDS = frozenset({"user", "level", "extras", "contexts", "tags", "fingerprint"})
#: Tag names carrying our codes, so Sentry issues and our pages can be matched.
TAG_CODE = "paste_exc.identification_code"
TAG_OCCURRENCE = "paste_exc.occurrence_id"
#: Tag names of the other fields of the header line (set when known).
TAG_TIME = "paste_exc.time"
TAG_METHOD = "paste_exc.request_method"
TAG_URL = "paste_exc.request_url"


class SentryReporter(ExceptionReporter):
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
    Before the user's ``before_send`` runs, paste_exc's redaction is applied to
    the request, the extras and the frames' local variables.

    :param integrations: integration objects, ``module:Class`` references, or
        ``{"type": "module:Class", "args": [...], "kwargs": {...}}``
    :param before_send: a callable or a ``module:name`` reference, called after
        our redaction
    :param before_breadcrumb: a callable or a ``module:name`` reference, called
        after our redaction of the breadcrumb's message and data
    :param global_client: also make the client Sentry's global one (as
        :func:`sentry_sdk.init` does), so the application's own
        ``sentry_sdk.capture_*`` calls use it
    :param redactor: the :class:`~paste_exc.redact.Redactor` to apply (default:
        :data:`paste_exc.redact.default_redactor`)
    :param options: any other option of :func:`sentry_sdk.init`
    :raises ConfigError: an option is unknown to the SDK or has a bad value
    :raises ImportError: ``sentry_sdk`` is not installed
    """

    def __init__(
        self,
        integrations: Iterable[object] | str = (),
        before_send: BeforeSend | str | None = None,
        before_breadcrumb: Callable[..., Any] | str | None = None,
        *,
        global_client: bool = False,
        redactor: Redactor | None = None,
        **options: Any,
    ) -> None:
        sdk = import_sdk("sentry_sdk", "sentry")
        self._sdk = sdk
        self.redactor = redactor if redactor is not None else default_redactor()
        user_before_send = resolve_reference(before_send, option="before_send")
        if user_before_send is not None and not callable(user_before_send):
            raise ConfigError("before_send", f"{before_send!r} is not callable")
        self._user_before_send: BeforeSend | None = user_before_send
        breadcrumb = resolve_reference(before_breadcrumb, option="before_breadcrumb")
        if breadcrumb is not None and not callable(breadcrumb):
            raise ConfigError("before_breadcrumb", f"{before_breadcrumb!r} is not callable")
        self._user_before_breadcrumb: Callable[..., Any] | None = breadcrumb
        options = _coerce_options(sdk, options)
        options.setdefault("environment", "development" if __debug__ else "production")
        options["integrations"] = _build_integrations(sdk, integrations)
        options["before_send"] = self._before_send
        options["before_breadcrumb"] = self._before_breadcrumb
        self.client: sentry_sdk.Client = _make_client(sdk, options)
        if global_client:
            sdk.get_global_scope().set_client(self.client)

    # -- reporting ----------------------------------------------------------

    def report_exception(
        self,
        ctx: Mapping[str, Any] | None,
        exception: BaseException,
        message: str,
        extra: dict[str, Any],
    ) -> None:
        """Capture *exception* on this reporter's client (see the class docstring)."""
        from paste_exc.collector import collected_data

        exc_data = collected_data(exception)
        kwargs = pick_extras(extra, SCOPE_KEYWORDS, "Sentry", log)
        request = _request_info(ctx, exc_data.request_url)
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
            scope.set_context(
                "paste_exc",
                {
                    "message": message,
                    **fields,
                    "identification_code": exc_data.identification_code,
                    "occurrence_id": exc_data.occurrence_id,
                },
            )

            def add_details(event: Event, hint: Hint) -> Event:
                event.setdefault("message", message)
                if request is not None:
                    event.setdefault("request", request)
                return event

            scope.add_event_processor(add_details)
            scope.capture_exception(exception, **kwargs)

    def _before_send(self, event: Event, hint: Hint) -> Event | None:
        for key in ("request", "extra", "user"):
            if key in event:
                event[key] = scrub(event[key], self.redactor)
        crumbs = event.get("breadcrumbs")
        if isinstance(crumbs, dict) and isinstance(crumbs.get("values"), list):
            crumbs["values"] = [self._scrub_crumb(crumb) for crumb in crumbs["values"]]
        for value in (event.get("exception") or {}).get("values") or ():
            for frame in (value.get("stacktrace") or {}).get("frames") or ():
                if isinstance(frame.get("vars"), dict):
                    frame["vars"] = scrub(frame["vars"], self.redactor)
        if self._user_before_send is not None:
            return self._user_before_send(event, hint)
        return event

    def _scrub_crumb(self, crumb: Any) -> Any:
        if not isinstance(crumb, dict):
            return crumb
        if isinstance(crumb.get("message"), str):
            crumb["message"] = self.redactor.redact_text(crumb["message"])
        if "data" in crumb:
            crumb["data"] = scrub(crumb["data"], self.redactor)
        return crumb

    def _before_breadcrumb(self, crumb: Any, hint: Any) -> Any:
        crumb = self._scrub_crumb(crumb)
        if self._user_before_breadcrumb is not None:
            return self._user_before_breadcrumb(crumb, hint)
        return crumb

    # -- lifecycle ----------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> None:
        """Wait up to *timeout* seconds for queued events to be sent."""
        self.client.flush(timeout=timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Flush for up to *timeout* seconds, then shut the client's transport down."""
        self.client.close(timeout=timeout)


#: Options whose default is ``None`` in the SDK, by the type an ini string becomes.
_NONE_DEFAULT_TYPES: dict[str, type] = {
    "send_default_pii": bool,
    "debug": bool,
    "keep_alive": bool,
    "traces_sample_rate": float,
    "profiles_sample_rate": float,
    "profile_session_sample_rate": float,
    "max_value_length": int,
}
#: Options that take a callable, so a string is a ``module:name`` reference.
_CALLABLE_OPTIONS = frozenset(
    {
        "traces_sampler",
        "profiles_sampler",
        "error_sampler",
        "before_send_transaction",
        "before_send_log",
        "before_send_metric",
        "before_send_span",
        "custom_repr",
    }
)


def _coerce_options(sdk: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Turn ini strings into the types the SDK's options take."""
    from paste_exc.config import asbool, asint, aslist

    defaults: Mapping[str, object] = import_sdk("sentry_sdk.consts", "sentry").DEFAULT_OPTIONS
    result: dict[str, Any] = {}
    for name, value in options.items():
        if isinstance(value, str):
            default = defaults.get(name)
            kind = _NONE_DEFAULT_TYPES.get(name, type(default))
            if name in _CALLABLE_OPTIONS:
                value = resolve_reference(value, option=name)
            elif kind is bool:
                value = asbool(value, name)
            elif kind is int:
                value = asint(value, name)
            elif kind is float:
                try:
                    value = float(value)
                except ValueError:
                    raise ConfigError(name, f"expected a number, got {value!r}") from None
            elif kind in (list, frozenset):
                value = aslist(value, name)
        result[name] = value
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
        integrations = integrations.replace(",", " ").split()
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


def _request_info(ctx: object, url: str | None) -> dict[str, Any] | None:
    """Describe the WSGI request of *ctx* in Sentry's ``request`` shape."""
    if not isinstance(ctx, Mapping) or not isinstance(ctx.get("REQUEST_METHOD"), str):
        return None
    try:
        from wsgiref.util import request_uri

        if url is None:
            url = request_uri(ctx, include_query=False)  # type: ignore[arg-type]
        headers = request_headers(ctx)
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if ctx.get(key):
                headers[key.replace("_", "-").title()] = str(ctx[key])
        cookies = {}
        for part in str(ctx.get("HTTP_COOKIE", "")).split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name:
                cookies[name] = value
        return {
            "method": ctx["REQUEST_METHOD"],
            "url": url,
            "query_string": str(ctx.get("QUERY_STRING", "")),
            "headers": headers,
            "cookies": cookies,
            "env": {
                k: str(ctx[k]) for k in ("REMOTE_ADDR", "SERVER_NAME", "SERVER_PORT") if k in ctx
            },
        }
    except Exception:
        log.exception("could not describe the request for Sentry")
        return None
