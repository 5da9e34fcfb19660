"""Format: the page shown when debug is off, and its plain-text twin.

Part of the format stage. The safe page says that something went wrong and
gives the codes to quote; no traceback, exception type or path is on it. It
is the page every request of an error storm gets, so the default one is
rendered once per message and then only its per-request values (the codes,
the date, the nonce) are filled in, escaped as the template escapes them.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
from pathlib import Path
from typing import Final

from markupsafe import escape

from paste_exc.errors import log_failure
from paste_exc.format.headers import HTML_CONTENT_TYPE, TEXT_CONTENT_TYPE, security_headers
from paste_exc.format.records import header_line
from paste_exc.format.rendered import RenderedPage, new_nonce, occurrence, status_title
from paste_exc.format.templates import load_user_template, render
from paste_exc.model.report import CollectedException
from paste_exc.model.values import clean_text

__all__ = ["DEFAULT_ERROR_MESSAGE", "render_safe_page", "render_short_text"]

log = logging.getLogger("paste_exc.documents")

#: What the safe page says when no ``error_message`` is configured.
DEFAULT_ERROR_MESSAGE: Final = (
    "Something went wrong on our side and this page could not be shown. "
    "The error has been logged; please try again in a little while."
)


def render_safe_page(
    exc_data: CollectedException,
    *,
    error_message: str | None = None,
    template_file: str | Path | None = None,
    status: int = 500,
) -> RenderedPage:
    """Return the page shown when debug is off: a message and the codes to quote.

    No traceback, exception type or path appears on it.  *error_message* is
    shown as text (escaped).  A *template_file* replaces the page: a Jinja2
    template, autoescaped, given ``error_message``, ``title``, ``status``,
    ``identification_code``, ``occurrence_id``, ``date`` and ``nonce`` (put
    ``nonce="{{ nonce }}"`` on its ``<style>`` elements).  A template that
    fails while rendering is logged and the default page is sent instead.

    :param exc_data: the collected exception
    :param error_message: the text to show; a friendly default when ``None``
    :param template_file: a template file replacing the default page
    :param status: the HTTP status of the response (for the title)
    :raises paste_exc.errors.ConfigError: when *template_file* cannot be loaded
    """
    nonce = new_nonce()
    context: dict[str, object] = {
        "title": status_title(status),
        "status": status,
        "error_message": DEFAULT_ERROR_MESSAGE if error_message is None else error_message,
        "identification_code": exc_data.identification_code,
        "nonce": nonce,
        **occurrence(exc_data),
    }
    body = None
    if template_file is not None:
        template = load_user_template(template_file)
        try:
            body = template.render(**context)
        except Exception:  # noqa: BLE001 (logged by log_failure)
            log_failure(
                log, "the error page template %s failed; sending the default", template_file
            )
    if body is None:
        body = _default_safe_page(context)
    return RenderedPage(clean_text(body), HTML_CONTENT_TYPE, nonce, security_headers(nonce))


#: The per-request values of the default safe page, each standing in the page
#: rendered once as a marker no text can hold by chance (a random token).
_PER_REQUEST: Final = ("identification_code", "occurrence_id", "date", "date_iso", "nonce")
_MARKERS: Final = {name: f"pe{secrets.token_hex(12)}{name}" for name in _PER_REQUEST}
_MARKED: Final = re.compile("|".join(map(re.escape, _MARKERS.values())))
_NAMES_OF: Final = {marker: name for name, marker in _MARKERS.items()}


@functools.lru_cache(maxsize=16)
def _safe_page_shell(title: str, status: int, error_message: str) -> str:
    """The default safe page for one message, its per-request values as markers."""
    return render(
        "safe_page.html", title=title, status=status, error_message=error_message, **_MARKERS
    )


def _default_safe_page(context: dict[str, object]) -> str:
    """The default safe page: rendered once per message, then only its codes filled in.

    In an error storm every request gets the same page but for the codes, the
    date and the nonce, which are escaped as the template escapes them.
    """
    title, status, message = context["title"], context["status"], context["error_message"]
    if not (type(title) is str and type(status) is int and type(message) is str):
        return render("safe_page.html", **context)
    shell = _safe_page_shell(title, status, message)
    values = {name: str(escape(context[name])) for name in _PER_REQUEST}
    return _MARKED.sub(lambda match: values[_NAMES_OF[match[0]]], shell)


def render_short_text(exc_data: CollectedException, *, status: int = 500) -> RenderedPage:
    """Return the header line and two lines of plain text with the codes (plain-text clients).

    :param exc_data: the collected exception
    :param status: the HTTP status of the response
    """
    occurrence_id = occurrence(exc_data)["occurrence_id"]
    body = (
        f"{header_line(exc_data)}\n"
        f"{status} {status_title(status)}: an error occurred while handling the request.\n"
        f"Identification code {exc_data.identification_code}, occurrence {occurrence_id}.\n"
    )
    return RenderedPage(clean_text(body), TEXT_CONTENT_TYPE, headers=security_headers(None))
