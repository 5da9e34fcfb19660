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

import contextlib
import dataclasses
import functools
import hashlib
import itertools
import linecache
import secrets
import sys
import sysconfig
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import CodeType, FrameType, TracebackType
from typing import Any

from paste_exc._saferepr import safe_repr, safe_str, truncate_text
from paste_exc.errors import ConfigError
from paste_exc.redact import REDACTED, Redactor, default_redactor

__all__ = [
    "CACHE_ATTRIBUTE",
    "DEBUG_EXCEPTION_FORMATTER",
    "DEBUG_IDENT_PREFIX",
    "DEFAULT_LIMIT",
    "FALLBACK_ENCODING",
    "IMPORTANCE_LEVELS",
    "Bunch",
    "CollectedException",
    "ExceptionCollector",
    "ExceptionFrame",
    "ExtraKey",
    "ExtraValue",
    "LocalVariable",
    "SupplementaryData",
    "SyntaxErrorDetails",
    "collect_exception",
    "collected_data",
    "hash_identifier",
    "make_identifier",
]

#: An extra-data key: ``(importance, title)``, importance one of
#: ``important``, ``normal``, ``supplemental``, ``extra``.
ExtraKey = tuple[str, str]
#: An inert extra-data value: a string, a mapping of name → repr string, or a
#: sequence of repr strings.
ExtraValue = str | dict[str, str] | tuple[str, ...]

IMPORTANCE_LEVELS = ("important", "normal", "supplemental", "extra")

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
#: Count bounds.
MAX_LOCALS = 100
MAX_NOTES = 50
MAX_WARNINGS = 50
MAX_SEQUENCE = 200
MAX_CHAIN_DEPTH = 32
MAX_GROUP_WIDTH = 15
MAX_GROUP_DEPTH = 10
MAX_EXCEPTIONS = 200

_GOOD_CHARACTERS = "23456789abcdefghjkmnpqrtuvwxyz"
_HIDE_VALUES = frozenset(
    {"before", "before_and_this", "after", "after_and_this", "reset", "reset_and_this"}
)
_MAGIC_PREFIX = "__traceback_"


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
    #: Locals left out to keep the report bounded.
    omitted_locals: int = 0

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

    def as_json_dict(self) -> dict[str, Any]:
        """Return this report as JSON-encodable data.

        :func:`dataclasses.asdict` keeps the ``(importance, title)`` tuple keys
        of :attr:`extra_data`, which JSON cannot hold; here every extra-data
        mapping becomes a list of ``{"importance", "title", "values"}``
        objects and :attr:`date` an ISO 8601 string.
        """
        data: dict[str, Any] = _jsonable(dataclasses.asdict(self))
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, time.struct_time):
        return time.strftime("%Y-%m-%dT%H:%M:%S%z", value)
    if isinstance(value, dict):
        if any(isinstance(key, tuple) for key in value):
            return [
                {"importance": key[0], "title": key[1], "values": _jsonable(item)}
                for key, item in value.items()
            ]
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


# -- identification codes (Paste's algorithm) -------------------------------------------


def make_identifier(number: int) -> str:
    """Encode a non-negative integer in base 30, least significant digit first.

    Paste's ``serial_number_generator.make_identifier``: the digits are
    ``23456789abcdefghjkmnpqrtuvwxyz`` (no look-alikes); ``0`` gives ``""``.

    :param number: the integer to encode
    :raises ValueError: for a negative number or a non-integer
    """
    if not isinstance(number, int):
        raise ValueError(f"only integers make identifiers, not {safe_repr(number, 100)}")
    if number < 0:
        raise ValueError(f"negative numbers make no identifiers: {number}")
    digits: list[str] = []
    base = len(_GOOD_CHARACTERS)
    while number:
        number, digit = divmod(number, base)
        digits.append(_GOOD_CHARACTERS[digit])
    return "".join(digits)


