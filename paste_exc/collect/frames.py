"""Collect: one traceback entry into an :class:`~paste_exc.model.report.ExceptionFrame`.

Locals (within the walk's time budget), the magic variables and supplements,
read per request; position, names, source context and whether the file is a
library's, worked out once per code location (:mod:`paste_exc.collect.codecache`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from types import CodeType, TracebackType
from typing import Any, cast

from paste_exc.collect.codecache import Stamp, code_facts
from paste_exc.collect.library import is_library
from paste_exc.collect.magic import Magic, error_summary, read_magic
from paste_exc.collect.supplement import as_int, collect_supplement
from paste_exc.model.options import DEFAULT_OPTIONS, CollectOptions
from paste_exc.model.report import (
    INFO_LIMIT,
    LOCALS_TIME_PLACEHOLDER,
    MAX_EXCEPTIONS,
    MAX_LOCALS,
    NAME_LIMIT,
    REPR_LIMIT,
    VALUE_LIMIT,
    ExceptionFrame,
    ExtraKey,
    ExtraValue,
    LocalVariable,
)
from paste_exc.redact.engine import Redactor
from paste_exc.redact.saferepr import OUT_OF_TIME, safe_repr, safe_str

__all__ = []


@dataclasses.dataclass(slots=True)
class Walk:
    """The state of one collection: a report with all its chain links and members."""

    redactor: Redactor
    collect_locals: bool
    #: Seconds the ``repr()`` of locals may take in this collection.
    locals_budget: float
    #: ``getRevision`` of the collector.
    revision: Callable[[Mapping[str, object]], str | None]
    #: Paste's module switches, read when the collection starts.
    ident_prefix: str
    error_tracebacks: bool
    #: Exceptions already collected (by ``id``), against cycles.
    seen: set[int] = dataclasses.field(default_factory=set)
    #: How many more exceptions may be collected.
    budget: int = MAX_EXCEPTIONS
    #: ``__traceback_reporter__`` reporters found, each once.
    reporters: list[object] = dataclasses.field(default_factory=list)
    reporter_ids: set[int] = dataclasses.field(default_factory=set)
    #: The source files' stamps, looked at once per collection (see
    #: :func:`~paste_exc.collect.codecache.code_facts`).
    stamps: dict[str, Stamp] = dataclasses.field(default_factory=dict)
    #: Seconds spent on the ``repr()`` of locals, and the locals named
    #: without a value once :attr:`locals_budget` was spent.
    locals_spent: float = 0.0
    locals_unrepresented: int = 0
    #: Locals shown in part: items of a container not reached in time.
    locals_partial: int = 0
    #: How much source is kept and where the application ends (see
    #: :class:`~paste_exc.model.options.CollectOptions`).
    options: CollectOptions = DEFAULT_OPTIONS


class Entry:
    """One kept traceback entry during collection (dropped when it ends)."""

    __slots__ = ("code", "earlier", "lasti", "lineno", "repeated", "span", "tb")

    def __init__(self, tb: TracebackType) -> None:
        self.tb = tb
        #: From an earlier raise of the exception object, in another occurrence:
        #: shown by position and source only (see :func:`earlier_raises`).
        self.earlier = False
        self.code: CodeType = tb.tb_frame.f_code
        self.lineno: int | None = as_int(tb.tb_lineno)
        self.lasti = tb.tb_lasti
        #: What the frame reports as ``repeated``.
        self.repeated = 0
        #: How many traceback entries this one stands for.
        self.span = 1

    def same_place(self, other: Entry) -> bool:
        """Whether both entries are the same line of the same code."""
        return self.code is other.code and self.tb.tb_lineno == other.tb.tb_lineno


# -- one frame ----------------------------------------------------------------------------


def module_name(f_globals: Mapping[str, Any]) -> str | None:
    """A frame's module name (``__name__`` of its globals) as text; ``None`` when unset or empty.

    Never raises: a value whose truth test or ``str()`` raises gives the
    placeholder of :func:`~paste_exc.redact.saferepr.safe_str`.
    """
    try:
        modname = f_globals.get("__name__")
    except Exception:  # noqa: BLE001
        return None
    if modname is None:
        return None
    text = safe_str(modname, NAME_LIMIT)
    return text or None


def bare_frame(entry: Entry, options: CollectOptions = DEFAULT_OPTIONS) -> ExceptionFrame:
    """The least a traceback entry shows: position and function, from the code object alone."""
    code = entry.code
    filename = safe_str(code.co_filename, VALUE_LIMIT)
    return ExceptionFrame(
        filename=filename,
        lineno=entry.lineno,
        name=safe_str(code.co_name, NAME_LIMIT),
        qualname=safe_str(code.co_qualname, NAME_LIMIT),
        tbid=id(entry.tb),
        is_library=is_library(filename, None, options),
        repeated=entry.repeated,
    )


def build_frame(
    entry: Entry,
    walk: Walk,
    extra_data: dict[ExtraKey, list[ExtraValue]],
    notes: list[str] | None = None,
) -> tuple[ExceptionFrame, Magic]:
    """Turn one traceback entry into plain data.

    A value that cannot be read costs only its field: the field shows a
    placeholder and *notes* gets a sentence naming the frame.

    :param entry: the entry
    :param walk: the collection's state
    :param extra_data: the report's extra data; supplement extra data is added
    :param notes: the report's collection notes, updated (``None``: not kept)
    :returns: the frame and the magic variables it set (for the decorators
        and reporters)
    """
    frame = entry.tb.tb_frame
    code = entry.code
    f_globals = frame.f_globals
    redactor = walk.redactor
    # Everything that depends only on the code location: computed once, then reused.
    facts = code_facts(
        code,
        entry.lineno,
        entry.lasti,
        redactor,
        f_globals,
        walk.stamps,
        context=walk.options.context_lines,
    )
    f_locals: Mapping[str, Any] = {}
    if walk.collect_locals or facts.locals_may_be_magic:
        # Building a function's locals mapping costs; a frame that can set no
        # magic variable, with no locals collected, never needs it.
        try:
            raw_locals: object = frame.f_locals
        except Exception:  # noqa: BLE001
            raw_locals = {}
        try:  # a locals mapping from exec() may be hostile, even to isinstance()
            is_mapping = isinstance(raw_locals, Mapping)
        except Exception:  # noqa: BLE001
            is_mapping = False
        if is_mapping:
            f_locals = cast("Mapping[str, Any]", raw_locals)
    magic = read_magic(f_locals, f_globals)
    if entry.earlier:  # another occurrence's frame: its position and source only
        magic = Magic(hide=magic.hide)
    problems = magic.problems
    fields: dict[str, Any] = {}
    if magic.supplement is not None:
        data, error_text = collect_supplement(magic.supplement, redactor, walk.error_tracebacks)
        fields["supplement"] = data
        fields["supplement_exception"] = error_text
        if data is not None and data.extra:
            for key, value in data.extra.items():
                extra_data.setdefault(key, []).append(value)
    if magic.info is not None:
        fields["traceback_info"] = redactor.redact_text(safe_str(magic.info, INFO_LIMIT))
    if magic.hide is not None:
        fields["traceback_hide"] = magic.hide
    if magic.log is not None:
        fields["traceback_log"] = redactor.redact_text(safe_str(magic.log, INFO_LIMIT))
    filename = facts.filename
    lineno = entry.lineno
    local_vars = None
    omitted_locals = 0
    if walk.collect_locals and not entry.earlier:
        try:
            local_vars, omitted_locals = _locals(f_locals, walk)
        except Exception as error:  # noqa: BLE001  a hostile locals mapping: no locals, a note
            problems.append(f"the local variables could not be read: {error_summary(error)}")
    if problems and notes is not None:
        where = f"frame {safe_str(code.co_name, NAME_LIMIT)} ({filename}:{lineno})"
        notes.extend(f"{where}: {problem}" for problem in problems)
    modname = module_name(f_globals)
    result = ExceptionFrame(
        modname=modname,
        filename=filename,
        lineno=lineno,
        revision=walk.revision(f_globals),
        name=facts.name,
        tbid=id(entry.tb),
        qualname=facts.qualname,
        end_lineno=facts.end_lineno,
        colno=facts.colno,
        end_colno=facts.end_colno,
        context_lines=facts.context_lines,
        context_start=facts.context_start,
        locals=local_vars,
        is_library=is_library(filename, modname, walk.options),
        repeated=entry.repeated,
        omitted_locals=omitted_locals,
        **fields,
    )
    return result, magic


def _locals(f_locals: Mapping[str, Any], walk: Walk) -> tuple[tuple[LocalVariable, ...], int]:
    """The frame's locals, within the report's time budget for them.

    Each ``repr()`` is timed; once :attr:`Walk.locals_budget` is spent, the
    remaining locals of every frame are named with
    :data:`~paste_exc.collector.LOCALS_TIME_PLACEHOLDER`, and the items of a
    container not reached in time show :data:`~paste_exc.redact.saferepr.OUT_OF_TIME`
    (one ``repr()`` that is slow by itself is not interrupted: nothing can stop
    it safely).
    """
    redactor = walk.redactor
    result: list[LocalVariable] = []
    omitted = 0
    try:
        items = list(f_locals.items())
    except Exception:  # noqa: BLE001
        items = []
    for name, value in items:
        if isinstance(name, str) and name.startswith("__") and name.endswith("__"):
            continue
        if len(result) >= MAX_LOCALS:
            omitted += 1
            continue
        if walk.locals_spent >= walk.locals_budget:
            walk.locals_unrepresented += 1
            result.append(LocalVariable(safe_str(name, NAME_LIMIT), LOCALS_TIME_PLACEHOLDER))
            continue
        started = time.perf_counter()
        deadline = started + walk.locals_budget - walk.locals_spent  # for containers' items
        text = safe_repr(value, REPR_LIMIT, deadline=deadline)
        if OUT_OF_TIME in text:
            walk.locals_partial += 1
        text, redacted = redactor.redact_item(name, text)
        walk.locals_spent += time.perf_counter() - started
        result.append(LocalVariable(safe_str(name, NAME_LIMIT), text, redacted))
    return tuple(result), omitted
