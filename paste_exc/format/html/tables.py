"""Format: the request tables and the environment block of the debug page, as views.

Part of the format stage. :func:`request_view` turns a request's one redacted
:class:`~paste_exc.model.request.RequestInfo` into the tables the page shows
(the query, the form fields when the application had read them, the cookies
with their values redacted, the headers, and the WSGI and CGI variables
collapsed behind one heading); :func:`environment_view` turns a report's
:class:`~paste_exc.model.environment.EnvironmentInfo` into the environment
block. Every value stays text; the templates escape it.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from paste_exc.format.extra import extra_repr
from paste_exc.model.environment import EnvironmentInfo
from paste_exc.model.report import ExtraRepr
from paste_exc.model.request import RequestInfo
from paste_exc.redact.engine import REDACTED

__all__ = [
    "REQUEST_EXTRA_TITLES",
    "EnvironmentView",
    "RequestView",
    "environment_rows",
    "environment_view",
    "request_view",
]

#: The extra-data titles the request supplement gives, shown in the request
#: tables instead when the page has them.
REQUEST_EXTRA_TITLES: Final = frozenset(
    {"CGI Variables", "WSGI Variables", "Query Parameters", "Form Fields"}
)
#: What the form table says when a body was sent but no parsed form fields were left
#: (the application did not parse it with WebOb): the body is never read here.
BODY_UNREAD: Final = (
    "not shown: the application left no parsed form fields, and the body is never read here"
)

Rows = list[tuple[str, str]]
Trim = Callable[[str], str]


@dataclass(slots=True)
class RequestView:
    """The request tables: each a list of ``(name, value)`` rows, in the request's order."""

    method: str
    url: str
    query: Rows = field(default_factory=list)
    #: ``None``: no form fields were parsed (see :attr:`form_note`).
    form: Rows | None = None
    form_note: str | None = None
    cookies: Rows = field(default_factory=list)
    headers: Rows = field(default_factory=list)
    #: The WSGI and CGI variables, under one collapsed heading.
    variables: Rows = field(default_factory=list)


@dataclass(slots=True)
class EnvironmentView:
    """The environment block: facts, ``sys.path`` and the traceback's distributions."""

    facts: Rows
    sys_path: list[str]
    distributions: Rows


def _shown(value: object) -> str:
    """A request value as text: strings as they are, anything else as Paste showed it."""
    if isinstance(value, str) and not isinstance(value, ExtraRepr):
        return str.__str__(value)
    return extra_repr(value)


def request_view(request: RequestInfo | None) -> RequestView | None:
    """The request tables of *request* (``None``: no request, no tables).

    :param request: the request's redacted data
    """
    if request is None:
        return None
    form: Rows | None = None
    note = None
    if request.form is not None:
        form = [(name, _shown(value)) for name, value in request.form]
    elif request.body_unread:
        note = BODY_UNREAD
    variables = [(name, _shown(value)) for name, value in request.cgi_variables]
    variables += [(name, _shown(value)) for name, value in request.wsgi_variables]
    return RequestView(
        method=request.method or "",
        url=request.url,
        query=[(name, value) for name, value in request.query],
        form=form,
        form_note=note,
        # Cookie values are secrets like the Cookie header itself: never kept, never shown.
        cookies=[(name, REDACTED) for name in request.cookie_names],
        headers=[(name, value) for name, value in request.headers],
        variables=variables,
    )


def environment_rows(environment: EnvironmentInfo, trim: Trim = str) -> Rows:
    """The facts of the environment block, as ``(label, value)`` rows (text report too).

    :param trim: shortens paths as the report's file names are (``trim_source_paths``)
    """
    return [
        ("Python", f"{environment.python_version} ({environment.implementation})"),
        ("Executable", trim(environment.executable)),
        ("Platform", environment.platform),
        ("Process", f"pid {environment.pid}, thread {environment.thread}"),
        ("Server time (UTC)", environment.time_utc),
        ("Server time (local)", environment.time_local),
    ]


def environment_view(
    environment: EnvironmentInfo | None, trim: Trim = str
) -> EnvironmentView | None:
    """The environment block of a report (``None``: the report has none).

    :param environment: the report's environment
    :param trim: shortens paths as the report's file names are (``trim_source_paths``)
    """
    if not isinstance(environment, EnvironmentInfo):
        return None
    return EnvironmentView(
        facts=environment_rows(environment, trim),
        sys_path=[trim(entry) for entry in environment.sys_path],
        distributions=[(dist.name, dist.version) for dist in environment.distributions],
    )
