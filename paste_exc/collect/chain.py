"""Collect: one exception with its chain and group members.

:func:`collect_one` builds a :class:`~paste_exc.collector.CollectedException`
from an exception and its traceback (walked by :mod:`paste_exc.collect.walk`), then
follows ``__cause__``/``__context__`` and :class:`BaseExceptionGroup`
members, with a seen-set against cycles and the bounds of
:mod:`paste_exc.collector`. It also writes the exception's own text, as
:func:`traceback.format_exception_only` would. Used by
:class:`paste_exc.collector.ExceptionCollector`.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
import time
from collections.abc import Iterable
from types import TracebackType
from typing import cast

from paste_exc.collect.frames import Entry, Walk, bare_frame
from paste_exc.collect.ident import identification_code, occurrence_id
from paste_exc.collect.magic import apply_decorators, error_summary, is_a
from paste_exc.collect.syntaxerror import (
    syntax_error_details,
    syntax_error_lines,
    syntax_error_message,
)
from paste_exc.collect.walk import walk_traceback
from paste_exc.model.report import (
    DEFAULT_LIMIT,
    INFO_LIMIT,
    MAX_CHAIN_DEPTH,
    MAX_GROUP_DEPTH,
    MAX_GROUP_WIDTH,
    MAX_NOTES,
    MAX_SEQUENCE,
    NAME_LIMIT,
    REPR_LIMIT,
    VALUE_LIMIT,
    CollectedException,
    ExtraKey,
    ExtraValue,
    SyntaxErrorDetails,
)
from paste_exc.redact.engine import Redactor
from paste_exc.redact.saferepr import safe_str


def collect_one(
    etype: type[BaseException] | None,
    value: BaseException | None,
    tb: object,
    limit: int | None,
    walk: Walk,
    notes: list[str],
    chain_depth: int = 0,
    group_depth: int = 0,
) -> CollectedException:
    """Collect one exception, its chain and its members.

    :param etype: the exception class (``type(value)`` when ``None``)
    :param value: the exception
    :param tb: its traceback
    :param limit: the most traceback entries (see :func:`paste_exc.collect.walk.walk_traceback`)
    :param walk: the collection's state
    :param notes: this report's collection notes (problems found are added)
    :param chain_depth: how many chain links lead here
    :param group_depth: how many groups enclose this exception
    """
    walk.budget -= 1
    if value is not None:
        walk.seen.add(id(value))
    if etype is None and value is not None:
        etype = type(value)
    name, module, label = type_label(etype)
    extra_data: dict[ExtraKey, list[ExtraValue]] = {}
    walked = walk_traceback(tb, limit, walk, extra_data, notes)
    text = ""
    if value is not None:
        text = walk.redactor.redact_text(safe_str(value, VALUE_LIMIT))
        if text.startswith(("<unprintable ", "<unrepresentable ")):
            notes.append(f"str() of the {name} failed: {text}")
    exc_notes = exception_notes(value, notes, walk.redactor)
    syntax = syntax_error_details(value, notes, walk.redactor) if is_a(value, SyntaxError) else None
    formatted = "".join(format_only(etype, name, module, text, exc_notes, syntax))
    if is_a(value, ImportError):
        # A list, as Paste kept it (``[sys.path]``): a copy, each path bounded.
        paths: list[ExtraValue] = [safe_str(p, REPR_LIMIT) for p in list(sys.path)[:MAX_SEQUENCE]]
        extra_data.setdefault(("important", "sys.path"), []).append(paths)
    cause = context = None
    suppress = False
    omitted_exceptions = 0
    if value is not None and is_a(value, BaseException):
        suppress = _read_flag(value, "__suppress_context__", notes)
        links = (_read(value, "__cause__", notes), _read(value, "__context__", notes))
        if chain_depth >= MAX_CHAIN_DEPTH:
            omitted_exceptions += sum(1 for link in links if link is not None)
        else:
            cause = _link(links[0], walk, chain_depth, group_depth)
            if links[0] is not None and cause is None:
                omitted_exceptions += 1
            if links[1] is not None and cause is None and not suppress:
                context = _link(links[1], walk, chain_depth, group_depth)
                if context is None:
                    omitted_exceptions += 1
    members: list[CollectedException] = []
    is_group = is_a(value, BaseExceptionGroup)
    if is_group:
        try:
            group = tuple(value.exceptions)  # type: ignore[union-attr]
        except Exception as error:  # noqa: BLE001
            notes.append(f"the group's exceptions could not be read: {error_summary(error)}")
            group = ()
        for member in group:
            collected = None
            if len(members) < MAX_GROUP_WIDTH and group_depth < MAX_GROUP_DEPTH:
                collected = _link(member, walk, 0, group_depth + 1)
            if collected is None:
                omitted_exceptions += 1
            else:
                members.append(collected)
    request = next(
        (
            frame.supplement
            for frame in reversed(walked.frames)
            if frame.supplement is not None and frame.supplement.source_url is not None
        ),
        None,
    )
    timestamp = time.time()
    result = CollectedException(
        frames=tuple(walked.frames),
        exception_formatted=formatted,
        exception_type=name,
        exception_value=text,
        identification_code=identification_code(walked.ident_parts, label, walk.ident_prefix),
        date=time.localtime(timestamp),
        extra_data=extra_data,
        exception_module=module,
        occurrence_id=occurrence_id(),
        timestamp=timestamp,
        notes=tuple(exc_notes),
        cause=cause,
        context=context,
        suppress_context=suppress,
        is_group=is_group,
        exceptions=tuple(members),
        omitted_exceptions=omitted_exceptions,
        omitted_frames=walked.omitted,
        syntax_error=syntax,
        collection_notes=tuple(notes),
        request_method=request.request_method if request is not None else None,
        request_url=request.source_url if request is not None else None,
        locals_collected=walk.collect_locals,
        omitted_frames_at=walked.omitted_at,
    )
    result, decorator_notes = apply_decorators(result, walked.decorators)
    if decorator_notes:
        notes = [*result.collection_notes, *decorator_notes]
        result = dataclasses.replace(result, collection_notes=tuple(notes))
    return result


def _link(
    link: object, walk: Walk, chain_depth: int, group_depth: int
) -> CollectedException | None:
    """Collect a chain link or group member, one link deeper than *chain_depth*.

    A link already seen becomes a short marker with ``is_cycle``; ``None``
    means not an exception, or over the budget.
    """
    if not is_a(link, BaseException):
        return None
    link = cast("BaseException", link)  # is_a() checked its real type
    if id(link) in walk.seen:
        name, module, _ = type_label(type(link))
        text = walk.redactor.redact_text(safe_str(link, REPR_LIMIT))
        return CollectedException(
            exception_type=name,
            exception_module=module,
            exception_value=text,
            exception_formatted=f"{name}: {text}\n" if text else f"{name}\n",
            is_cycle=True,
        )
    if walk.budget <= 0:
        return None
    notes: list[str] = []
    tb = _read(link, "__traceback__", notes)
    return collect_one(type(link), link, tb, None, walk, notes, chain_depth + 1, group_depth)


def _read(value: BaseException, name: str, notes: list[str]) -> object:
    """An attribute of an exception, or ``None`` (with a note) when reading it raises."""
    try:
        return getattr(value, name, None)
    except Exception as error:  # noqa: BLE001
        notes.append(f"{name} could not be read: {error_summary(error)}; taken as None")
        return None


def _read_flag(value: BaseException, name: str, notes: list[str]) -> bool:
    try:
        return bool(getattr(value, name, False))
    except Exception as error:  # noqa: BLE001
        notes.append(f"{name} could not be read: {error_summary(error)}; taken as false")
        return False


def fallback(
    etype: object, error: Exception, walk: Walk, value: object = None, tb: object = None
) -> CollectedException:
    """Return the least report, for when collecting failed with *error*.

    It still holds the exception line and every frame's position, read from
    the code objects alone (nothing a user object can make raise).
    """
    name, module, label = type_label(etype)
    text = walk.redactor.redact_text(safe_str(value, VALUE_LIMIT)) if value is not None else ""
    frames = []
    entries = 0
    current = cast("TracebackType", tb) if is_a(tb, TracebackType) else None
    while current is not None and entries < DEFAULT_LIMIT:
        frames.append(bare_frame(Entry(current), walk.options))
        current = current.tb_next
        entries += 1
    return CollectedException(
        frames=tuple(frames),
        exception_type=name,
        exception_module=module,
        exception_value=text,
        exception_formatted=f"{name}: {text}\n" if text else f"{name}\n",
        identification_code=identification_code((), label, walk.ident_prefix),
        occurrence_id=occurrence_id(),
        timestamp=time.time(),
        collection_notes=(f"collection failed: {error_summary(error)}",),
        locals_collected=walk.collect_locals,
    )


def type_label(etype: object) -> tuple[str, str, str]:
    """Return (name, module, Paste's ``str(etype)``) without trusting the type."""
    try:
        name = safe_str(getattr(etype, "__name__", None) or "?", NAME_LIMIT)
        qualname = safe_str(getattr(etype, "__qualname__", None) or name, NAME_LIMIT)
        module = safe_str(getattr(etype, "__module__", None) or "", NAME_LIMIT)
    except Exception:  # noqa: BLE001
        name, qualname, module = "?", "?", ""
    try:
        text = str(etype)
        if type(text) is not str:
            raise TypeError("not a str")
    except Exception:  # noqa: BLE001
        text = f"<class '{module}.{qualname}'>" if module else f"<class '{qualname}'>"
    return name, module, text


# -- the exception's own text -------------------------------------------------------------


def exception_notes(value: object, notes: list[str], redactor: Redactor) -> list[str]:
    """Return the exception's ``__notes__`` as bounded, redacted texts (as its message).

    Problems go to *notes*.
    """
    if not is_a(value, BaseException):
        return []
    try:
        raw = getattr(value, "__notes__", None)
        if raw is None:
            return []
        if isinstance(raw, str) or not isinstance(raw, Iterable):
            texts = [safe_str(raw, INFO_LIMIT)]
        else:
            texts = [safe_str(note, INFO_LIMIT) for note in itertools.islice(raw, MAX_NOTES)]
    except Exception as error:  # noqa: BLE001
        notes.append(f"__notes__ could not be read: {error_summary(error)}")
        return []
    return [redactor.redact_text(text) for text in texts]


def exception_only(etype: object, value: object, redactor: Redactor) -> list[str]:
    """Return the lines of :func:`traceback.format_exception_only` for a live exception, safely.

    Paste's ``collectExceptionOnly``: the message and notes redacted, a
    :class:`SyntaxError`'s position shown as Python shows it.

    :param etype: the exception class
    :param value: the exception
    :param redactor: redacts the message, the notes and a SyntaxError's source line
    """
    name, module, _ = type_label(etype)
    text = redactor.redact_text(safe_str(value, VALUE_LIMIT)) if value is not None else ""
    syntax = syntax_error_details(value, [], redactor) if is_a(value, SyntaxError) else None
    return format_only(etype, name, module, text, exception_notes(value, [], redactor), syntax)


def format_only(
    etype: object,
    name: str,
    module: str,
    text: str,
    notes: list[str],
    syntax: SyntaxErrorDetails | None,
) -> list[str]:
    """Return the lines :func:`traceback.format_exception_only` would, from collected parts."""
    try:
        qualname = safe_str(getattr(etype, "__qualname__", None) or name, NAME_LIMIT)
    except Exception:  # noqa: BLE001
        qualname = name
    label = qualname if module in ("", "builtins", "__main__") else f"{module}.{qualname}"
    lines: list[str] = []
    if syntax is not None:
        lines.extend(syntax_error_lines(syntax))
        lines.append(f"{label}: {syntax_error_message(syntax)}\n")
    elif text:
        lines.append(f"{label}: {text}\n")
    else:
        lines.append(f"{label}\n")
    lines.extend(note + "\n" for note in notes)
    return lines