def hash_identifier(
    s: str | bytes | object,
    length: int,
    pad: bool = True,
    prefix: str = "",
    group: int | None = None,
    upper: bool = False,
) -> str:
    """Hash *s* with MD5 into a short, readable identifier (Paste's algorithm).

    The digest, read as a big-endian number modulo ``30 ** length``, is
    encoded with :func:`make_identifier`, padded with ``2`` (the zero digit)
    on the left, optionally grouped with ``-`` every *group* characters
    from the right, upper-cased, and prefixed.

    :param s: the text to hash (non-strings are ``str()``-ed; text is UTF-8)
    :param length: the identifier length, at most 26
    :param pad: pad to *length*
    :param prefix: prepended last (``E-``)
    :param group: group size, or ``None``
    :param upper: upper-case the result
    :raises ValueError: for a length above 26
    """
    if length > 26:
        raise ValueError(f"md5 cannot make identifiers longer than 26 characters (got {length})")
    if isinstance(s, str):
        data = s.encode("utf-8")
    elif isinstance(s, bytes):
        data = s
    else:
        data = safe_str(s, sys.maxsize).encode("utf-8")
    modulo = len(_GOOD_CHARACTERS) ** length
    number = int.from_bytes(hashlib.md5(data, usedforsecurity=False).digest(), "big") % modulo
    ident = make_identifier(number)
    if pad:
        ident = _GOOD_CHARACTERS[0] * (length - len(ident)) + ident
    if group:
        parts: list[str] = []
        while ident:
            parts.insert(0, ident[-group:])
            ident = ident[:-group]
        ident = "-".join(parts)
    if upper:
        ident = ident.upper()
    return prefix + ident


def _occurrence_id() -> str:
    digits = make_identifier(secrets.randbits(58)).rjust(12, _GOOD_CHARACTERS[0]).upper()
    return "-".join(digits[i : i + 4] for i in range(0, 12, 4))


# -- helpers --------------------------------------------------------------------------


@functools.lru_cache(maxsize=2048)
def _is_library(filename: str) -> bool:
    if filename.startswith("<frozen "):
        return True
    if "/site-packages/" in filename or "/dist-packages/" in filename:
        return True
    if "\\site-packages\\" in filename:
        return True
    return filename.startswith(_library_prefixes())


@functools.lru_cache(maxsize=1)
def _library_prefixes() -> tuple[str, ...]:
    prefixes: set[str] = set()
    try:
        paths = sysconfig.get_paths()
    except Exception:  # noqa: BLE001
        paths = {}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = paths.get(key)
        if path:
            prefixes.add(path.rstrip("/\\") + ("\\" if "\\" in path else "/"))
    return tuple(sorted(prefixes))


def _error_summary(error: BaseException) -> str:
    return f"{type(error).__name__}: {safe_str(error, 300)}"


def _error_traceback(error: BaseException) -> str:
    try:
        lines = traceback.format_exception(type(error), error, error.__traceback__, chain=False)
        return truncate_text("".join(lines), INFO_LIMIT)
    except Exception:  # noqa: BLE001
        return _error_summary(error) + "\n"


