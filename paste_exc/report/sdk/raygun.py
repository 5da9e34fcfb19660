"""Report: the Raygun backend (``backend = raygun``; ``pip install 'paste_exc[raygun]'``).

Stage four of the pipeline (catch → collect → format → **report** → respond).
:class:`RaygunReporter` sends through :mod:`raygun4py`'s ``RaygunSender``, on
the background queue of :mod:`paste_exc.report.delivery`, so the caller never waits
for Raygun (asphalt-exceptions sent synchronously).

.. versionadded:: 0.1
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any, cast

from paste_exc.config.convert import aslist
from paste_exc.config.reporters import RAYGUN_OPTIONS, coerce_options
from paste_exc.errors import ConfigError
from paste_exc.format.formatter import format_text
from paste_exc.report.delivery import Job, get_dispatcher
from paste_exc.report.registry import import_sdk, resolve_reference
from paste_exc.report.sdk.context import SDKReport, SDKReporter
from paste_exc.report.sdk.scrub import MAX_DEPTH, PayloadRedactor, pick_redactor

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException
    from paste_exc.model.request import RequestInfo
    from paste_exc.redact.engine import Redactor

__all__ = ["RaygunReporter"]

log = logging.getLogger("paste_exc.backends.raygun")

#: Options of ``RaygunSender`` (snake_case; raygun4py's camelCase spellings work too).
SENDER_OPTIONS = frozenset(
    {
        "before_send_callback",
        "grouping_key_callback",
        "filtered_keys",
        "ignored_exceptions",
        "proxy",
        "transmit_global_variables",
        "transmit_local_variables",
        "enforce_payload_size_limit",
        "log_payload_size_limit_breaches",
        "transmit_environment_variables",
        "userversion",
        "user",
        "http_timeout",
        "endpointprotocol",
        "endpointhost",
        "endpointpath",
    }
)
#: Keyword arguments of ``send_exception`` that extras may hold.
SEND_KEYWORDS = frozenset(
    {"tags", "userCustomData", "httpRequest", "user_override", "extra_environment_data"}
)
#: Options whose default differs from raygun4py's: environment variables and
#: module globals hold secrets, so they are sent only when asked for.
#: Seconds the whole HTTP delivery of one report may take (``http_timeout``).
DEFAULT_HTTP_TIMEOUT = 10.0

SAFE_DEFAULTS: dict[str, object] = {
    "transmit_environment_variables": False,
    "transmit_global_variables": False,
}


def _snake(name: str) -> str:
    import re

    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z0-9])([A-Z])", r"\1_\2", name).lower()


class RaygunReporter(SDKReporter):
    """Send reports to Raygun, off the caller's thread.

    Keyword options go to ``raygun4py``'s ``RaygunSender`` as its config
    (``endpointprotocol``, ``endpointhost`` and ``endpointpath`` set where it
    sends). Unlike raygun4py, environment variables and globals are not sent
    unless ``transmit_environment_variables`` / ``transmit_global_variables``
    are true. Local variables are sent.

    The whole payload passes paste_exc's redaction in raygun4py's last hook
    (``before_send_callback``): the error's message, class, stack trace (file
    names, source lines, local variables) and globals, its inner errors, the
    request, the custom data, the tags, the user and the environment. First
    our redaction, then your callback (so it sees redacted data), then ours
    again (so nothing your callback adds leaves unredacted).

    The extras of providers become the keyword arguments of
    ``send_exception`` (``tags``, ``userCustomData``, ``httpRequest``,
    ``user_override``, ``extra_environment_data``). Each report also carries
    the tags ``paste_exc:<identification code>`` and the custom data
    ``paste_exc`` (``message``, ``identification_code``, ``occurrence_id``, and
    ``time``, ``request_method``, ``request_url`` as in the header line of the
    text reports).

    :param api_key: the application's Raygun API key
    :param redactor: the :class:`~paste_exc.redact.Redactor` to apply, or a
        ``module:name`` reference to one (default:
        :data:`paste_exc.redact.default_redactor`, the one paste_exc's own
        outputs use)
    :param config: ``RaygunSender`` options; callables
        (``before_send_callback``, ``grouping_key_callback``) and
        ``ignored_exceptions`` items may be ``module:name`` references
    :raises ConfigError: an option is unknown or has a bad value
    :raises ImportError: ``raygun4py`` is not installed
    """

    service = "Raygun"
    accepted_extras = SEND_KEYWORDS
    log = log

    def __init__(
        self, api_key: str, *, redactor: Redactor | str | None = None, **config: object
    ) -> None:
        provider = import_sdk("raygun4py.raygunprovider", "raygun")
        if not isinstance(api_key, str) or not api_key:
            raise ConfigError("api_key", "expected a non-empty string")
        self.redactor: Redactor = pick_redactor(redactor)
        self._payload_redactor = PayloadRedactor(self.redactor, to_plain=_jsonable)
        given: dict[str, object] = dict(SAFE_DEFAULTS)
        for key, value in config.items():
            name = _snake(key)
            if name not in SENDER_OPTIONS:
                raise ConfigError(
                    key, "not a RaygunSender option; valid: " + ", ".join(sorted(SENDER_OPTIONS))
                )
            given[name] = value
        given.setdefault("http_timeout", DEFAULT_HTTP_TIMEOUT)
        options = coerce_options(RAYGUN_OPTIONS, given)
        options["grouping_key_callback"] = _callable_option(
            options.get("grouping_key_callback"), "grouping_key_callback"
        )
        self._user_before_send: Callable[[dict[str, Any]], Any] | None = _callable_option(
            options.get("before_send_callback"), "before_send_callback"
        )
        options["before_send_callback"] = self._before_send
        options["ignored_exceptions"] = [
            resolve_reference(item, option="ignored_exceptions")
            for item in _ignored(options.get("ignored_exceptions"))
        ]
        self.sender = provider.RaygunSender(api_key, options)

    def send_report(self, report: SDKReport) -> None:
        """Queue the report on the delivery dispatcher (see the class docstring)."""
        exc_data, exception, message = report.exc_data, report.exception, report.message
        kwargs = report.kwargs
        tags = kwargs.get("tags")
        kwargs["tags"] = [*(tags if isinstance(tags, list) else []), _tag(exc_data)]
        custom = kwargs.get("userCustomData")
        kwargs["userCustomData"] = {
            **(custom if isinstance(custom, dict) else {}),
            "paste_exc": report.custom_data(),
        }
        if "httpRequest" not in kwargs:
            request = _request_info(report.request)
            if request is not None:
                kwargs["httpRequest"] = request
        # Take the traceback now: it grows if the exception propagates further.
        exc_info = (type(exception), exception, exception.__traceback__)
        ctx = report.ctx
        fallback = ctx.get("wsgi.errors") if isinstance(ctx, Mapping) else None

        def send() -> None:
            result = self.sender.send_exception(exc_info=exc_info, **kwargs)
            if result is not None and not 200 <= result[0] < 300:
                raise RuntimeError(f"Raygun answered {result[0]}: {str(result[1])[:200]}")

        get_dispatcher().submit(
            Job(
                deliver=send,
                describe=lambda: _describe(exc_data, message),
                name="raygun",
                fallback=cast("IO[str]", fallback) if hasattr(fallback, "write") else None,
            )
        )

    def _before_send(self, details: dict[str, Any]) -> dict[str, Any] | None:
        """raygun4py's last hook: our redaction, the user's callback, ours again.

        A failure of our redaction raises: nothing is sent, and the job's
        failure writes our own (redacted) text report to the fallback stream.
        """
        details = self._redact(details)
        if self._user_before_send is None:
            return details
        result: dict[str, Any] | None = self._user_before_send(details)
        return None if result is None else self._redact(result)

    def _redact(self, details: dict[str, Any]) -> dict[str, Any]:
        try:
            result: dict[str, Any] = {}
            for key, value in details.items():
                if key == "error" and hasattr(value, "__dict__"):
                    _redact_error(value, self._payload_redactor)
                    result[key] = value
                else:
                    result[key] = self._payload_redactor.redact(value, key)
            return result
        except Exception as exc:
            raise RuntimeError(f"could not redact the Raygun payload, not sent: {exc!r}") from exc


def _ignored(value: object) -> Iterable[object]:
    """``ignored_exceptions``: classes or ``module:name`` references, a list or an ini string."""
    if value is None or isinstance(value, str):
        return aslist(value, "ignored_exceptions")
    if not isinstance(value, Iterable):
        raise ConfigError("ignored_exceptions", f"expected a list, got {type(value).__name__}")
    return value


def _callable_option(value: object, option: str) -> Callable[..., Any] | None:
    target = resolve_reference(value, option=option)
    if target is not None and not callable(target):
        raise ConfigError(option, f"{value!r} is not callable")
    return target


def _tag(exc_data: CollectedException) -> str:
    return f"paste_exc:{exc_data.identification_code}"


def _jsonable(value: object) -> object:
    """Turn an object into the JSON data raygun4py would send for it (jsonpickle's form)."""
    import json

    from raygun4py import utilities

    return json.loads(utilities.encode_jsonpickle(value))


def _redact_error(error: object, payload: PayloadRedactor) -> None:
    """Redact a ``RaygunErrorMessage`` and its inner errors, every attribute, in place.

    The objects stay (raygun4py trims an oversized payload through their
    methods); each attribute becomes the redacted JSON form it is sent as.
    """
    depth = 0
    while error is not None and hasattr(error, "__dict__"):
        inner = None
        for name, value in list(vars(error).items()):
            if name == "innerError":
                inner = value
            elif depth >= MAX_DEPTH:
                setattr(error, name, None)
            else:
                setattr(error, name, payload.redact(value, name))
        if depth >= MAX_DEPTH:
            error.innerError = None  # type: ignore[attr-defined]
            return
        error, depth = inner, depth + 1


def _request_info(request: RequestInfo | None) -> dict[str, Any] | None:
    """Describe the request in Raygun's ``httpRequest`` shape, from its :class:`RequestInfo`.

    Built here rather than by raygun4py, which would read the request body
    from ``wsgi.input``.
    """
    if request is None:
        return None
    return {
        "httpMethod": request.method,
        "url": request.path_info,
        "hostName": request.host,
        "iPAddress": request.client_address or "",
        "queryString": dict(request.query),
        "headers": dict(request.headers),
        "form": None,
        "rawData": None,
    }


def _describe(exc_data: CollectedException, message: str) -> str:
    """The text written to the fallback stream when the report cannot be sent."""
    try:
        body = format_text(exc_data)
    except Exception:  # noqa: BLE001 (the short form below still says what failed)
        body = f"{exc_data.exception_type}: {exc_data.exception_value}"
    return f"{message}\n{body}"
