"""Model: the collected exception, its frames and its limits: plain, inert data.

Built by :mod:`paste_exc.collect`; read by every later stage. See :doc:`/collector`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from paste_exc.model.environment import EnvironmentInfo

__all__ = [
    "DEBUG_EXCEPTION_FORMATTER",
    "DEBUG_IDENT_PREFIX",
    "DEFAULT_LIMIT",
    "FALLBACK_ENCODING",
    "LOCALS_TIME_PLACEHOLDER",
    "CollectedException",
    "ExceptionFrame",
    "ExtraKey",
    "ExtraRepr",
    "ExtraValue",
    "LocalVariable",
    "SupplementaryData",
    "SyntaxErrorDetails",
]

#: An extra-data key, as the supplement gave it (Paste kept it so): a title,
#: or ``(importance, title)`` with importance one of ``important``,
#: ``normal``, ``supplemental``, ``extra``.
ExtraKey = tuple[str, str] | str


class ExtraRepr(str):
    """The bounded ``repr()`` of an extra-data value that was not plain data.

    A :class:`str` (it is the text), marked so that the formatters show it as
    Paste showed the object (``<Foo object at …>``), not quoted as a string.

    .. versionadded:: 0.1
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[type[ExtraRepr], tuple[str]]:
        return (ExtraRepr, (str(self),))


#: An inert extra-data value: what Paste kept for plain data (a string,
#: number, boolean or ``None``, or a list, tuple or dict of such values,
#: copied), and :class:`ExtraRepr` for anything else.
ExtraValue = (
    str
    | int
    | float
    | bool
    | None
    | list["ExtraValue"]
    | tuple["ExtraValue", ...]
    | dict["ExtraValue", "ExtraValue"]
)

#: Paste's switch: keep the traceback of a failing supplement as text.
DEBUG_EXCEPTION_FORMATTER = True
#: The prefix of identification codes (``E-7E6JP``).
DEBUG_IDENT_PREFIX = "E-"
#: Paste's fall-back encoding name (kept for compatibility; text is always str).
FALLBACK_ENCODING = "UTF-8"
#: The most frames kept (after folding recursion) when neither the ``limit``
#: argument nor :data:`sys.tracebacklimit` says otherwise.
DEFAULT_LIMIT = 200
#: Paste's module-level name for the default limit.
limit = DEFAULT_LIMIT

#: Source lines kept before and after the failing line.
CONTEXT_LINES = 5
#: Size bounds, in characters.
VALUE_LIMIT = 10000
REPR_LIMIT = 1000
INFO_LIMIT = 5000
NAME_LIMIT = 300
SOURCE_LINE_LIMIT = 500
# LOCALS_TIME_BUDGET (from paste_exc.config, 1 s): the seconds that the repr()
# of locals may take in one report, every frame and chain link together; once
# spent, later locals are named with LOCALS_TIME_PLACEHOLDER. One repr() that
# is slow by itself cannot be interrupted.
#: The value shown for a local left unrepresented when the budget was spent.
LOCALS_TIME_PLACEHOLDER = "<not shown: the time budget for local variables was spent>"
#: Count bounds.
MAX_LOCALS = 100
MAX_NOTES = 50
MAX_WARNINGS = 50
MAX_SEQUENCE = 200
MAX_CHAIN_DEPTH = 32
MAX_GROUP_WIDTH = 15
MAX_GROUP_DEPTH = 10
MAX_EXCEPTIONS = 200


@dataclass(frozen=True, slots=True)
class SupplementaryData:
    """What a ``__traceback_supplement__`` object said, copied as plain data.

    ``object`` is the bounded ``repr()`` of the supplement's ``object``;
    ``info`` is the string its ``getInfo()`` returned; ``extra`` holds what its
    ``extraData()`` returned, already merged into
    :attr:`CollectedException.extra_data`.
    """

    object: str | None = None
    source_url: str | None = None
    line: int | None = None
    column: int | None = None
    expression: str | None = None
    warnings: tuple[str, ...] = ()
    info: str | None = None
    extra: dict[ExtraKey, ExtraValue] | None = None
    #: The supplement's ``request_method`` (an extension attribute: the
    #: middleware's supplement sets it beside ``source_url``).
    request_method: str | None = None


