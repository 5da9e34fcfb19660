"""Format: whole documents built around a report, ready to send.

Part of the format stage (catch → collect → **format** → report → respond).
Each function here is a pure function of (collected data, options) returning
what a responder sends: the debug page, the safe page for everyone else, the
fragment for XMLHttpRequest callers, RFC 9457 problem documents, a short text,
the HTML of an email, and the block appended to a response that had already
started.  Choosing which one a request gets is the middleware's job.

Unlike :func:`paste_exc.formatter.format_html`, these documents carry the
occurrence: its id and date sit around the report.

This module is the public face of three private ones: what every document
carries (``_rendered``), the HTML and text pages (``_pages``) and the JSON
documents (``_problem``).

.. versionadded:: 0.1
"""

from __future__ import annotations

from paste_exc.format.headers import (
    HTML_CONTENT_TYPE,
    PROBLEM_CONTENT_TYPE,
    TEXT_CONTENT_TYPE,
    content_security_policy,
)
from paste_exc.format.pages import (
    render_appended,
    render_debug_page,
    render_email_html,
    render_fragment,
    without_request_data,
)
from paste_exc.format.problem import (
    exception_document,
    problem_document,
    render_problem,
)
from paste_exc.format.rendered import RenderedPage, new_nonce
from paste_exc.format.safepage import DEFAULT_ERROR_MESSAGE, render_safe_page, render_short_text

__all__ = [
    "DEFAULT_ERROR_MESSAGE",
    "HTML_CONTENT_TYPE",
    "PROBLEM_CONTENT_TYPE",
    "TEXT_CONTENT_TYPE",
    "RenderedPage",
    "content_security_policy",
    "exception_document",
    "new_nonce",
    "problem_document",
    "render_appended",
    "render_debug_page",
    "render_email_html",
    "render_fragment",
    "render_problem",
    "render_safe_page",
    "render_short_text",
    "without_request_data",
]