def _as_int(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    try:
        number: int = int(value)  # type: ignore[call-overload]
        return number
    except Exception:  # noqa: BLE001
        return None


def _type_label(etype: object) -> tuple[str, str, str]:
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


class _Entry:
    """One kept traceback entry during collection (dropped when it ends)."""

    __slots__ = ("lasti", "lineno", "repeated", "tb")

    def __init__(self, tb: TracebackType, repeated: int) -> None:
        self.tb = tb
        self.lineno: int | None = _as_int(tb.tb_lineno)
        self.lasti = tb.tb_lasti
        self.repeated = repeated


class _Walk:
    """The state of one :func:`collect_exception` call."""

    def __init__(self, redactor: Redactor, collect_locals: bool) -> None:
        self.redactor = redactor
        self.collect_locals = collect_locals
        self.seen: set[int] = set()
        self.budget = MAX_EXCEPTIONS
        self.reporters: list[object] = []
        self.reporter_ids: set[int] = set()
        self.sources: dict[str, list[str]] = {}


_local = threading.local()


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
    :raises paste_exc.errors.ConfigError: for a limit that is not an integer
    """

    #: Paste's switch: record ``__revision__``/``__version__`` of modules.
    show_revisions = False

    def __init__(
        self,
        limit: int | None = None,
        *,
        collect_locals: bool = False,
        redactor: Redactor | None = None,
    ) -> None:
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise ConfigError("limit", f"expected an integer or None, got {safe_repr(limit, 100)}")
        self.limit = limit
        self.collect_locals = collect_locals
        self.redactor = redactor if redactor is not None else default_redactor

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
        name, module, _ = _type_label(etype)
        text = self.redactor.redact_text(safe_str(value, VALUE_LIMIT)) if value is not None else ""
        return self._format_only(etype, value, name, module, text, self._notes(value, []), None)

    def collectSupplement(
        self, supplement: object, tb: TracebackType | None = None
    ) -> SupplementaryData:
        """Copy the fixed attributes of a supplement object into plain data.

        Errors are swallowed here; :meth:`collectLine` records them.

        :param supplement: the object a ``__traceback_supplement__`` factory made
        :param tb: unused (Paste's signature)
        """
        return self._supplement_data(supplement, [])

    def collectLine(
        self, tb: TracebackType, extra_data: dict[ExtraKey, list[ExtraValue]]
    ) -> dict[str, object]:
        """Collect one traceback entry; return the fields of an :class:`ExceptionFrame`.

        Supplement extra data is appended to *extra_data*, as in Paste.

        :param tb: the traceback entry
        :param extra_data: the report's extra data, updated in place
        """
        walk = _Walk(self.redactor, self.collect_locals)
        frame = self._frame(_Entry(tb, 0), walk, extra_data, [], [])
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

    # the work -----------------------------------------------------------------------

    def collect(
        self,
        etype: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
        limit: int | None = None,
        *,
        run_reporters: bool = True,
    ) -> CollectedException:
        """Collect an exception; never raise (the snake_case spelling).

        :param etype: the exception class
        :param value: the exception
        :param tb: its traceback
        :param limit: overrides the collector's limit for this call
        :param run_reporters: hand the report to ``__traceback_reporter__``
            reporters (:func:`collected_data` collects a second time without)
        """
        __exception_formatter__ = 1  # noqa: F841 - Paste's marker against recursion
        notes: list[str] = []
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            notes.append(f"the limit {safe_repr(limit, 50)} is not an integer; ignored")
            limit = None
        if limit is None:
            limit = self.getLimit()
        walk = _Walk(self.redactor, self.collect_locals)
        try:
            result = self._collect_one(etype, value, tb, limit, walk, 0, 0, notes)
        except Exception as error:  # noqa: BLE001
            result = self._fallback(etype, error)
        if run_reporters and walk.reporters and not getattr(_local, "reporting", False):
            result = self._run_reporters(result, walk.reporters)
        return result

    def _fallback(self, etype: object, error: Exception) -> CollectedException:
        name, module, label = _type_label(etype)
        note = f"collection failed: {_error_summary(error)}"
        return CollectedException(
            exception_type=name,
            exception_module=module,
            exception_formatted=f"{name}\n",
            identification_code=hash_identifier(
                label, length=5, upper=True, prefix=DEBUG_IDENT_PREFIX
            ),
            occurrence_id=_occurrence_id(),
            timestamp=time.time(),
            collection_notes=(note,),
            locals_collected=self.collect_locals,
        )

    def _run_reporters(
        self, result: CollectedException, reporters: list[object]
    ) -> CollectedException:
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
                    errors.append(f"{safe_repr(reporter, 200)} failed: {_error_summary(error)}")
        finally:
            _local.reporting = False
        if errors:
            result = dataclasses.replace(result, reporter_errors=tuple(errors))
        return result

    def _collect_one(
        self,
        etype: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
        limit: int | None,
        walk: _Walk,
        chain_depth: int,
        group_depth: int,
        notes: list[str],
    ) -> CollectedException:
        walk.budget -= 1
        if value is not None:
            walk.seen.add(id(value))
        if etype is None and value is not None:
            etype = type(value)
        name, module, label = _type_label(etype)
        extra_data: dict[ExtraKey, list[ExtraValue]] = {}
        decorators: list[object] = []
        frames, ident_parts, omitted, omitted_at = self._walk_traceback(
            tb, limit, walk, extra_data, decorators, notes
        )
        ident_parts.append(label)
        ident = hash_identifier(
            " ".join(ident_parts), length=5, upper=True, prefix=DEBUG_IDENT_PREFIX
        )
        text = ""
        if value is not None:
            text = self.redactor.redact_text(safe_str(value, VALUE_LIMIT))
            if text.startswith(("<unprintable ", "<unrepresentable ")):
                notes.append(f"str() of the {name} failed: {text}")
        exc_notes = self._notes(value, notes)
        syntax = self._syntax_error(value) if isinstance(value, SyntaxError) else None
        formatted = "".join(self._format_only(etype, value, name, module, text, exc_notes, syntax))
        if isinstance(value, ImportError):
            paths = tuple(safe_str(path, REPR_LIMIT) for path in list(sys.path)[:MAX_SEQUENCE])
            extra_data.setdefault(("important", "sys.path"), []).append(paths)
        cause = context = None
        suppress = False
        omitted_exceptions = 0
        if isinstance(value, BaseException):
            suppress = bool(getattr(value, "__suppress_context__", False))
            links = (getattr(value, "__cause__", None), getattr(value, "__context__", None))
            if chain_depth >= MAX_CHAIN_DEPTH:
                omitted_exceptions += sum(1 for link in links if link is not None)
            else:
                cause = self._link(links[0], walk, chain_depth, group_depth)
                if links[0] is not None and cause is None:
                    omitted_exceptions += 1
                if links[1] is not None and cause is None and not suppress:
                    context = self._link(links[1], walk, chain_depth, group_depth)
                    if context is None:
                        omitted_exceptions += 1
        members: list[CollectedException] = []
        is_group = isinstance(value, BaseExceptionGroup)
        if isinstance(value, BaseExceptionGroup):
            try:
                group = tuple(value.exceptions)
            except Exception:  # noqa: BLE001
                group = ()
            for member in group:
                if len(members) >= MAX_GROUP_WIDTH or group_depth >= MAX_GROUP_DEPTH:
                    omitted_exceptions += 1
                    continue
                collected = self._link(member, walk, 0, group_depth + 1)
                if collected is None:
                    omitted_exceptions += 1
                else:
                    members.append(collected)
        request_method = request_url = None
        for frame in reversed(frames):
            if frame.supplement is not None and frame.supplement.source_url is not None:
                request_url = frame.supplement.source_url
                request_method = frame.supplement.request_method
                break
        timestamp = time.time()
        result = CollectedException(
            frames=tuple(frames),
            exception_formatted=formatted,
            exception_type=name,
            exception_value=text,
            identification_code=ident,
            date=time.localtime(timestamp),
            extra_data=extra_data,
            exception_module=module,
            occurrence_id=_occurrence_id(),
            timestamp=timestamp,
            notes=tuple(exc_notes),
            cause=cause,
            context=context,
            suppress_context=suppress,
            is_group=is_group,
            exceptions=tuple(members),
            omitted_exceptions=omitted_exceptions,
            omitted_frames=omitted,
            syntax_error=syntax,
            collection_notes=tuple(notes),
            request_method=request_method,
            request_url=request_url,
            locals_collected=walk.collect_locals,
            omitted_frames_at=omitted_at,
        )
        return self._decorate(result, decorators)

    def _link(
        self, link: object, walk: _Walk, chain_depth: int, group_depth: int
    ) -> CollectedException | None:
        if not isinstance(link, BaseException):
            return None
        if id(link) in walk.seen:
            name, module, _ = _type_label(type(link))
            text = self.redactor.redact_text(safe_str(link, REPR_LIMIT))
            return CollectedException(
                exception_type=name,
                exception_module=module,
                exception_value=text,
                exception_formatted=f"{name}: {text}\n" if text else f"{name}\n",
                is_cycle=True,
            )
        if walk.budget <= 0:
            return None
        return self._collect_one(
            type(link), link, link.__traceback__, None, walk, chain_depth + 1, group_depth, []
        )

    def _decorate(self, result: CollectedException, decorators: list[object]) -> CollectedException:
        for decorator in decorators:
            note = None
            try:
                if not callable(decorator):
                    note = f"__traceback_decorator__ {safe_repr(decorator, 200)} is not callable"
                else:
                    new = decorator(result)
                    if isinstance(new, CollectedException):
                        result = new
                    elif new is not None:
                        note = (
                            f"__traceback_decorator__ {safe_repr(decorator, 200)} returned "
                            f"{type(new).__name__}, not a CollectedException; ignored"
                        )
            except Exception as error:  # noqa: BLE001
                note = (
                    f"__traceback_decorator__ {safe_repr(decorator, 200)} raised "
                    f"{_error_summary(error)}"
                )
            if note is not None:
                result = dataclasses.replace(
                    result, collection_notes=(*result.collection_notes, note)
                )
        return result

    def _walk_traceback(
        self,
        tb: object,
        limit: int | None,
        walk: _Walk,
        extra_data: dict[ExtraKey, list[ExtraValue]],
        decorators: list[object],
        notes: list[str],
    ) -> tuple[list[ExceptionFrame], list[str], int, str]:
        if tb is not None and not isinstance(tb, TracebackType):
            notes.append(f"not a traceback: {safe_repr(tb, 100)}")
            tb = None
        raw: list[TracebackType] = []
        current = tb if isinstance(tb, TracebackType) else None
        while current is not None:
            raw.append(current)
            current = current.tb_next
        # Paste's identification code: module and function of every entry
        # within the limit, outermost first.
        ident_entries = raw if limit is None else raw[: max(limit, 0)]
        ident_parts: list[str] = []
        for raw_entry in ident_entries:
            frame = raw_entry.tb_frame
            modname = frame.f_globals.get("__name__")
            ident_parts.append(safe_str(modname, NAME_LIMIT) if modname else "?")
            ident_parts.append(frame.f_code.co_name or "?")
        omitted = 0
        omitted_at = ""
        if limit is not None:
            kept = raw[:limit] if limit >= 0 else raw[limit:]
            omitted = len(raw) - len(kept)
            omitted_at = "inner" if limit >= 0 else "outer"
        else:
            kept = raw
        entries = self._fold(kept)
        if limit is None and len(entries) > DEFAULT_LIMIT:
            dropped = entries[:-DEFAULT_LIMIT]
            entries = entries[-DEFAULT_LIMIT:]
            omitted = sum(1 + entry.repeated for entry in dropped)
            omitted_at = "outer"
        if not omitted:
            omitted_at = ""
        frames: list[ExceptionFrame] = []
        reporters: list[list[object]] = []
        decorator_ids: set[int] = set()
        for entry in entries:
            frame_obj = entry.tb.tb_frame
            try:
                stop = "__exception_formatter__" in frame_obj.f_locals
            except Exception:  # noqa: BLE001
                stop = False
            if stop:
                notes.append("(Recursive formatException() stopped)")
                break
            frame_decorators: list[object] = []
            frame_reporters: list[object] = []
            frames.append(self._frame(entry, walk, extra_data, frame_decorators, frame_reporters))
            reporters.append(frame_reporters)
            for decorator in frame_decorators:
                if id(decorator) not in decorator_ids:
                    decorator_ids.add(id(decorator))
                    decorators.append(decorator)
        # Innermost frame first; a frame's own list keeps its order.
        for reporter in itertools.chain.from_iterable(reversed(reporters)):
            if id(reporter) not in walk.reporter_ids:
                walk.reporter_ids.add(id(reporter))
                walk.reporters.append(reporter)
        return frames, ident_parts, omitted, omitted_at

    @staticmethod
    def _fold(raw: list[TracebackType]) -> list[_Entry]:
        entries: list[_Entry] = []
        previous_code: CodeType | None = None
        previous_line: int | None = None
        for tb in raw:
            code = tb.tb_frame.f_code
            line = tb.tb_lineno
            if entries and code is previous_code and line == previous_line:
                entries[-1].repeated += 1
                continue
            entries.append(_Entry(tb, 0))
            previous_code, previous_line = code, line
        return entries

    def _frame(
        self,
        entry: _Entry,
        walk: _Walk,
        extra_data: dict[ExtraKey, list[ExtraValue]],
        decorators: list[object],
        reporters: list[object],
    ) -> ExceptionFrame:
        frame: FrameType = entry.tb.tb_frame
        code = frame.f_code
        f_globals = frame.f_globals
        f_locals: Mapping[str, Any]
        try:
            raw_locals: object = frame.f_locals
        except Exception:  # noqa: BLE001
            raw_locals = {}
        f_locals = raw_locals if isinstance(raw_locals, Mapping) else {}
        fields: dict[str, Any] = {}
        missing = object()

        def lookup(name: str, use_globals: bool) -> Any:
            try:
                value = f_locals.get(name, missing)
                if value is missing and use_globals:
                    value = f_globals.get(name, missing)
            except Exception:  # noqa: BLE001
                return missing
            return value

        modname = f_globals.get("__name__")
        filename = safe_str(code.co_filename, VALUE_LIMIT)
        lineno = entry.lineno
        supplement = lookup("__traceback_supplement__", True)
        if supplement is not missing and supplement is not None:
            data, error_text = self._supplement(supplement, walk)
            fields["supplement"] = data
            fields["supplement_exception"] = error_text
            if data is not None and data.extra:
                for key, value in data.extra.items():
                    extra_data.setdefault(key, []).append(value)
        info = lookup("__traceback_info__", False)
        if info is not missing and info is not None:
            fields["traceback_info"] = walk.redactor.redact_text(safe_str(info, INFO_LIMIT))
        hide = lookup("__traceback_hide__", True)
        if hide is not missing:
            fields["traceback_hide"] = self._hide_value(hide)
        log = lookup("__traceback_log__", True)
        if log is not missing and log is not None:
            fields["traceback_log"] = walk.redactor.redact_text(safe_str(log, INFO_LIMIT))
        decorator = lookup("__traceback_decorator__", True)
        if decorator is not missing and decorator is not None:
            decorators.append(decorator)
        reporter = lookup("__traceback_reporter__", True)
        if reporter is not missing and reporter is not None:
            found = list(reporter) if isinstance(reporter, list | tuple) else [reporter]
            reporters.extend(found)
        colno = end_colno = end_lineno = None
        if entry.lasti >= 0:
            try:
                positions = next(itertools.islice(code.co_positions(), entry.lasti // 2, None))
                end_lineno, colno, end_colno = positions[1], positions[2], positions[3]
            except Exception:  # noqa: BLE001
                positions = None
        lines = self._source(filename, f_globals, walk)
        context_lines: tuple[str, ...] = ()
        context_start = None
        if lines and lineno is not None and 0 < lineno <= len(lines):
            last = min(max(lineno, end_lineno or lineno), lineno + 20) + CONTEXT_LINES
            context_start = max(lineno - CONTEXT_LINES, 1)
            context_lines = tuple(lines[context_start - 1 : min(last, len(lines))])
            if colno is not None:
                colno = _char_offset(lines[lineno - 1], colno)
            if end_colno is not None and end_lineno is not None and 0 < end_lineno <= len(lines):
                end_colno = _char_offset(lines[end_lineno - 1], end_colno)
        local_vars = None
        omitted_locals = 0
        if walk.collect_locals:
            local_vars, omitted_locals = self._locals(f_locals, walk.redactor)
        return ExceptionFrame(
            modname=safe_str(modname, NAME_LIMIT) if modname is not None else None,
            filename=filename,
            lineno=lineno,
            revision=self.getRevision(f_globals),
            name=safe_str(code.co_name, NAME_LIMIT),
            tbid=id(entry.tb),
            qualname=safe_str(code.co_qualname, NAME_LIMIT),
            end_lineno=end_lineno,
            colno=colno,
            end_colno=end_colno,
            context_lines=context_lines,
            context_start=context_start,
            locals=local_vars,
            is_library=_is_library(filename),
            repeated=entry.repeated,
            omitted_locals=omitted_locals,
            **fields,
        )

    @staticmethod
    def _hide_value(value: object) -> bool | str:
        if isinstance(value, str):
            return value if value in _HIDE_VALUES else bool(value)
        try:
            return bool(value)
        except Exception:  # noqa: BLE001
            return True

    def _source(self, filename: str, f_globals: dict[str, Any], walk: _Walk) -> list[str]:
        lines = walk.sources.get(filename)
        if lines is None:
            try:
                raw = linecache.getlines(filename, f_globals)
            except Exception:  # noqa: BLE001
                raw = []
            lines = [
                truncate_text(safe_str(line, sys.maxsize).rstrip("\r\n"), SOURCE_LINE_LIMIT)
                for line in raw
            ]
            walk.sources[filename] = lines
        return lines

    @staticmethod
    def _locals(
        f_locals: Mapping[str, Any], redactor: Redactor
    ) -> tuple[tuple[LocalVariable, ...], int]:
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
            text, redacted = redactor.redact_item(name, safe_repr(value, REPR_LIMIT))
            result.append(LocalVariable(safe_str(name, NAME_LIMIT), text, redacted))
        return tuple(result), omitted

    # supplements ----------------------------------------------------------------------

    def _supplement(self, spec: object, walk: _Walk) -> tuple[SupplementaryData | None, str | None]:
        if not isinstance(spec, tuple | list) or not spec:
            return None, (
                "__traceback_supplement__ must be a (factory, *args) tuple, got "
                f"{safe_repr(spec, 200)}\n"
            )
        factory, *args = spec
        try:
            supplement = factory(*args)
        except Exception as error:  # noqa: BLE001
            return None, self._redacted_error(error, walk)
        errors: list[str] = []
        data = self._supplement_data(supplement, errors, walk.redactor)
        return data, "".join(errors) or None

    def _redacted_error(self, error: BaseException, walk: _Walk | None = None) -> str:
        redactor = walk.redactor if walk is not None else self.redactor
        if not DEBUG_EXCEPTION_FORMATTER:
            return redactor.redact_text(_error_summary(error)) + "\n"
        return redactor.redact_text(_error_traceback(error))

    def _supplement_data(
        self, supplement: object, errors: list[str], redactor: Redactor | None = None
    ) -> SupplementaryData:
        redactor = redactor if redactor is not None else self.redactor
        values: dict[str, Any] = {}
        for name in ("object", "source_url", "line", "column", "expression", "warnings"):
            try:
                values[name] = getattr(supplement, name, None)
            except Exception as error:  # noqa: BLE001
                errors.append(self._redacted_error(error))
                values[name] = None
        try:
            method = getattr(supplement, "request_method", None)
        except Exception as error:  # noqa: BLE001
            errors.append(self._redacted_error(error))
            method = None
        info = None
        try:
            get_info = getattr(supplement, "getInfo", None)
            if get_info is not None:
                info = redactor.redact_text(safe_str(get_info(), INFO_LIMIT))
        except Exception as error:  # noqa: BLE001
            errors.append(self._redacted_error(error))
        extra = None
        try:
            extra_data = getattr(supplement, "extraData", None)
            if extra_data is not None:
                extra = self._extra(extra_data(), redactor)
        except Exception as error:  # noqa: BLE001
            errors.append(self._redacted_error(error))
        obj = values["object"]
        warnings = values["warnings"]
        if warnings is None:
            warning_texts: tuple[str, ...] = ()
        elif isinstance(warnings, str):
            warning_texts = (redactor.redact_text(safe_str(warnings, INFO_LIMIT)),)
        else:
            try:
                warning_texts = tuple(
                    redactor.redact_text(safe_str(item, INFO_LIMIT))
                    for item in itertools.islice(warnings, MAX_WARNINGS)
                )
            except Exception as error:  # noqa: BLE001
                errors.append(self._redacted_error(error))
                warning_texts = ()
        return SupplementaryData(
            object=None
            if obj is None
            else (
                safe_str(obj, REPR_LIMIT) if isinstance(obj, str) else safe_repr(obj, REPR_LIMIT)
            ),
            source_url=_optional_text(values["source_url"], redactor),
            line=_as_int(values["line"]),
            column=_as_int(values["column"]),
            expression=_optional_text(values["expression"], redactor),
            warnings=warning_texts,
            info=info,
            extra=extra,
            request_method=_optional_text(method, redactor, NAME_LIMIT),
        )

    def _extra(self, data: object, redactor: Redactor) -> dict[ExtraKey, ExtraValue]:
        if not isinstance(data, Mapping):
            raise TypeError(f"extraData() returned {type(data).__name__}, not a mapping")
        result: dict[ExtraKey, ExtraValue] = {}
        for key, value in itertools.islice(data.items(), MAX_SEQUENCE):
            if isinstance(key, tuple) and len(key) == 2:
                importance = safe_str(key[0], NAME_LIMIT)
                title = safe_str(key[1], NAME_LIMIT)
                if importance not in IMPORTANCE_LEVELS:
                    importance = "normal"
            else:
                importance, title = "normal", safe_str(key, NAME_LIMIT)
            result[(importance, title)] = _inert(title, value, redactor)
        return result

    # exception text -------------------------------------------------------------------

    @staticmethod
    def _notes(value: object, notes: list[str]) -> list[str]:
        if not isinstance(value, BaseException):
            return []
        try:
            raw = getattr(value, "__notes__", None)
        except Exception as error:  # noqa: BLE001
            notes.append(f"__notes__ could not be read: {_error_summary(error)}")
            return []
        if raw is None:
            return []
        if isinstance(raw, str) or not isinstance(raw, Iterable):
            return [safe_str(raw, INFO_LIMIT)]
        try:
            return [safe_str(note, INFO_LIMIT) for note in itertools.islice(raw, MAX_NOTES)]
        except Exception as error:  # noqa: BLE001
            notes.append(f"__notes__ could not be read: {_error_summary(error)}")
            return []

    @staticmethod
    def _syntax_error(value: SyntaxError) -> SyntaxErrorDetails:
        def text(name: str) -> str | None:
            item = getattr(value, name, None)
            return None if item is None else safe_str(item, INFO_LIMIT)

        def number(name: str) -> int | None:
            return _as_int(getattr(value, name, None))

        return SyntaxErrorDetails(
            filename=text("filename"),
            lineno=number("lineno"),
            offset=number("offset"),
            end_lineno=number("end_lineno"),
            end_offset=number("end_offset"),
            text=text("text"),
            msg=text("msg"),
        )

    @staticmethod
    def _format_only(
        etype: object,
        value: object,
        name: str,
        module: str,
        text: str,
        notes: list[str],
        syntax: SyntaxErrorDetails | None,
    ) -> list[str]:
        try:
            qualname = safe_str(getattr(etype, "__qualname__", None) or name, NAME_LIMIT)
        except Exception:  # noqa: BLE001
            qualname = name
        label = qualname if module in ("", "builtins", "__main__") else f"{module}.{qualname}"
        lines: list[str] = []
        if syntax is not None:
            lines.extend(_syntax_lines(syntax))
            suffix = ""
            if syntax.lineno is None and syntax.filename is not None:
                suffix = f" ({syntax.filename})"
            lines.append(f"{label}: {syntax.msg or '<no detail available>'}{suffix}\n")
        elif text:
            lines.append(f"{label}: {text}\n")
        else:
            lines.append(f"{label}\n")
        lines.extend(note + "\n" for note in notes)
        return lines


def _syntax_lines(syntax: SyntaxErrorDetails) -> list[str]:
    lines: list[str] = []
    if syntax.lineno is not None:
        lines.append(f'  File "{syntax.filename or "<string>"}", line {syntax.lineno}\n')
    if syntax.text is None:
        return lines
    stripped = syntax.text.rstrip("\n")
    shown = stripped.lstrip(" \n\f")
    indent = len(stripped) - len(shown)
    lines.append(f"    {shown}\n")
    if syntax.offset is not None:
        start = syntax.offset
        end = syntax.end_offset if syntax.end_offset not in (None, 0) else start
        if end is None or end == start or end == -1:
            end = start + 1
        first = start - 1 - indent
        last = min(end - 1 - indent, len(shown) + 1)
        if first >= 0:
            spaces = "".join(ch if ch.isspace() else " " for ch in shown[:first])
            lines.append(f"    {spaces}{'^' * max(last - first, 1)}\n")
    return lines


def _char_offset(line: str, byte_offset: int) -> int:
    """Turn a UTF-8 byte offset in *line* (what ``co_positions`` gives) into characters."""
    try:
        return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001
        return byte_offset


def _optional_text(value: object, redactor: Redactor, limit: int = INFO_LIMIT) -> str | None:
    if value is None:
        return None
    return redactor.redact_text(safe_str(value, limit))


def _inert(title: str, value: object, redactor: Redactor) -> ExtraValue:
    if redactor.is_secret_name(title):
        return REDACTED
    if isinstance(value, str):
        return redactor.redact_text(safe_str(value, VALUE_LIMIT))
    if isinstance(value, Mapping):
        return redactor.redact_mapping(value, limit=REPR_LIMIT)
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(
            redactor.redact_text(safe_repr(item, REPR_LIMIT))
            for item in itertools.islice(value, MAX_SEQUENCE)
        )
    return redactor.redact_text(safe_repr(value, REPR_LIMIT))


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
    """
    collector = col
    if collect_locals or redactor is not None:
        collector = ExceptionCollector(collect_locals=collect_locals, redactor=redactor)
    return collector.collect(t, v, tb, limit)


#: The attribute where :func:`collected_data` keeps a report on its exception.
CACHE_ATTRIBUTE = "__paste_exc_collected__"


def collected_data(
    exception: BaseException,
    *,
    collect_locals: bool = False,
    redactor: Redactor | None = None,
) -> CollectedException:
    """Return the report of *exception*, collecting it only the first time.

    The report is stored on the exception (attribute
    ``__paste_exc_collected__``), so every reporter, formatter and middleware
    that asks for the same exception gets the same object and the traceback is
    walked once. Asking with ``collect_locals=True`` after a collection
    without locals collects again (without calling ``__traceback_reporter__``
    reporters a second time) and keeps the richer report.

    :param exception: the exception (its ``__traceback__`` is used)
    :param collect_locals: whether the report must hold the frames' locals
    :param redactor: the redactor for a first collection
    """
    cached: object = None
    try:
        cached = getattr(exception, CACHE_ATTRIBUTE, None)
    except Exception:  # noqa: BLE001
        cached = None
    if isinstance(cached, CollectedException) and (cached.locals_collected or not collect_locals):
        return cached
    collector = ExceptionCollector(collect_locals=collect_locals, redactor=redactor)
    try:
        tb = exception.__traceback__
    except Exception:  # noqa: BLE001
        tb = None
    result = collector.collect(
        type(exception), exception, tb, run_reporters=not isinstance(cached, CollectedException)
    )
    # An exception that refuses attributes is simply collected each time.
    with contextlib.suppress(Exception):
        setattr(exception, CACHE_ATTRIBUTE, result)
    return result
