"""Model: the one conversion of a report to JSON-safe data.

Part of the model (the inert data between the stages).  It imports only the
model's shared readings (:mod:`paste_exc.model.values`) and the safe repr:
the collected dataclasses are read by their attributes (they import this
module), and the format stage's choices (which frames are hidden, how file
names are shortened) come in as arguments.

:func:`report_data` turns a :class:`~paste_exc.collector.CollectedException`
(its frames, locals, chain, groups, notes, extra data and request data) into
JSON-safe data once; :meth:`~paste_exc.collector.CollectedException.as_json_dict`,
the problem document of :mod:`paste_exc.format.documents` (debug and safe) and the
JSON lines of :class:`~paste_exc.reporter.JSONLinesReporter` are views of it
(:class:`JSONView`): they select and rename members, never convert a value
their own way.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Final, cast

from paste_exc.model.report import (
    CollectedException,
    ExceptionFrame,
    SupplementaryData,
    set_json_form,
)
from paste_exc.model.values import (
    FIELD_NAMES,
    clean_text,
    extra_entries,
    local_time,
    report_fields,
    shown_value,
)
from paste_exc.redact.saferepr import safe_repr, safe_str

__all__ = ["FULL_VIEW", "MAX_JSON_DEPTH", "JSONView", "json_safe", "report_data"]

#: Deepest nesting of chains and groups in a JSON document.
MAX_JSON_DEPTH: Final = 64
#: The longest ``repr()`` of an object JSON cannot hold (a ``__traceback_decorator__``).
_REPR_LIMIT: Final = 1000


def json_safe(value: object, depth: int = 0) -> object:
    """Return *value* as JSON-safe data: the one walker every JSON output uses.

    Text encodes as UTF-8 (lone surrogates replaced), numbers are finite
    (``NaN`` and infinities become ``None``), mappings have text keys (the
    :func:`~paste_exc.redact.saferepr.safe_str` of any other key), tuples are lists,
    anything else is its bounded ``repr()``; past four times :data:`MAX_JSON_DEPTH`
    levels a value is ``"[nested too deeply]"``. Never raises.

    :param value: plain data built from a report
    :param depth: how deep *value* sits
    """
    if isinstance(value, str):
        return clean_text(str.__str__(value))
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if depth > MAX_JSON_DEPTH * 4:
        return "[nested too deeply]"
    if isinstance(value, Mapping):
        return {
            clean_text(key if type(key) is str else safe_str(key)): json_safe(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [json_safe(item, depth + 1) for item in value]
    return clean_text(safe_repr(value, _REPR_LIMIT))


# -- the conversion ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class JSONView:
    """Which members of :func:`report_data` an output keeps, and under which names.

    Each ``*_fields`` is the members kept, in the canonical names, ``None``
    for all; a member named in :attr:`optional` is left out when it holds
    nothing (``None``, false, ``0``, an empty list); :attr:`names` renames members of
    every exception (the outermost, chain links, group members).
    """

    report_fields: tuple[str, ...] | None = None
    member_fields: tuple[str, ...] | None = None
    frame_fields: tuple[str, ...] | None = None
    supplement_fields: tuple[str, ...] | None = None
    optional: frozenset[str] = frozenset()
    names: Mapping[str, str] = dataclasses.field(default_factory=dict)


#: Every member under its canonical name (the dataclasses' field names).
FULL_VIEW: Final = JSONView()

#: Marks a member not set: it stays out whatever the view.
_UNSET: Final = object()


def _is_nothing(value: object) -> bool:
    return value is None or value is False or (type(value) in (int, list) and not value)


def _pick(
    full: dict[str, object], keep: tuple[str, ...] | None, view: JSONView
) -> dict[str, object]:
    names = keep if keep is not None else tuple(full)
    picked: dict[str, object] = {}
    for name in names:
        value = full.get(name, _UNSET)
        if value is _UNSET or (name in view.optional and _is_nothing(value)):
            continue
        picked[view.names.get(name, name)] = value
    return picked


def _supplement_data(sup: SupplementaryData, view: JSONView) -> dict[str, object]:
    full: dict[str, object] = {
        "object": sup.object,
        "source_url": sup.source_url,
        "line": sup.line,
        "column": sup.column,
        "expression": sup.expression,
        "warnings": list(sup.warnings or ()),
        "info": sup.info,
        "extra": extra_entries(sup.extra),
        "request_method": sup.request_method,
    }
    return _pick(full, view.supplement_fields, view)


def _frame_data(
    frame: ExceptionFrame,
    hidden: bool | None,
    filename: Callable[[str], str] | None,
    view: JSONView,
) -> dict[str, object]:
    name = frame.filename
    full: dict[str, object] = {
        "modname": frame.modname,
        "filename": filename(name) if name and filename is not None else name,
        "lineno": frame.lineno,
        "end_lineno": frame.end_lineno,
        "colno": frame.colno,
        "end_colno": frame.end_colno,
        "revision": frame.revision,
        "name": frame.name,
        "qualname": frame.qualname,
        "line": frame.get_source_line().strip() or None,
        "context_start": frame.context_start,
        "context_lines": list(frame.context_lines),
        "is_library": frame.is_library,
        "hidden": _UNSET if hidden is None else hidden,
        "repeated": frame.repeated,
        "traceback_info": frame.traceback_info,
        "traceback_hide": frame.traceback_hide,
        "traceback_log": frame.traceback_log,
        "tbid": frame.tbid,
        "supplement": None
        if frame.supplement is None
        else _supplement_data(frame.supplement, view),
        "supplement_exception": frame.supplement_exception,
        "locals": None,
        "redacted_locals": _UNSET,
        "omitted_locals": frame.omitted_locals,
        "folded_after": frame.folded_after,
        "traceback_decorator": frame.traceback_decorator,
    }
    if frame.locals is not None:
        full["locals"] = {var.name: shown_value(var) for var in frame.locals}
        full["redacted_locals"] = [var.name for var in frame.locals if var.redacted]
    return _pick(full, view.frame_fields, view)


def _exception_data(
    exc: CollectedException,
    view: JSONView,
    visibility: Callable[[Sequence[ExceptionFrame]], Sequence[bool]] | None,
    filename: Callable[[str], str] | None,
    depth: int,
    seen: frozenset[int],
) -> dict[str, object]:
    keep = view.report_fields if depth == 0 else view.member_fields
    full: dict[str, object] = {
        "exception_type": exc.exception_type,
        "exception_module": exc.exception_module,
        "exception_value": exc.exception_value,
        "exception_formatted": exc.exception_formatted,
        "notes": list(exc.notes),
    }
    if id(exc) in seen or depth > MAX_JSON_DEPTH:
        full["omitted"] = "already shown (cycle)" if id(exc) in seen else "nested too deeply"
        return _pick(full, None if keep is None else (*keep, "omitted"), view)
    seen = seen | {id(exc)}

    def wanted(name: str) -> bool:
        return keep is None or name in keep

    def linked(member: CollectedException) -> dict[str, object]:
        return _exception_data(member, view, visibility, filename, depth + 1, seen)

    if wanted("frames"):
        frames = tuple(exc.frames)
        shown = visibility(frames) if visibility is not None else [None] * len(frames)
        full["frames"] = [
            _frame_data(frame, None if flag is None else not flag, filename, view)
            for frame, flag in zip(frames, shown, strict=True)
        ]
    full["omitted_frames"] = exc.omitted_frames
    full["omitted_frames_at"] = exc.omitted_frames_at
    error = exc.syntax_error
    full["syntax_error"] = None if error is None else dataclasses.asdict(error)
    full["suppress_context"] = exc.suppress_context
    for name in ("cause", "context"):
        link = getattr(exc, name)
        full[name] = None if link is None or not wanted(name) else linked(link)
    full["is_group"] = exc.is_group
    if wanted("exceptions"):
        full["exceptions"] = [linked(member) for member in exc.exceptions]
    full["omitted_exceptions"] = exc.omitted_exceptions
    full["collection_notes"] = list(exc.collection_notes)
    full["is_cycle"] = exc.is_cycle
    if any(wanted(name) for name in FIELD_NAMES):
        full.update(report_fields(exc))
    full["timestamp"] = exc.timestamp
    if wanted("date"):
        moment = local_time(exc)
        full["date"] = None if moment is None else moment.isoformat(timespec="seconds")
    if wanted("extra_data"):
        full["extra_data"] = extra_entries(exc.extra_data)
    full["reporter_errors"] = list(exc.reporter_errors)
    full["locals_collected"] = exc.locals_collected
    full["folded"] = list(exc.folded)
    environment = exc.environment
    full["environment"] = None if environment is None else dataclasses.asdict(environment)
    return _pick(full, keep, view)


def report_data(
    exc_data: CollectedException,
    view: JSONView = FULL_VIEW,
    *,
    visibility: Callable[[Sequence[ExceptionFrame]], Sequence[bool]] | None = None,
    filename: Callable[[str], str] | None = None,
) -> dict[str, object]:
    """Return the report as JSON-safe data, as *view* selects and names its members.

    Canonical members of each exception (the outermost, ``cause``,
    ``context`` and the group members in ``exceptions``): the
    :class:`~paste_exc.collector.CollectedException` fields under their own
    names, the fields of :func:`report_fields` (``time`` among them), ``date``
    (local time with its offset, ISO 8601, seconds) and ``extra_data`` as
    :func:`extra_entries`, ``environment`` as an object of its fields (``null``
    when not taken). A frame has its fields, ``line`` (the stripped
    source line), ``locals`` (``{name: shown value}``, see :func:`shown_value`)
    with ``redacted_locals`` (the names of those redacted, or part of them)
    when locals were collected, ``supplement`` with ``extra`` as
    :func:`extra_entries`, and ``hidden`` when *visibility* is given. An
    exception met again (a cycle) or past :data:`MAX_JSON_DEPTH` levels has
    its type, module, message, formatted line and notes and ``omitted``
    saying why. Values pass :func:`json_safe`.

    :param exc_data: the collected exception
    :param view: the members kept and their names
    :param visibility: the hide rules: one flag per frame of an exception,
        true for shown
    :param filename: how a frame's file name is written (trimmed)
    """
    data = _exception_data(exc_data, view, visibility, filename, 0, frozenset())
    return cast("dict[str, object]", json_safe(data))


set_json_form(report_data)
