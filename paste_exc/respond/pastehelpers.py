"""Respond: Paste's page helpers, for scripts written against Paste's ``errormiddleware``.

Part of stage five (catch → collect → format → report → **respond**).
:func:`send_report` runs one reporter and describes its failure;
:func:`error_template` wraps HTML in Paste's bare ``Server Error`` page.
:func:`~paste_exc.errormiddleware.handle_exception` and the middleware do not
use them (their reporters are isolated and their pages are templates under a
strict Content-Security-Policy); they are kept, with Paste's signatures, for
code that calls them. Re-exported by :mod:`paste_exc.errormiddleware`.
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING, Protocol

from markupsafe import Markup

from paste_exc.format.templates import render
from paste_exc.redact.engine import default_redactor
from paste_exc.redact.saferepr import safe_str

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException


class PasteReporter(Protocol):
    """Anything with Paste's ``report(exc_data)``."""

    def report(self, exc_data: CollectedException, /) -> object:
        """Deliver *exc_data*."""


__all__ = ["error_template", "send_report"]


def send_report(rep: PasteReporter, exc_data: CollectedException, html: bool = True) -> str:
    """Give *exc_data* to the reporter *rep*; return ``""``, or what went wrong.

    Paste's helper: when ``rep.report(exc_data)`` raises, the result says so
    with the traceback, as an HTML paragraph (escaped) or as text. The
    traceback goes through the default redactor.

    .. versionadded:: 0.1

    :param rep: a reporter (anything with ``report(exc_data)``)
    :param exc_data: the collected exception
    :param html: describe a failure in HTML rather than text
    """
    try:
        rep.report(exc_data)
    except Exception:  # noqa: BLE001  Paste's contract: the failure is returned, not raised
        error = default_redactor.redact_text(traceback.format_exc())
        name = safe_str(rep, 500)
        if html:
            return render("paste_send_report.html", reporter=name, error=error)
        return f"Additionally an error occurred while sending the {name} report:\n{error}"
    return ""


def error_template(head_html: str, exception: str, extra: str) -> str:
    """Return Paste's bare ``Server Error`` page around three pieces of HTML.

    The pieces are inserted as they are: by Paste's contract they are markup
    already (escape any text in them first, e.g. with
    :func:`paste_exc.formatter.html_quote`).

    .. versionadded:: 0.1

    :param head_html: markup for the ``<head>`` (styles, scripts)
    :param exception: the report's markup
    :param extra: markup shown after it
    """
    # The caller's markup, by Paste's contract (see the docstring): not escaped.
    return render(
        "paste_error_page.html",
        head_html=Markup(safe_str(head_html)),  # noqa: S704
        exception=Markup(safe_str(exception)),  # noqa: S704
        extra=Markup(safe_str(extra)),  # noqa: S704
    )
