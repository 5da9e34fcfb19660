"""Building error responses that cannot fail, and reporting through the configured reporters.

Part of the respond stage. :class:`Responder` holds what every entry shares (the
WSGI :class:`~paste_exc.errormiddleware.ErrorMiddleware`, the
:class:`~paste_exc.respond.asgi.middleware.ASGIErrorMiddleware` and
:func:`~paste_exc.errormiddleware.handle_exception`): the settings, the
reporters, and the steps collect → decide → report → render, each guarded.
The steps know no transport: they take the request's
:class:`~paste_exc.model.request.RequestInfo` and what only the transport can
tell (a :class:`LiveRequest`: whether the live request's cookie holds the debug
token, where the server's error log is, the context the reporters get). The
environ-based wrappers are WSGI's (:mod:`paste_exc.respond.wsgi.responder`).
When a step fails (a hostile object, a broken template, a full disk), the client
still gets :data:`~paste_exc.respond.fallback.STATIC_BODY` and the secondary
failure is written with the original error to the error log.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from paste_exc.collect.occurrence import collected_data
from paste_exc.errors import ConfigError
from paste_exc.format.documents import (
    RenderedPage,
    render_appended,
    render_debug_page,
    render_fragment,
    render_problem,
    render_safe_page,
    render_short_text,
)
from paste_exc.format.formatter import format_text
from paste_exc.format.headers import CONTENT_TYPES, Headers, response_headers, security_headers
from paste_exc.format.records import (
    error_notice,
    one_line,
    record_text,
    with_header,
)
from paste_exc.model.options import CollectOptions, collect_options
from paste_exc.model.report import CollectedException
from paste_exc.model.request import RequestInfo
from paste_exc.redact.saferepr import safe_str
from paste_exc.report.building import build_extras_providers, build_reporters
from paste_exc.report.builtin.base import Reporter
from paste_exc.report.builtin.paste import EmailReporter, LogReporter, reporters_from_options
from paste_exc.report.dispatch import ReportingConfig, ReportingHandle, deliver
from paste_exc.respond.access import note_withheld
from paste_exc.respond.fallback import STATUS_500, emergency_text, static_response, write_errors
from paste_exc.respond.negotiate import Rendering, choose_rendering, debug_allowed

if TYPE_CHECKING:
    from paste_exc.api import ExceptionReporter
    from paste_exc.config.settings import MiddlewareSettings

__all__ = ["LiveRequest", "Responder"]

log = logging.getLogger("paste_exc.errormiddleware")


_PASTE_NAMES: Final[Mapping[type, str]] = {EmailReporter: "email", LogReporter: "log"}


#: The renderings that show the report to the client.
_SHOWN: Final = frozenset(
    {Rendering.DEBUG_PAGE, Rendering.FRAGMENT, Rendering.PROBLEM_DEBUG, Rendering.TEXT_DEBUG}
)


@dataclass(frozen=True, slots=True, repr=False)
class LiveRequest:
    """What the steps need of a failing request beyond its data: what only the transport knows.

    :param request: the request's data, read once for its catch
    :param ctx: what reporters and extras providers get: the WSGI environ, the
        ASGI scope (``None`` outside a request)
    :param stream: the server's error log (WSGI's ``wsgi.errors``; for ASGI,
        :data:`sys.stderr`): Paste's lines and the secondary failures go there
    :param holds_token: whether the live request's cookie holds the debug
        token (the cookie is a secret: no ``RequestInfo`` keeps it); ``None``
        when it could not be read (a hostile request: the safe page, no debug)
    """

    request: RequestInfo
    ctx: Mapping[str, object] | None
    stream: object
    holds_token: bool | None

    def __repr__(self) -> str:
        # A frame's locals may show it: nothing of the request beyond its URL.
        return f"<LiveRequest {self.request.url!r}>"


class Responder:
    """The guarded collect → report → render steps, configured once.

    :param settings: the resolved options
    :raises paste_exc.errors.ConfigError: when a reporter, provider or template is invalid
    """

    def __init__(self, settings: MiddlewareSettings) -> None:
        self.settings = settings
        #: The token that unlocks debug output (set by the middleware when debug is on).
        self.debug_token: str | None = None
        reporters: dict[str, ExceptionReporter] = {}
        paste_reporters: list[ExceptionReporter] = list(
            reporters_from_options(
                error_email=list(settings.error_email),
                error_log=settings.error_log,
                from_address=settings.from_address,
                smtp_server=settings.smtp_server,
                smtp_username=settings.smtp_username,
                smtp_password=settings.smtp_password,
                smtp_use_tls=settings.smtp_use_tls,
                subject_prefix=settings.error_subject_prefix,
            )
        )
        for reporter in paste_reporters:
            reporters[_PASTE_NAMES.get(type(reporter), type(reporter).__name__)] = reporter
        for name, reporter in build_reporters(settings.reporters).items():
            if name in reporters:
                raise ConfigError(f"reporters.{name}", "this name is taken by a Paste option")
            reporters[name] = reporter
        for reporter in reporters.values():
            # max_page_size is the size budget of every output, reports included.
            if isinstance(reporter, Reporter):
                reporter.default_size_budget(settings.max_page_size)
        providers = build_extras_providers(list(settings.extras_providers))
        self.reporting = ReportingConfig(reporters=reporters, extras_providers=providers)
        #: What the environ gets under ``paste_exc.reporting``: opaque (see
        #: :class:`~paste_exc.report.dispatch.ReportingHandle`).
        self.reporting_handle = ReportingHandle(self)
        # How much source every collection of a catch keeps, where the application ends.
        self.collect_options = CollectOptions(
            context_lines=settings.context_lines,
            app_packages=settings.app_packages,
            library_paths=settings.library_paths,
        )
        if settings.error_template is not None:
            # Load and render it once now, so a broken template fails at start-up.
            render_safe_page(CollectedException(), template_file=settings.error_template)
        if settings.debug and settings.debug_allow_everyone:
            log.warning(
                "debug_allow = *: every client can see debug pages with source code, "
                "local variables and the environment; never do this in production"
            )

    # -- reporting --------------------------------------------------------------

    def report_to_stream(
        self,
        exc: BaseException,
        exc_data: CollectedException,
        stream: object,
        ctx: Mapping[str, object] | None,
        *,
        shown: bool,
    ) -> list[str]:
        """Deliver to the reporters and write Paste's lines to *stream*; never raise.

        :param shown: whether the report is shown to the client (debug output)
        :returns: one line per reporter that failed
        """
        settings = self.settings
        try:
            failures = deliver(ctx, exc, settings.report_message, self.reporting, exc_data=exc_data)
        except Exception as error:  # noqa: BLE001 (deliver never raises; belt and braces)
            failures = [f"reporting failed: {type(error).__name__}: {safe_str(error, 500)}"]
        reported = len(failures) < len(self.reporting.reporters) or shown
        # Paste's line, to the letter (log parsers match it), then our ids on a line of their own.
        notice = error_notice(safe_str(type(exc), 500), exc_data)
        try:
            if settings.show_exceptions_in_wsgi_errors or not reported:
                text = format_text(
                    exc_data,
                    show_hidden_frames=True,
                    trim_source_paths=settings.trim_source_paths,
                    size_budget=settings.max_page_size,
                )
                # As Paste: the one-line form, then (nothing else took the report, so
                # it must not be lost) the whole text report and 60 dashes, as a record.
                head = "" if settings.show_exceptions_in_wsgi_errors else notice + "\n"
                write_errors(stream, head + record_text(exc_data, text))
            else:
                write_errors(stream, notice + "\n")
        except Exception as error:  # noqa: BLE001 (a broken formatter: keep the traceback)
            write_errors(stream, emergency_text(exc, error, "formatting the text report"))
        for line in failures:
            write_errors(stream, one_line(f"paste_exc: {line}") + "\n")
        return failures

    def collect(self, exc: BaseException, stream: object, stage: str) -> CollectedException | None:
        """The collected data of *exc*, or ``None`` after writing why collecting failed."""
        try:
            with collect_options(self.collect_options):
                return collected_data(
                    exc,
                    collect_locals=self.settings.show_locals,
                    locals_time_budget=self.settings.locals_time_budget,
                )
        except Exception as secondary:  # noqa: BLE001 (the client still gets a page)
            write_errors(stream, emergency_text(exc, secondary, f"collecting {stage}"))
            return None

    # -- the steps, whatever the transport -----------------------------------------
    # The transport reads the request (its RequestInfo, once per catch), opens the
    # catch, collects (while the traceback is live), then calls these steps with a
    # LiveRequest; answer(), append() and report_late() are the heavy ones (reporters,
    # rendering) that an event loop runs in a thread.

    def decide(self, live: LiveRequest) -> Rendering:
        """The rendering *live*'s client gets; the safe page for a request that cannot be read."""
        if live.holds_token is None:
            return Rendering.SAFE_PAGE
        try:
            settings = self.settings
            return choose_rendering(
                live.request,
                debug=settings.debug,
                xmlhttp_key=settings.xmlhttp_key,
                networks=settings.debug_allow,
                everyone=settings.debug_allow_everyone,
                token=self.debug_token,
                holds_token=live.holds_token,
            )
        except Exception:  # noqa: BLE001 (a hostile request: the safe page)
            return Rendering.SAFE_PAGE

    def debug_shown(self, live: LiveRequest) -> bool:
        """Whether *live*'s client may see debug output; never raise."""
        settings = self.settings
        try:
            return (
                settings.debug
                and live.holds_token is not None
                and debug_allowed(
                    live.request,
                    settings.debug_allow,
                    everyone=settings.debug_allow_everyone,
                    token=self.debug_token,
                    holds_token=live.holds_token,
                )
            )
        except Exception:  # noqa: BLE001
            return False

    def _withheld(self, request: RequestInfo, stream: object) -> None:
        """Debug is on but this client lacks the token: tell the server log how to unlock."""
        if self.settings.debug and self.debug_token is not None:
            with contextlib.suppress(Exception):  # a hostile request: no notice, still a page
                note_withheld(request, self.debug_token, stream)

    def answer(
        self,
        exc: BaseException,
        exc_data: CollectedException,
        rendering: Rendering,
        live: LiveRequest,
    ) -> tuple[str, Headers, bytes]:
        """Report *exc* and render its 500 response as *rendering*; never raise.

        :returns: the status line, the headers and the body
        """
        stream = live.stream
        shown = rendering in _SHOWN
        if not shown:
            self._withheld(live.request, stream)
        failures = self.report_to_stream(exc, exc_data, stream, live.ctx, shown=shown)
        try:
            page = self._render(rendering, exc_data, failures, live.request)
            body = page.body.encode("utf-8", "replace")
            headers = response_headers(
                page.content_type, len(body), nonce=page.nonce, error_id=exc_data.occurrence_id
            )
        except Exception as secondary:  # noqa: BLE001 (the minimal page, never a crash)
            write_errors(stream, emergency_text(exc, secondary, "rendering the error page"))
            return static_response(exc_data.occurrence_id)
        return STATUS_500, headers, body

    def append(
        self,
        exc: BaseException,
        exc_data: CollectedException,
        live: LiveRequest,
        content_type: str,
        *,
        report: bool = True,
    ) -> bytes:
        """Report *exc* (unless reported already) and render what to append to a started body.

        :param content_type: the ``Content-Type`` already sent
        :param report: false when *exc* was already reported (by :meth:`answer`)
        :returns: the bytes to append (empty for a binary body, or when rendering failed)
        """
        stream = live.stream
        debug = self.debug_shown(live)
        if not debug:
            self._withheld(live.request, stream)
        if report:
            self.report_to_stream(exc, exc_data, stream, live.ctx, shown=False)
        try:
            return render_appended(
                exc_data,
                content_type=content_type,
                debug=debug,
                size_budget=self.settings.max_page_size,
            )
        except Exception as secondary:  # noqa: BLE001
            write_errors(stream, emergency_text(exc, secondary, "rendering the appended report"))
            return b""

    def report_late(
        self, exc: BaseException, exc_data: CollectedException, live: LiveRequest, what: str
    ) -> None:
        """Report an error that can no longer reach the response (``close()``, a finished body)."""
        write_errors(live.stream, f"paste_exc: error in {what} after the response was sent:\n")
        self.report_to_stream(exc, exc_data, live.stream, live.ctx, shown=False)

    # -- rendering --------------------------------------------------------------

    def _render(
        self,
        rendering: Rendering,
        exc_data: CollectedException,
        failures: list[str],
        request: RequestInfo | None = None,
    ) -> RenderedPage:
        settings = self.settings
        if rendering is Rendering.DEBUG_PAGE:
            return render_debug_page(
                exc_data,
                show_hidden_frames=settings.show_hidden_frames,
                trim_source_paths=settings.trim_source_paths,
                reporting_failures=failures,
                size_budget=settings.max_page_size,
                editor_url=settings.editor_url,
                request=request,
            )
        if rendering is Rendering.FRAGMENT:
            return render_fragment(
                exc_data,
                show_hidden_frames=settings.show_hidden_frames,
                trim_source_paths=settings.trim_source_paths,
                size_budget=settings.max_page_size,
            )
        if rendering is Rendering.PROBLEM or rendering is Rendering.PROBLEM_DEBUG:
            return render_problem(
                exc_data,
                debug=rendering is Rendering.PROBLEM_DEBUG,
                size_budget=settings.max_page_size,
                request=request,
            )
        if rendering is Rendering.TEXT:
            return render_short_text(exc_data)
        if rendering is Rendering.TEXT_DEBUG:
            text = format_text(
                exc_data,
                show_hidden_frames=settings.show_hidden_frames,
                trim_source_paths=settings.trim_source_paths,
                size_budget=settings.max_page_size,
                request=request,
                show_environment=True,
            )
            return RenderedPage(
                with_header(exc_data, text), CONTENT_TYPES["text"], headers=security_headers(None)
            )
        return render_safe_page(
            exc_data, error_message=settings.error_message, template_file=settings.error_template
        )

    def script_page(self, exc_data: CollectedException, *, simple: bool) -> str:
        """The HTML :func:`handle_exception` returns (no client: debug means debug)."""
        rendering = Rendering.SAFE_PAGE
        if self.settings.debug:
            rendering = Rendering.FRAGMENT if simple else Rendering.DEBUG_PAGE
        return self._render(rendering, exc_data, []).body
