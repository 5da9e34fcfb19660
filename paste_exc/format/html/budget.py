"""Format: render a report's template within a size budget.

Part of the format stage.  :func:`render_report_document` renders a template
with the :class:`~paste_exc.format.html.view.ReportView` of a report; past the budget
it renders folded copies of the collected data, as every output does (the
policy is :mod:`paste_exc.format.budget`), and the page says what it folded.
:func:`view_builder` makes the views of one page, its text copy within a
third of the budget.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from paste_exc.config.places import astrimpaths
from paste_exc.format.budget import DEFAULT_SIZE_BUDGET, fit_report
from paste_exc.format.foldsteps import SECTIONS_FOLDED
from paste_exc.format.html.build import build_report
from paste_exc.format.html.view import ReportView
from paste_exc.format.templates import render
from paste_exc.model.report import CollectedException
from paste_exc.model.request import RequestInfo

__all__ = [
    "DEFAULT_SIZE_BUDGET",
    "render_report_document",
    "text_copy_budget",
    "view_builder",
]


def text_copy_budget(size_budget: int | None) -> int | None:
    """The budget of the plain-text copy inside a page: a third of the page's."""
    return None if size_budget is None else max(size_budget // 3, 1)


def render_report_document(
    template: str,
    exc_data: CollectedException,
    build: Callable[[CollectedException], ReportView],
    *,
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
    sections: bool = False,
    **context: object,
) -> str:
    """Render *template* with the view of *exc_data* as ``report``, within the size budget.

    :param template: a template name (``report.html``, ``debug_page.html``, ...)
    :param exc_data: the collected exception
    :param build: makes the view of a report (given folded copies past the budget)
    :param size_budget: the largest size wanted, in characters; ``None`` for no limit
    :param sections: the page shows the request tables, the environment and the
        expandable source: they fold first past the budget
    :param context: further template variables
    """

    def page(data: CollectedException) -> str:
        view = build(data)
        view.folded = list(data.folded)
        extra = dict(context)
        if data.folded and size_budget is not None:
            extra["budget_note"] = f"(the size budget is {size_budget:,} characters)"
        return render(template, report=view, **extra)

    return fit_report(exc_data, size_budget, page, sections=sections)[1]


def view_builder(
    *,
    size_budget: int | None,
    show_hidden_frames: bool = False,
    include_hidden_frames: bool = False,
    show_extra_data: bool = True,
    trim_source_paths: Iterable[tuple[str, str]] = (),
    editor_url: str | None = None,
    request: RequestInfo | None = None,
    navigation: bool = False,
) -> Callable[[CollectedException], ReportView]:
    """The :func:`build_report` of one page within *size_budget*, for it and its folded copies.

    The page's plain-text copy gets a third of the budget (:func:`text_copy_budget`).
    A folded copy that left out the page's sections
    (:data:`~paste_exc.format.foldsteps.SECTIONS_FOLDED`) is built without the
    request tables.
    """

    def build(data: CollectedException) -> ReportView:
        sections_folded = SECTIONS_FOLDED in data.folded
        return partial(
            data,
            request=None if sections_folded else request,
            navigation=navigation,
            editor_url=editor_url,
        )

    partial = functools.partial(
        build_report,
        show_hidden_frames=show_hidden_frames,
        include_hidden_frames=include_hidden_frames,
        show_extra_data=show_extra_data,
        trim_source_paths=astrimpaths(trim_source_paths),
        text_size_budget=text_copy_budget(size_budget),
    )
    return build
