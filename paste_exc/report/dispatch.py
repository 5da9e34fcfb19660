"""Report: hand one exception to every configured reporter (the asphalt-exceptions model).

Stage four of the pipeline (catch → collect → format → **report** → respond).
:func:`~paste_exc.respond.reporting.report_exception` (for code that caught an
exception itself), :class:`~paste_exc.errormiddleware.ErrorMiddleware` and the
process-wide handlers share :func:`deliver`, the isolated loop, so extras
providers enrich every report whichever way it was raised.

In a WSGI request the middleware stores an opaque :class:`ReportingHandle` to
its :class:`ReportingConfig` under :data:`ENVIRON_KEY` (opaque, so that a frame
with ``environ`` among its locals shows nothing of the reporters'
configuration); elsewhere the process-wide configuration applies
(:func:`set_process_config`, set by :func:`~paste_exc.process.configure_reporters`).

.. versionadded:: 0.1
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from paste_exc.api import ExceptionReporter, ExtrasProvider
from paste_exc.collect.occurrence import collected_data
from paste_exc.errors import log_failure
from paste_exc.model.occurrence import Occurrence, catch
from paste_exc.redact.saferepr import safe_repr, safe_str
from paste_exc.report.builtin.base import Reporter
from paste_exc.report.delivery import destination

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException

__all__ = [
    "ENVIRON_KEY",
    "HANDLE_REPR",
    "ReportingConfig",
    "ReportingHandle",
    "deliver",
    "describe",
    "gather_extras",
    "get_process_config",
    "set_process_config",
    "stored_reporting",
]

log = logging.getLogger("paste_exc.reporting")

#: The environ key under which the middleware stores its :class:`ReportingHandle`.
ENVIRON_KEY = "paste_exc.reporting"


@dataclass(repr=False)
class ReportingConfig:
    """The reporters and extras providers one report goes to.

    Its ``repr()`` names the reporters and their classes, never their options
    (addresses, file names, SMTP users).

    :param reporters: reporter name → reporter, called in this order
    :param extras_providers: asked, in this order, for each reporter's extras
    """

    reporters: dict[str, ExceptionReporter] = field(default_factory=dict)
    extras_providers: list[ExtrasProvider] = field(default_factory=list)

    def __repr__(self) -> str:
        try:
            names = ", ".join(
                f"{safe_repr(name, 100)}: {type(reporter).__name__}"
                for name, reporter in self.reporters.items()
            )
            count = len(self.extras_providers)
        except Exception:  # noqa: BLE001 (a repr never raises)
            return "<ReportingConfig>"
        return f"<ReportingConfig reporters={{{names}}} extras_providers={count}>"


class _HasReporting(Protocol):
    @property
    def reporting(self) -> ReportingConfig: ...


#: What :class:`ReportingHandle` shows of itself.
HANDLE_REPR = "<paste_exc reporting (configuration not shown)>"


class ReportingHandle:
    """What :class:`~paste_exc.errormiddleware.ErrorMiddleware` stores under :data:`ENVIRON_KEY`.

    It leads :func:`~paste_exc.respond.reporting.report_exception` (called with the environ) to the
    middleware's reporters, and shows nothing: its ``repr()`` and ``str()``
    are :data:`HANDLE_REPR` whatever is configured, so the debug page, the
    text and JSON reports, emails and logs that show a frame's ``environ``
    show no file names, addresses, SMTP users or other options. Copying the
    environ (``copy.deepcopy`` too) copies the handle as the same object.

    .. versionadded:: 0.1

    :param owner: the object whose ``reporting`` attribute is the
        configuration (read at each use, so replacing it takes effect): the
        middleware, which a report made inside its request names as the application's
    """

    __slots__ = ("_owner",)

    def __init__(self, owner: _HasReporting) -> None:
        self._owner = owner

    @property
    def owner(self) -> object:
        """The object this handle leads to (the middleware)."""
        return self._owner

    @property
    def config(self) -> ReportingConfig:
        """The configuration this handle leads to (the process-wide one if unusable)."""
        try:
            config = self._owner.reporting
        except Exception:  # noqa: BLE001 (an owner without one: the process-wide one)
            return _process_config
        return config if isinstance(config, ReportingConfig) else _process_config

    def __repr__(self) -> str:
        return HANDLE_REPR

    __str__ = __repr__

    def __copy__(self) -> ReportingHandle:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> ReportingHandle:
        return self

    def __reduce__(self) -> str | tuple[Any, ...]:
        raise TypeError("a paste_exc reporting handle cannot be pickled")


_process_lock = threading.Lock()


_process_config = ReportingConfig()


def get_process_config() -> ReportingConfig:
    """Return the process-wide configuration (used when *ctx* holds none)."""
    return _process_config


def set_process_config(config: ReportingConfig) -> ReportingConfig:
    """Replace the process-wide configuration and return the one it replaced."""
    global _process_config
    if not isinstance(config, ReportingConfig):
        raise TypeError(f"expected a ReportingConfig, got {type(config).__name__}")
    with _process_lock:
        previous, _process_config = _process_config, config
    return previous


def stored_reporting(ctx: object) -> object:
    """What *ctx* holds under :data:`ENVIRON_KEY` (``None``: nothing, or not a mapping)."""
    if not isinstance(ctx, Mapping):
        return None
    try:
        return ctx.get(ENVIRON_KEY)
    except Exception:  # noqa: BLE001 (a hostile mapping: nothing stored)
        return None


_UNEXPECTED = re.compile(r"unexpected keyword argument '([^']+)'")


# -- delivery ----------------------------------------------------------------


def _merge(target: dict[str, Any], update: Mapping[str, Any]) -> None:
    for key, value in update.items():
        current = target.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            _merge(current, value)
        elif isinstance(value, Mapping):
            target[key] = {}
            _merge(target[key], value)
        else:
            target[key] = value


def describe(obj: object) -> str:
    """*obj* as bounded text for a log line or a failure line; never raises."""
    try:
        return safe_str(obj, limit=500)
    except Exception:  # noqa: BLE001 (describing must never raise)
        return f"<{type(obj).__name__} object>"


def gather_extras(
    ctx: object, reporter: ExceptionReporter, providers: Iterable[ExtrasProvider]
) -> dict[str, object]:
    """Ask every provider for *reporter*'s extras and merge them (later wins).

    A provider that raises or answers with something other than a dict or
    ``None`` is logged and skipped.
    """
    extra: dict[str, object] = {}
    for provider in providers:
        try:
            data: object = provider.get_extras(ctx, reporter)  # type: ignore[arg-type]
            if data is None:
                continue
            if not isinstance(data, dict):
                log.error(
                    "extras provider %s returned %s, not a dict; skipped",
                    type(provider).__name__,
                    type(data).__name__,
                )
                continue
            _merge(extra, data)
        except Exception:  # noqa: BLE001 (logged by log_failure)
            log_failure(log, "extras provider %s failed; skipped", type(provider).__name__)
    return extra


def deliver(
    ctx: object,
    exception: BaseException,
    message: str,
    config: ReportingConfig,
    *,
    exc_data: CollectedException | None = None,
) -> list[str]:
    """Give *exception* to every reporter of *config*, each isolated from the others.

    The reporters run inside one catch of *exception*
    (:func:`paste_exc.model.occurrence.catch`): they get one report, *exc_data*
    when given, else collected once when the first one asks (with the request
    data of the catch when its frames carry none). Never raises but
    :class:`KeyboardInterrupt`: a reporter raising anything else, a
    :class:`BaseException` such as :class:`asyncio.CancelledError` or
    :class:`SystemExit` included, is one failed reporter. Each failure is
    logged on ``paste_exc.reporting``.

    :param exc_data: the report, when the caller has collected it already
    :returns: one line per reporter that failed (empty when all succeeded)
    """
    with catch(exception, report=exc_data) as occurrence:
        return _deliver(ctx, occurrence, message, config)


def _deliver(
    ctx: object, occurrence: Occurrence, message: str, config: ReportingConfig
) -> list[str]:
    exception = occurrence.exception
    failures: list[str] = []
    try:
        items = list(config.reporters.items())
        providers = list(config.extras_providers)
    except Exception:  # noqa: BLE001 (logged by log_failure)
        log_failure(log, "unusable reporting configuration %s", type(config).__name__)
        return ["the reporting configuration is unusable"]
    for name, reporter in items:
        try:
            extra = gather_extras(ctx, reporter, providers)
            # Counted per destination under its name (see paste_exc.report.delivery.stats).
            with destination(str(name)):
                if _takes_reports(reporter):
                    # Collected once for all (inside this catch): the reporter gets the
                    # inert report, never the live exception, its frames or locals.
                    environ = ctx if isinstance(ctx, Mapping) else None
                    report = occurrence.report
                    if report is None:
                        report = collected_data(exception)
                    reporter.report_collected(environ, report, message)
                else:  # a plug-in: asphalt's interface, with the live exception
                    reporter.report_exception(ctx, exception, message, extra)  # type: ignore[arg-type]
        except KeyboardInterrupt:
            raise  # the user stopping the process, not this reporter's outcome
        except BaseException as exc:  # noqa: BLE001 (CancelledError, SystemExit...: logged below)
            line = f"reporter {name!r} ({type(reporter).__name__}) failed: "
            line += f"{type(exc).__name__}: {describe(exc)}"
            try:
                log_failure(log, "reporter %r failed", name)
            except Exception:  # noqa: BLE001 (a broken log handler must not stop the others)
                line += " (and logging the failure failed)"
            failures.append(line)
    return failures


def _takes_reports(reporter: object) -> TypeGuard[Reporter]:
    """Whether *reporter* is a built-in that takes the collected report.

    A subclass that overrides ``report_exception`` (:class:`CapturingReporter`,
    which keeps the live exception for tests on purpose, or a user's own) is
    called through it, as a plug-in is.
    """
    return (
        isinstance(reporter, Reporter)
        and type(reporter).report_exception is Reporter.report_exception
    )
