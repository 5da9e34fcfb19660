"""Collect: turn a live exception into plain, inert data.

Stage one of the pipeline (catch → **collect** → format → report → respond).
:func:`collect_exception` walks a traceback once and returns a
:class:`CollectedException`: frozen dataclasses holding only strings, numbers
and tuples, never a frame, traceback, exception or live local, so the result
can be queued, pickled, JSON-encoded (:meth:`CollectedException.as_json_dict`)
or handed to another thread.

Frames are ordered **outermost first, innermost last** (the order Python prints
them). Paste's docstring said the opposite; Paste's code did this.

Collection never raises: a hostile object yields a placeholder and a sentence
in :attr:`CollectedException.collection_notes`. See :doc:`/collector`.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from paste_exc._ident import hash_identifier, make_identifier
from paste_exc._reportdata import report_data
from paste_exc._reportvalues import IMPORTANCE_LEVELS
from paste_exc._saferepr import safe_repr, safe_str
from paste_exc.config import LOCALS_TIME_BUDGET, asseconds
from paste_exc.errors import ConfigError
from paste_exc.redact import Redactor, default_redactor

if TYPE_CHECKING:
    from paste_exc._walk import Walk

# The work is done by private modules, one idea each: _walk (the frames,
# folding and limits), _magic (the __traceback_*__ variables), _supplement,
# _chain (chains, groups, the exception's text) and _ident (Paste's
# identification code). They build the dataclasses below, so they import this
# module; this module imports them where they are used, never at load time.

__all__ = [
    "DEBUG_EXCEPTION_FORMATTER",
    "DEBUG_IDENT_PREFIX",
    "DEFAULT_LIMIT",
    "FALLBACK_ENCODING",
    "IMPORTANCE_LEVELS",
    "LOCALS_TIME_BUDGET",
    "LOCALS_TIME_PLACEHOLDER",
    "Bunch",
    "CollectedException",
    "ExceptionCollector",
    "ExceptionFrame",
    "ExtraKey",
    "ExtraRepr",
    "ExtraValue",
    "LocalVariable",
    "SupplementaryData",
    "SyntaxErrorDetails",
    "collect_exception",
    "collected_data",
    "hash_identifier",
    "make_identifier",
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
    #: :doc:`/rendering`); only in the folded copy a formatter renders.
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
        context = max(context, 0)
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
    #: only on the folded copy a formatter renders (see :doc:`/rendering`).
    folded: tuple[str, ...] = ()

    def as_json_dict(self) -> dict[str, object]:
        """Return this report as JSON-encodable data.

        The full view of :func:`paste_exc._reportdata.report_data`, the one
        conversion the JSON documents share: every field under its own name,
        each exception of the chain and group the same way; ``extra_data`` (whose
        ``(importance, title)`` tuple keys JSON cannot hold) as a list of
        ``{"importance", "title", "values"}`` objects, :attr:`date` as ISO 8601
        text, a frame's ``locals`` as ``{name: shown value}``.
        """
        return report_data(self)


# -- the collector ----------------------------------------------------------------------


class ExceptionCollector:
    """Turn ``(type, value, traceback)`` into a :class:`CollectedException`.

    Paste's class and camelCase methods, with keyword-only additions. The
    magic variables it reads, the bounds it applies and the guarantees it
    gives are documented in :doc:`/collector`.

    :param limit: the most traceback entries to keep (Python's meaning: a
        negative limit keeps the innermost ones); ``None`` uses
        :data:`sys.tracebacklimit`, else :data:`DEFAULT_LIMIT` frames after
        folding recursion
    :param collect_locals: record each frame's locals (bounded, redacted)
    :param redactor: the :class:`~paste_exc.redact.Redactor` for locals,
        mappings and texts (default: :data:`paste_exc.redact.default_redactor`)
    :param locals_time_budget: seconds the ``repr()`` of locals may take per
        report (``None``: :data:`LOCALS_TIME_BUDGET`); after that, locals are
        named with :data:`LOCALS_TIME_PLACEHOLDER` and a collection note says so
    :raises paste_exc.errors.ConfigError: for a limit that is not an integer, or
        a budget that is not a finite number of seconds >= 0
    """

    #: Paste's switch: record ``__revision__``/``__version__`` of modules.
    show_revisions = False

    def __init__(
        self,
        limit: int | None = None,
        *,
        collect_locals: bool = False,
        redactor: Redactor | None = None,
        locals_time_budget: float | None = None,
    ) -> None:
        if not _is_limit(limit):
            raise ConfigError("limit", f"expected an integer or None, got {safe_repr(limit, 100)}")
        self.limit = limit
        self.collect_locals = collect_locals
        self.redactor = redactor if redactor is not None else default_redactor
        self.locals_time_budget = (
            LOCALS_TIME_BUDGET
            if locals_time_budget is None
            else asseconds(locals_time_budget, "locals_time_budget")
        )

    # Paste's API --------------------------------------------------------------------

    def getLimit(self) -> int | None:
        """Return the limit: the constructor's, else :data:`sys.tracebacklimit`."""
        if self.limit is not None:
            return self.limit
        value = getattr(sys, "tracebacklimit", None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return None

    def getRevision(self, globals: Mapping[str, object]) -> str | None:
        """Return a module's ``__revision__`` (or ``__version__``) as text.

        Only when :attr:`show_revisions` is true, as in Paste.

        :param globals: the module's globals
        """
        if not self.show_revisions:
            return None
        try:
            revision = globals.get("__revision__")
            if revision is None:
                revision = globals.get("__version__")
        except Exception:  # noqa: BLE001
            return "???"
        if revision is None:
            return None
        return safe_str(revision, NAME_LIMIT).strip()

    def safeStr(self, obj: object) -> str:
        """Return a bounded ``str()`` of *obj* that never raises.

        :param obj: any object
        """
        return safe_str(obj, VALUE_LIMIT)

    def collectExceptionOnly(
        self, etype: type[BaseException] | None, value: BaseException | None
    ) -> list[str]:
        """Return the lines of :func:`traceback.format_exception_only`, safely.

        :param etype: the exception class
        :param value: the exception
        """
        from paste_exc._chain import exception_only

        return exception_only(etype, value, self.redactor)

    def collectSupplement(
        self, supplement: object, tb: TracebackType | None = None
    ) -> SupplementaryData:
        """Copy the fixed attributes of a supplement object into plain data.

        Errors are swallowed here; :meth:`collectLine` records them.

        :param supplement: the object a ``__traceback_supplement__`` factory made
        :param tb: unused (Paste's signature)
        """
        from paste_exc._supplement import supplement_data

        return supplement_data(supplement, [], self.redactor, DEBUG_EXCEPTION_FORMATTER)

    def collectLine(
        self, tb: TracebackType, extra_data: dict[ExtraKey, list[ExtraValue]]
    ) -> dict[str, object]:
        """Collect one traceback entry; return the fields of an :class:`ExceptionFrame`.

        Supplement extra data is appended to *extra_data*, as in Paste.

        :param tb: the traceback entry
        :param extra_data: the report's extra data, updated in place
        """
        from paste_exc._walk import Entry, build_frame

        frame, _ = build_frame(Entry(tb), self._new_walk(), extra_data)
        return {f.name: getattr(frame, f.name) for f in dataclasses.fields(frame)}

    def collectException(
        self,
        etype: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
        limit: int | None = None,
    ) -> CollectedException:
        """Collect an exception; never raise.

        ``__traceback_reporter__`` reporters found in the frames get the
        finished report before it is returned.

        :param etype: the exception class, as from :func:`sys.exc_info`
        :param value: the exception
        :param tb: its traceback
        :param limit: overrides the collector's limit for this call
        """
        return self.collect(etype, value, tb, limit)

    # the snake_case spelling ----------------------------------------------------------

    def collect(
        self,
        etype: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
        limit: int | None = None,
        *,
        run_reporters: bool = True,
        supplement: object = None,
    ) -> CollectedException:
        """Collect an exception; never raise (the snake_case spelling).

        :param etype: the exception class
        :param value: the exception
        :param tb: its traceback
        :param limit: overrides the collector's limit for this call
        :param run_reporters: hand the report to ``__traceback_reporter__``
            reporters (:func:`collected_data` collects a second time without)
        :param supplement: a ``(factory, *args)`` supplement giving the request
            data when no frame of the traceback does (an exception the
            application caught and passed to ``report_exception(environ, ...)``)
        """
        from paste_exc._chain import collect_one, fallback
        from paste_exc._magic import run_reporters as run

        __exception_formatter__ = 1  # noqa: F841 - Paste's marker against recursion
        notes: list[str] = []
        if not _is_limit(limit):
            notes.append(f"the limit {safe_repr(limit, 50)} is not an integer; ignored")
            limit = None
        if limit is None:
            limit = self.getLimit()
        walk = self._new_walk()
        try:
            result = collect_one(etype, value, tb, limit, walk, notes)
        except Exception as error:  # noqa: BLE001
            result = fallback(etype, error, walk, value, tb)
        if supplement is not None and result.request_url is None:
            result = _with_request(result, supplement, walk)
        if walk.locals_unrepresented or walk.locals_partial:
            note = locals_budget_note(
                walk.locals_unrepresented, walk.locals_partial, walk.locals_budget
            )
            result = dataclasses.replace(result, collection_notes=(*result.collection_notes, note))
        errors = run(result, walk.reporters) if run_reporters else []
        if errors:
            result = dataclasses.replace(result, reporter_errors=tuple(errors))
        return result

    def _new_walk(self) -> Walk:
        from paste_exc._walk import Walk

        return Walk(
            redactor=self.redactor,
            collect_locals=self.collect_locals,
            locals_budget=self.locals_time_budget,
            revision=self.getRevision,
            ident_prefix=DEBUG_IDENT_PREFIX,
            error_tracebacks=DEBUG_EXCEPTION_FORMATTER,
        )


def _with_request(result: CollectedException, supplement: object, walk: Walk) -> CollectedException:
    """Add the request data of *supplement* to a report whose frames gave none."""
    from paste_exc._supplement import collect_supplement

    try:
        data, error_text = collect_supplement(supplement, walk.redactor, walk.error_tracebacks)
    except Exception as error:  # noqa: BLE001 (collect_supplement guards; belt and braces)
        data, error_text = None, safe_str(error, INFO_LIMIT)
    if data is None:
        note = "the request data could not be collected"
        if error_text:
            note += f": {error_text.strip().splitlines()[-1]}"
        return dataclasses.replace(result, collection_notes=(*result.collection_notes, note))
    extra_data = {key: list(values) for key, values in result.extra_data.items()}
    for key, value in (data.extra or {}).items():
        extra_data.setdefault(key, []).append(value)
    return dataclasses.replace(
        result,
        extra_data=extra_data,
        request_method=data.request_method,
        request_url=data.source_url,
    )


def locals_budget_note(unrepresented: int, partial: int, budget: float) -> str:
    """The collection note of a report whose locals outran their time budget.

    :param unrepresented: locals named without a value
    :param partial: locals whose container items were not all represented
    :param budget: the budget, in seconds
    """
    parts = []
    if unrepresented:
        noun = "local is" if unrepresented == 1 else "locals are"
        parts.append(f"{unrepresented} later {noun} named without a value")
    if partial:
        noun = "local shows" if partial == 1 else "locals show"
        parts.append(f"{partial} {noun} only the items represented in time")
    return (
        f"the time budget for local variables ({budget:g} s per report) was spent: "
        f"{' and '.join(parts)}; a single slow repr() cannot be interrupted, so one "
        "local may take longer than the whole budget"
    )


def _is_limit(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


class Bunch:
    """Paste's generic attribute container, kept for code that built its own data.

    ``Bunch(a=1).a == 1``. The collector's own results are dataclasses.
    """

    def __init__(self, **attrs: object) -> None:
        for name, value in attrs.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        items = " ".join(
            f"{name}={safe_str(value, 30)!r}"
            for name, value in vars(self).items()
            if not name.startswith("_")
        )
        return f"<{type(self).__name__} {items}>"


# -- the module-level API -----------------------------------------------------------------

#: Paste's module-level collector.
col = ExceptionCollector()


def collect_exception(
    t: type[BaseException] | None,
    v: BaseException | None,
    tb: TracebackType | None,
    limit: int | None = None,
    *,
    collect_locals: bool = False,
    redactor: Redactor | None = None,
    locals_time_budget: float | None = None,
) -> CollectedException:
    """Collect an exception from :func:`sys.exc_info`; never raise.

    ::

        try:
            do_something()
        except Exception:
            exc_data = collect_exception(*sys.exc_info())

    :param t: the exception class
    :param v: the exception
    :param tb: the traceback
    :param limit: the most traceback entries to keep (see :class:`ExceptionCollector`)
    :param collect_locals: record each frame's locals, bounded and redacted
    :param redactor: the redactor to use (default: the module's default one)
    :param locals_time_budget: seconds for the locals' ``repr()`` (see
        :class:`ExceptionCollector`)
    """
    collector = col
    if collect_locals or redactor is not None or locals_time_budget is not None:
        collector = ExceptionCollector(
            collect_locals=collect_locals,
            redactor=redactor,
            locals_time_budget=locals_time_budget,
        )
    return collector.collect(t, v, tb, limit)


def collected_data(
    exception: BaseException,
    *,
    collect_locals: bool = False,
    redactor: Redactor | None = None,
    locals_time_budget: float | None = None,
) -> CollectedException:
    """Return the report of *exception* for the catch in progress.

    Inside a catch of *exception* (the middleware answering a request,
    :func:`~paste_exc.reporting.report_exception`, ``handle_exception``, the
    process-wide hooks), every reporter, formatter and middleware that asks
    gets that catch's one report, so the traceback is walked once per catch.
    Outside any catch, each call collects a new report: a new occurrence.
    Nothing is stored on the exception, so the same exception object caught
    again (a module-level singleton, ``Future.result()``, a cached failure) is
    a new occurrence with its own id and request data.

    Asking with ``collect_locals=True`` after a collection without locals
    collects again (without calling ``__traceback_reporter__`` reporters a
    second time) and keeps the richer report, with the same occurrence id.

    .. versionchanged:: 0.1
       The report is no longer cached on the exception.

    :param exception: the exception (its ``__traceback__`` is used)
    :param collect_locals: whether the report must hold the frames' locals
    :param redactor: the redactor for a first collection
    :param locals_time_budget: seconds for the locals' ``repr()`` (see
        :class:`ExceptionCollector`)
    """
    from paste_exc._occurrence import collect_now, current_occurrence

    options: dict[str, Any] = {
        "collect_locals": collect_locals,
        "redactor": redactor,
        "locals_time_budget": locals_time_budget,
    }
    occurrence = current_occurrence(exception)
    if occurrence is not None:
        return occurrence.collected(**options)
    return collect_now(exception, **options)
