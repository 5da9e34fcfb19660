"""Collect: turn a live exception into plain, inert data.

Stage one of the pipeline (catch → **collect** → format → report → respond).
:func:`collect_exception` walks a traceback once and returns a
:class:`CollectedException`: frozen dataclasses holding only strings, numbers
and tuples, never a frame, traceback, exception or live local, so the result
can be queued, pickled, JSON-encoded or handed to another thread.

Frames are ordered **outermost first, innermost last** (the order Python prints
them). Paste's docstring said the opposite; Paste's code did this.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

#: An extra-data key: ``(importance, title)``, importance one of
#: ``important``, ``normal``, ``supplemental``, ``extra``.
ExtraKey = tuple[str, str]
#: An inert extra-data value: a string, a mapping of name → repr string, or a
#: sequence of repr strings.
ExtraValue = str | dict[str, str] | tuple[str, ...]

IMPORTANCE_LEVELS = ("important", "normal", "supplemental", "extra")


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


@dataclass(frozen=True, slots=True)
class LocalVariable:
    """One local of a frame: its name and a bounded, redacted repr."""

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
    #: How many identical frames directly after this one were folded into it
    #: (deep recursion).
    repeated: int = 0

    @property
    def traceback_decorator(self) -> None:
        """Paste exposed the decorator here; ours are applied during collection."""
        return None

    def get_source_line(self, context: int = 0) -> str:
        """Return the source line, with ``context`` lines either side.

        Paste's method, kept for formatters written against Paste.
        """
        if self.lineno is None or self.context_start is None:
            return ""
        first = self.lineno - context - self.context_start
        last = self.lineno + context - self.context_start + 1
        lines = self.context_lines[max(first, 0) : max(last, 0)]
        return "".join(line + "\n" for line in lines)


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
