"""Collect: the magic variables a frame may set.

``__traceback_supplement__``, ``__traceback_info__``, ``__traceback_hide__``
(and pytest's and IPython's ``__tracebackhide__``), ``__traceback_log__``,
``__traceback_decorator__`` and
``__traceback_reporter__`` (the table is in :doc:`/collector`). This module
reads them from a live frame and runs the decorators and reporters they name
on the finished report; failures of that user code become text, never
exceptions. Used by :mod:`paste_exc.collect.walk` and :mod:`paste_exc.collect.chain`.
The hide table (:data:`HIDE_RULES`) and its normaliser live here once; the
formatters' :func:`~paste_exc.formatter.frame_visibility` applies them.
"""

from __future__ import annotations

import dataclasses
import threading
import traceback
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, TypeVar, cast

from paste_exc.model.report import INFO_LIMIT
from paste_exc.redact.saferepr import safe_repr, safe_str, truncate_text

_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True, slots=True)
class HideRule:
    """What one ``__traceback_hide__`` value does to the frames of a report (Paste's rules)."""

    #: Hide every frame before this one.
    hides_before: bool
    #: This frame: shown (``True``), hidden (``False``), or shown unless an
    #: ``after`` is in force (``None``).
    shows_this: bool | None
    #: Start (``True``) or end (``False``) hiding the frames after this one;
    #: ``None`` leaves it as it is.
    hides_after: bool | None


#: The hide table: each normalised ``__traceback_hide__`` value (see
#: :func:`hide_value`) and its rule. A ``before`` also ends an ``after``.
HIDE_RULES: Final[Mapping[bool | str, HideRule]] = MappingProxyType(
    {
        False: HideRule(hides_before=False, shows_this=None, hides_after=None),
        True: HideRule(hides_before=False, shows_this=False, hides_after=None),
        "before": HideRule(hides_before=True, shows_this=True, hides_after=False),
        "before_and_this": HideRule(hides_before=True, shows_this=False, hides_after=False),
        "after": HideRule(hides_before=False, shows_this=True, hides_after=True),
        "after_and_this": HideRule(hides_before=False, shows_this=False, hides_after=True),
        "reset": HideRule(hides_before=False, shows_this=True, hides_after=False),
        "reset_and_this": HideRule(hides_before=False, shows_this=False, hides_after=False),
    }
)
#: The ``__traceback_hide__`` strings kept as they are; any other value is a bool.
HIDE_VALUES: Final = frozenset(key for key in HIDE_RULES if isinstance(key, str))
_MISSING: Any = object()
_local = threading.local()


def _type_name(value: object) -> str:
    """The name of *value*'s type, never raising (a metaclass may make ``__name__`` raise)."""
    try:
        return safe_str(type(value).__name__, 200)
    except Exception:  # noqa: BLE001
        return "?"


def error_summary(error: BaseException) -> str:
    """Return ``Type: message`` for an error raised by user code."""
    return f"{_type_name(error)}: {safe_str(error, 300)}"


def error_text(error: BaseException, with_traceback: bool) -> str:
    """Return an error of user code as text: its traceback, or its summary line.

    :param error: the error
    :param with_traceback: Paste's ``DEBUG_EXCEPTION_FORMATTER`` switch
    """
    summary = error_summary(error) + "\n"
    if not with_traceback:
        return summary
    try:
        lines = traceback.format_exception(type(error), error, error.__traceback__, chain=False)
    except Exception:  # noqa: BLE001
        return summary
    return truncate_text("".join(lines), INFO_LIMIT)


#: Every name :func:`read_magic` looks up, in the locals or the globals.
MAGIC_NAMES: Final = frozenset(
    {
        "__traceback_supplement__",
        "__traceback_info__",
        "__traceback_log__",
        "__traceback_hide__",
        "__tracebackhide__",
        "__traceback_decorator__",
        "__traceback_reporter__",
    }
)


@dataclasses.dataclass(slots=True)
class Magic:
    """The magic variables one frame set, as found (live objects).

    ``supplement``, ``info`` and ``log`` are ``None`` when unset;
    ``hide`` is ``None`` when unset, else normalised by :func:`hide_value`.
    """

    supplement: object = None
    info: object = None
    hide: bool | str | None = None
    log: object = None
    decorators: list[object] = dataclasses.field(default_factory=list)
    reporters: list[object] = dataclasses.field(default_factory=list)
    #: What could not be read, as sentences (for the report's collection notes).
    problems: list[str] = dataclasses.field(default_factory=list)


def is_a(value: object, kind: type | tuple[type, ...]) -> bool:
    """``isinstance(value, kind)`` by the real type only; never raises.

    :func:`isinstance` also asks the object for its ``__class__``, which a
    hostile object can make raise; the type itself cannot lie.

    :param value: any object
    :param kind: a class or a tuple of classes (no ABCs with hooks)
    """
    try:
        return issubclass(type(value), kind)
    except Exception:  # noqa: BLE001  a metaclass hook on kind
        return False


