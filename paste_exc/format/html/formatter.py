"""Format: the HTML report of a collected exception (Paste's ``HTMLFormatter``).

Part of the format stage (catch → collect → **format** → report → respond).
:func:`~paste_exc.format.html.build.build_report` makes the view model,
:func:`~paste_exc.format.html.budget.render_report_document` renders it within the
size budget; this module is Paste's API over the two, re-exported by
:mod:`paste_exc.formatter`.

The report holds nothing specific to one occurrence (no occurrence id, date or
object ids), so two exceptions with the same frames give the same HTML; the
documents of :mod:`paste_exc.format.documents` put the occurrence around it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from paste_exc.config.convert import asbudget, astruth
from paste_exc.format.base import AbstractFormatter
from paste_exc.format.html.budget import (
    DEFAULT_SIZE_BUDGET,
    render_report_document,
    view_builder,
)
from paste_exc.format.html.build import build_report, url_is_linkable
from paste_exc.format.html.hooks import PasteHTMLHooks
from paste_exc.format.html.view import ReportView
from paste_exc.model.report import CollectedException

__all__ = [
    "DEFAULT_SIZE_BUDGET",
    "HTMLFormatter",
    "ReportView",
    "build_report",
    "format_html",
    "render_report_document",
    "url_is_linkable",
]


class HTMLFormatter(PasteHTMLHooks, AbstractFormatter):
    """Format a collected exception as an HTML report (Paste's class, rebuilt).

    The report is rendered from templates; Paste's hook methods (``quote``,
    ``format_source_line``, ``zebra_table``, ...) are kept for code that calls
    them (:class:`~paste_exc.format.html.hooks.PasteHTMLHooks`), and are not used
    by :meth:`format_collected_data`.

    :param show_hidden_frames: show frames hidden by ``__traceback_hide__``
    :param include_reusable: include the CSS and script (leave them out when
        the page already has them, e.g. a second report on one page)
    :param show_extra_data: show the extra data tables
    :param trim_source_paths: ``(prefix, replacement)`` pairs shortening file names
    :param include_hidden_frames: keep hidden frames in the report, collapsed
        behind a toggle that says how many (``.. versionadded:: 0.1``)
    :param size_budget: past this many characters the report folds its least
        useful parts and says so (the policy every output shares, see
        :ref:`rendering`); ``None`` for no limit (``.. versionadded:: 0.1``)
    """

    def __init__(
        self,
        show_hidden_frames: bool = False,
        include_reusable: bool = True,
        show_extra_data: bool = True,
        trim_source_paths: Iterable[tuple[str, str]] | Mapping[str, str] = (),
        *,
        include_hidden_frames: bool = False,
        size_budget: int | None = DEFAULT_SIZE_BUDGET,
    ) -> None:
        super().__init__(show_hidden_frames, include_reusable, show_extra_data, trim_source_paths)
        self.include_hidden_frames = astruth(include_hidden_frames, "include_hidden_frames")
        self.size_budget = asbudget(size_budget)

    def build(self, exc_data: CollectedException) -> ReportView:
        """Return the view model of the report (see :func:`build_report`).

        :param exc_data: the collected exception
        """
        build = view_builder(
            size_budget=self.size_budget,
            show_hidden_frames=self.show_hidden_frames,
            include_hidden_frames=self.include_hidden_frames,
            show_extra_data=self.show_extra_data,
            trim_source_paths=self.trim_source_paths,
        )
        return build(exc_data)

    def format_collected_data(self, exc_data: CollectedException) -> str:
        """Return the HTML report of *exc_data* (a fragment, not a whole page).

        :param exc_data: the collected exception
        """
        return render_report_document(
            "report_standalone.html",
            exc_data,
            self.build,
            size_budget=self.size_budget,
            include_reusable=self.include_reusable,
        )


def format_html(
    exc_data: CollectedException, include_hidden_frames: bool = False, **ops: object
) -> str:
    """Return the HTML report of *exc_data* (Paste's function).

    With *include_hidden_frames* the frames ``__traceback_hide__`` hides stay
    in the report, collapsed behind a toggle.

    :param exc_data: the collected exception
    :param include_hidden_frames: keep hidden frames, collapsed
    :param ops: :class:`HTMLFormatter` options
    """
    formatter = HTMLFormatter(include_hidden_frames=include_hidden_frames, **ops)  # type: ignore[arg-type]
    return formatter.format_collected_data(exc_data)
