"""Format: the environment and request blocks of the text report.

Part of the format stage, used by :class:`~paste_exc.format.formatter.TextFormatter`:
after Paste's report, the process the error happened in (the report's
:class:`~paste_exc.model.environment.EnvironmentInfo`) and, when the
formatter is given the request's redacted data, the request: its line, query
parameters, form fields, cookie names (values redacted) and headers. The
WSGI and CGI variables stay in Paste's own extra-data sections.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable

from paste_exc.format.html.tables import environment_rows, request_view
from paste_exc.model.environment import EnvironmentInfo
from paste_exc.model.request import RequestInfo

__all__ = ["environment_lines", "request_lines"]


def _title(title: str) -> list[str]:
    return ["", title, "-" * len(title)]


def _rows(rows: list[tuple[str, str]], heading: str) -> list[str]:
    if not rows:
        return []
    lines = [f"  {heading}:"]
    lines.extend(f"    {name}: {' '.join(value.splitlines()) or ''}" for name, value in rows)
    return lines


def environment_lines(environment: object, trim: Callable[[str], str] = str) -> list[str]:
    """The text block of a report's environment (``[]`` when it has none).

    :param trim: shortens paths as the report's file names are (``trim_source_paths``)
    """
    if not isinstance(environment, EnvironmentInfo):
        return []
    lines = _title("Environment")
    lines.extend(f"  {label}: {value}" for label, value in environment_rows(environment, trim))
    dists = [(dist.name, dist.version) for dist in environment.distributions]
    lines.extend(_rows(dists, "Distributions in the traceback"))
    if environment.sys_path:
        lines.append("  sys.path:")
        lines.extend(f"    {trim(entry)}" for entry in environment.sys_path)
    return lines


def request_lines(request: RequestInfo | None) -> list[str]:
    """The text block of the request (``[]`` without one)."""
    view = request_view(request)
    if view is None:
        return []
    lines = _title("Request")
    lines.append(f"  {view.method} {view.url}".rstrip())
    lines.extend(_rows(view.query, "Query parameters"))
    if view.form is not None:
        lines.extend(_rows(view.form, "Form fields"))
    elif view.form_note:
        lines.append(f"  Form fields: {view.form_note}")
    lines.extend(_rows(view.cookies, "Cookies (values redacted)"))
    lines.extend(_rows(view.headers, "Headers"))
    return lines
