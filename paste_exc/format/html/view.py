"""Format: the view model of an HTML report: plain dataclasses the templates show.

Part of the format stage (catch → collect → **format** → report → respond).
A :class:`ReportView` holds sections (one per exception), runs of frames,
frames and source lines, all ready to show: :mod:`paste_exc.format.html.build` makes
it from collected data, :mod:`paste_exc.format.html.budget` folds it to fit a size
budget, and the Jinja2 templates in ``templates/`` render it.

The view holds nothing specific to one occurrence (no occurrence id, date or
object ids), so two exceptions with the same frames give the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paste_exc.collect.collector import IMPORTANCE_LEVELS
from paste_exc.format.html.tables import EnvironmentView, RequestView

__all__ = [
    "ExtraItem",
    "FrameRun",
    "FrameView",
    "LineView",
    "LocalView",
    "ReportView",
    "SectionView",
    "SupplementView",
    "append_frame",
    "no_extra",
]


@dataclass(slots=True)
class LineView:
    """One source line: number, highlighted HTML (with the failing columns marked)."""

    number: int
    html: object
    current: bool = False
    #: The marked (failing) character range of the current line, if any.
    mark: tuple[int, int] | None = None
    #: Beyond the lines shown at first: shown when the frame's context is expanded.
    extra: bool = False


@dataclass(slots=True)
class SupplementView:
    """What a frame's ``__traceback_supplement__`` said, ready to show."""

    object: str | None
    url: str | None
    url_is_link: bool
    position: str | None
    expression: str | None
    warnings: tuple[str, ...]
    info: str | None


@dataclass(slots=True)
class FrameView:
    """One frame of the report."""

    modname: str
    lineno: str
    name: str
    qualname: str | None
    filename: str
    is_library: bool
    current: bool
    repeated: int
    lines: list[LineView]
    traceback_info: str | None
    supplement: SupplementView | None
    supplement_exception: str | None
    locals: tuple[LocalView, ...] | None
    #: The frame's number on the page (1 for its first frame) and its anchor.
    number: int = 0
    anchor: str = ""
    #: The link that opens the file at the line in the configured editor.
    editor_link: str | None = None
    #: Source lines beyond those shown at first (the context expands in place).
    more_context: int = 0
    #: The distribution of the frame's module, when known (``Flask 3.1.3``).
    distribution: str | None = None


@dataclass(slots=True)
class LocalView:
    """One local of a frame as shown: a value already shown in an outer frame is referred to."""

    name: str
    value: str
    redacted: bool = False
    #: The number and anchor of the outer frame that already shows this value.
    same_as: int | None = None
    same_as_anchor: str = ""


@dataclass(slots=True)
class FrameRun:
    """Consecutive frames shown alike: all visible, all hidden, or folded away.

    A visible run of library frames (``library``) folds behind "N library
    frames" when the page shows the application's code only.
    """

    hidden: bool
    frames: list[FrameView]
    folded: int = 0
    library: bool = False


def append_frame(runs: list[FrameRun], hidden: bool, frame: FrameView) -> None:
    """Add *frame* to the last run of *runs* when it is shown alike, else start a run."""
    library = frame.is_library and not hidden
    if runs and runs[-1].hidden == hidden and not runs[-1].folded and runs[-1].library == library:
        runs[-1].frames.append(frame)
    else:
        runs.append(FrameRun(hidden=hidden, frames=[frame], library=library))


@dataclass(slots=True)
class SectionView:
    """One exception of the report (the main one, a chain link or a group member)."""

    depth: int
    connector: str | None
    label: str | None
    type_name: str
    module: str
    message: str
    notes: tuple[str, ...]
    runs: list[FrameRun]
    hidden_dropped: int
    omitted_frames: int
    omitted_exceptions: int
    syntax_error: list[str]
    collection_notes: tuple[str, ...]
    is_group: bool
    is_cycle: bool
    is_main: bool
    #: The anchor of the section and the failing (innermost) frame's number and anchor.
    anchor: str = ""
    failing: int | None = None
    failing_anchor: str = ""


@dataclass(slots=True)
class ExtraItem:
    """One extra-data entry: a text, a table (name → value) or a list."""

    title: str
    text: str | None = None
    multiline: bool = False
    rows: list[tuple[str, str]] | None = None
    items: list[str] | None = None


def no_extra() -> dict[str, list[ExtraItem]]:
    """Return the extra data of a report showing none (every importance, empty)."""
    return {importance: [] for importance in IMPORTANCE_LEVELS}


@dataclass(slots=True)
class ReportView:
    """Everything the report templates show."""

    type_name: str
    module: str
    message: str
    identification_code: str
    request_method: str | None
    request_url: str | None
    request_url_is_link: bool
    location: str | None
    sections: list[SectionView]
    extra: dict[str, list[ExtraItem]]
    reporter_errors: tuple[str, ...]
    text_version: str
    folded: list[str] = field(default_factory=list)
    #: "Type: message" of the exception the main one started with (an explicit
    #: cause, ``raise … from``) or was raised while handling (an implicit context).
    root_cause: str | None = None
    omitted_sections: int = 0
    #: ``"Started with"`` (explicit cause) or ``"While handling"`` (implicit context).
    root_cause_sentence: str = "Started with"
    #: Where that exception failed (its section's failing frame), to link to it.
    root_cause_anchor: str = ""
    #: The frame index and the page's controls (the debug page only).
    navigation: bool = False
    #: Whether the traceback holds application frames ("my code only" is then the default).
    has_app_frames: bool = False
    #: The request tables and the environment block (``None``: not shown).
    request: RequestView | None = None
    environment: EnvironmentView | None = None