@dataclass(frozen=True, slots=True)
class LocalVariable:
    """One local of a frame: its name and a bounded, redacted repr.

    ``redacted`` says that something of it was hidden: the whole local (its
    name is secret: ``value`` is :data:`~paste_exc.redact.REDACTED`) or parts
    of its repr (the whole value under a secret key in a container, a URL
    password, a token: ``value`` shows ``[REDACTED]`` in their place). Every
    output shows :func:`shown_value`, the same text.
    """

    name: str
    value: str
    redacted: bool = False


@dataclass(frozen=True, slots=True)
class ExceptionFrame:
    """One traceback entry, as plain data.

    The first eleven fields are Paste's and keep Paste's names; the rest are
    new (``.. versionadded:: 0.1``).
    """

    modname: str | None = None
    filename: str | None = None
    lineno: int | None = None
    revision: str | None = None
    name: str | None = None
    supplement: SupplementaryData | None = None
    supplement_exception: str | None = None
    traceback_info: str | None = None
    #: ``None`` when the frame set nothing; otherwise ``True``/``False`` or one
    #: of the strings ``before``, ``before_and_this``, ``after``,
    #: ``after_and_this``, ``reset``, ``reset_and_this``.
    traceback_hide: bool | str | None = None
    traceback_log: str | None = None
    tbid: int | None = None
    #: The qualified function name (``Class.method``), from ``co_qualname``.
    qualname: str | None = None
    #: Python 3.11 positions of the failing expression (1-based lines,
    #: 0-based columns); ``None`` where unknown.
    end_lineno: int | None = None
    colno: int | None = None
    end_colno: int | None = None
    #: Source lines around ``lineno`` (without line endings) and the line
    #: number of the first of them.
    context_lines: tuple[str, ...] = ()
    context_start: int | None = None
    #: The frame's locals (only when collected with ``collect_locals``).
    locals: tuple[LocalVariable, ...] | None = None
    #: True for frames of the standard library and installed packages.
    is_library: bool = False
    #: Folded recursion: how many more times the frame (a run of identical
    #: frames), or the cycle of frames ending with this one (mutual
    #: recursion, named in :attr:`CollectedException.collection_notes`),
    #: occurred directly after this.
    repeated: int = 0
    #: Locals left out to keep the report bounded.
    omitted_locals: int = 0
    #: Frames folded away right after this one to fit a size budget (see
    #: :ref:`rendering`); only in the folded copy a formatter renders.
    folded_after: int = 0
    #: Paste's field for the frame's ``__traceback_decorator__``. The
    #: collector applies decorators while collecting and leaves this ``None``;
    #: it holds what code building its own frames gives (as Paste's did), is
    #: not compared, and is written as its ``repr()`` in JSON.
    traceback_decorator: object = field(default=None, compare=False, repr=False)

    def get_source_line(self, context: int = 0) -> str:
        """Return the source line, with ``context`` lines either side.

        Paste's method, kept for formatters written against Paste.
        """
        if self.lineno is None or self.context_start is None:
            return ""
        if context <= 0:  # the formatters ask for the one line of every frame
            index = self.lineno - self.context_start
            if 0 <= index < len(self.context_lines):
                return self.context_lines[index] + "\n"
            return ""
        first = self.lineno - context - self.context_start
        last = self.lineno + context - self.context_start + 1
        lines = self.context_lines[max(first, 0) : max(last, 0)]
        return "\n".join(lines) + "\n" if lines else ""


@dataclass(frozen=True, slots=True)
class SyntaxErrorDetails:
    """Where a :class:`SyntaxError` points."""

    filename: str | None = None
    lineno: int | None = None
    offset: int | None = None
    end_lineno: int | None = None
    end_offset: int | None = None
    text: str | None = None
    msg: str | None = None