def read_magic(f_locals: Mapping[str, Any], f_globals: Mapping[str, Any]) -> Magic:
    """Read a frame's magic variables: locals first, then (but for info) globals.

    :param f_locals: the frame's locals (a hostile mapping is tolerated)
    :param f_globals: the frame's globals
    """
    if (
        type(f_locals) is dict
        and type(f_globals) is dict
        and f_locals.keys().isdisjoint(MAGIC_NAMES)
        and f_globals.keys().isdisjoint(MAGIC_NAMES)
    ):
        return Magic()  # most frames set none: six lookups saved per frame
    problems: list[str] = []

    def lookup(name: str, use_globals: bool = True) -> Any:
        try:
            value = f_locals.get(name, _MISSING)
            if value is _MISSING and use_globals:
                value = f_globals.get(name, _MISSING)
        except Exception as error:  # noqa: BLE001
            problems.append(f"{name} could not be read: {error_summary(error)}")
            return _MISSING
        return value

    def present(name: str, use_globals: bool = True) -> Any:
        value = lookup(name, use_globals)
        return None if value is _MISSING else value

    magic = Magic(
        supplement=present("__traceback_supplement__"),
        info=present("__traceback_info__", use_globals=False),
        log=present("__traceback_log__"),
        problems=problems,
    )
    hide = lookup("__traceback_hide__")
    if hide is _MISSING:
        # pytest's and IPython's spelling, a hide value like Paste's (a callable,
        # pytest's filter of an ExceptionInfo, cannot be asked here: it hides).
        hide = lookup("__tracebackhide__")
    if hide is not _MISSING:  # even None counts: it becomes False
        magic.hide, problem = _hide(hide)
        if problem:
            problems.append(problem)
    decorator = present("__traceback_decorator__")
    if decorator is not None:
        magic.decorators.append(decorator)
    reporter = present("__traceback_reporter__")
    if reporter is not None:
        if is_a(reporter, (list, tuple)):
            try:
                magic.reporters.extend(list(cast("list[object]", reporter)))
            except Exception as error:  # noqa: BLE001
                problems.append(
                    f"__traceback_reporter__ could not be read: {error_summary(error)}; ignored"
                )
        else:
            magic.reporters.append(reporter)
    return magic


def hide_value(value: object) -> bool | str:
    """Normalise a ``__traceback_hide__`` value: one of :data:`HIDE_VALUES` or a bool; never raise.

    A ``str`` subclass is read as the plain string it holds (its own hooks,
    ``__hash__`` and ``__eq__`` included, are never called); a value whose
    truth cannot be told hides its frame.
    """
    return _hide(value)[0]


def hide_rule(value: object) -> HideRule:
    """Return the rule of a ``__traceback_hide__`` value as found (normalised first); never raise.

    :param value: the value, raw or as collected
    """
    return HIDE_RULES[_hide(value)[0]]


def _hide(value: object) -> tuple[bool | str, str | None]:
    """:func:`hide_value` and the sentence saying why the value was not understood."""
    if is_a(value, str):
        text = str.__str__(cast("str", value))
        return (text if text in HIDE_VALUES else bool(text)), None
    try:
        return bool(value), None
    except Exception as error:  # noqa: BLE001
        return True, f"__traceback_hide__ could not be read: {error_summary(error)}; taken as true"


def apply_decorators(result: _T, decorators: list[object]) -> tuple[_T, list[str]]:
    """Run ``__traceback_decorator__`` callables over a finished report.

    A decorator may change the report in place or return a new one of the
    same type; anything else is ignored with a note.

    :param result: the report
    :param decorators: the decorators, outermost frame's first
    :returns: the (possibly new) report and the notes on failing decorators
    """
    notes: list[str] = []
    for decorator in decorators:
        label = f"__traceback_decorator__ {safe_repr(decorator, 200)}"
        if not callable(decorator):
            notes.append(f"{label} is not callable")
            continue
        try:
            new = decorator(result)
        except Exception as error:  # noqa: BLE001
            notes.append(f"{label} raised {error_summary(error)}")
            continue
        if is_a(new, type(result)):
            result = new
        elif new is not None:
            notes.append(
                f"{label} returned {_type_name(new)}, not a {type(result).__name__}; ignored"
            )
    return result, notes


def run_reporters(result: object, reporters: list[object]) -> list[str]:
    """Hand a finished report to ``__traceback_reporter__`` reporters.

    A reporter is an object with ``report(exc_data)`` or a callable. Reports
    made by the reporters themselves run none (no recursion).

    :param result: the report
    :param reporters: the reporters, innermost frame's first
    :returns: one line per failing reporter
    """
    if getattr(_local, "reporting", False):
        return []
    errors: list[str] = []
    _local.reporting = True
    try:
        for reporter in reporters:
            try:
                report = getattr(reporter, "report", None)
                if callable(report):
                    report(result)
                elif callable(reporter):
                    reporter(result)
                else:
                    errors.append(f"{safe_repr(reporter, 200)} has no report() method")
            except Exception as error:  # noqa: BLE001
                errors.append(f"{safe_repr(reporter, 200)} failed: {error_summary(error)}")
    finally:
        _local.reporting = False
    return errors