@dataclass(frozen=True, slots=True)
class CollectedException:
    """Everything known about one exception, as inert data.

    The first seven fields are Paste's; ``exception_type`` is the class's
    ``__name__`` (Paste stored the class itself), ``exception_formatted`` the
    text of :func:`traceback.format_exception_only`.
    """

    frames: tuple[ExceptionFrame, ...] = ()
    exception_formatted: str = ""
    exception_type: str = ""
    exception_value: str = ""
    identification_code: str = ""
    date: time.struct_time = field(default_factory=time.localtime)
    extra_data: dict[ExtraKey, list[ExtraValue]] = field(default_factory=dict)
    #: Module of the exception class (``builtins`` for built-in ones).
    exception_module: str = ""
    #: A unique id for this one occurrence (the identification code is shared
    #: by every occurrence of the same bug).
    occurrence_id: str = ""
    #: Seconds since the epoch when the exception was collected.
    timestamp: float = 0.0
    notes: tuple[str, ...] = ()
    #: The chain, each collected with its own frames.
    cause: CollectedException | None = None
    context: CollectedException | None = None
    suppress_context: bool = False
    #: True for (Base)ExceptionGroup; ``exceptions`` are its members.
    is_group: bool = False
    exceptions: tuple[CollectedException, ...] = ()
    #: Members, chain links or frames left out to keep the report bounded.
    omitted_exceptions: int = 0
    omitted_frames: int = 0
    syntax_error: SyntaxErrorDetails | None = None
    #: Problems met while collecting (a raising ``__str__``, a failing
    #: decorator or supplement, ...), as short sentences.
    collection_notes: tuple[str, ...] = ()
    #: Failures of ``__traceback_reporter__`` reporters, as text.
    reporter_errors: tuple[str, ...] = ()
    #: True when the exception was a chain link already seen (a cycle).
    is_cycle: bool = False
    #: Method and URL of the request, from the innermost supplement that has
    #: a ``source_url``.
    request_method: str | None = None
    request_url: str | None = None
    #: Whether locals were collected (``collect_locals=True``).
    locals_collected: bool = False
    #: Where :attr:`omitted_frames` were left out: ``"outer"`` (the
    #: outermost frames; the default bound keeps the innermost ones),
    #: ``"inner"`` (a positive ``limit`` keeps the outermost, as Python does)
    #: or ``""`` when none were.
    omitted_frames_at: str = ""
    #: What was folded away to fit a size budget, as short phrases ("the
    #: local variables of 34 library frames"); empty for a whole report. Set
    #: only on the folded copy a formatter renders (see :ref:`rendering`).
    folded: tuple[str, ...] = ()
    #: The process the error happened in (Python, executable, platform, process
    #: and thread, time, ``sys.path``, the traceback's distributions); on the
    #: outermost report only, ``None`` when not taken (``.. versionadded:: 0.1``).
    environment: EnvironmentInfo | None = None

    def as_json_dict(self) -> dict[str, object]:
        """Return this report as JSON-encodable data.

        The full view of :func:`paste_exc.model.json.report_data`, the one
        conversion the JSON documents share: every field under its own name,
        each exception of the chain and group the same way; ``extra_data`` (whose
        ``(importance, title)`` tuple keys JSON cannot hold) as a list of
        ``{"importance", "title", "values"}`` objects, :attr:`date` as ISO 8601
        text, a frame's ``locals`` as ``{name: shown value}``.
        """
        if _json_form is None:  # pragma: no cover - paste_exc.model loads it
            raise RuntimeError("paste_exc.model.json is not loaded")
        return _json_form(self)


#: The one JSON conversion, :func:`paste_exc.model.json.report_data`, given by that
#: module when it loads (the package :mod:`paste_exc.model` loads it): the data
#: classes import nothing that reads them, so the conversion can name their types.
_json_form: Callable[[CollectedException], dict[str, object]] | None = None


def set_json_form(convert: Callable[[CollectedException], dict[str, object]]) -> None:
    """Give :meth:`CollectedException.as_json_dict` its conversion (once, from the JSON module)."""
    global _json_form
    _json_form = convert
