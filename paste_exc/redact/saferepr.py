"""Guarded, size-bounded ``str()`` and ``repr()`` of user objects.

Part of the collect stage. Every ``str()`` or ``repr()`` that paste_exc makes
of an object it does not own goes through :func:`safe_str` or
:func:`safe_repr`: they never raise, always return a real :class:`str` of
bounded size, and turn undecodable text (lone surrogates) into visible
escapes, so the result can be written to any UTF-8 stream.

.. versionadded:: 0.1
"""

from __future__ import annotations

import array
import collections
import reprlib
import time
from typing import Final, cast

__all__ = ["HOSTILE_ERRORS", "MARKER", "OUT_OF_TIME", "safe_repr", "safe_str", "truncate_text"]

#: The start of the marker appended to truncated text.
MARKER = "… ["


def truncate_text(text: str, limit: int) -> str:
    """Cut *text* to *limit* characters, saying how much was cut.

    ``truncate_text("abcdef", 3)`` is ``"abc… [3 more characters]"``. Text
    that fits is returned unchanged.

    :param text: the text to bound
    :param limit: the most characters of *text* to keep (at least 0)
    """
    limit = max(limit, 0)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}{MARKER}{len(text) - limit} more characters]"


def _clean(text: str) -> str:
    """Return *text* as an exact :class:`str` that encodes to UTF-8."""
    if type(text) is str and text.isascii():  # O(1): the common case
        return text
    if type(text) is not str:
        text = str.__str__(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _type_name(obj: object) -> str:
    try:
        name = type(obj).__qualname__
    except Exception:  # noqa: BLE001  # pragma: no cover - type objects always have names
        return "object"
    return name if type(name) is str else "object"


def _placeholder(obj: object, method: str, error: BaseException) -> str:
    what = "unprintable" if method == "__str__" else "unrepresentable"
    if isinstance(error, TypeError) and "non-string" in _error_text(error):
        reason = f"{method} returned non-string"
    else:
        reason = f"{method} raised {_type_name(error)}"
    return f"<{what} {_type_name(obj)} object: {reason}>"


def _error_text(error: BaseException) -> str:
    try:
        return str.__str__(str(error)) if type(error) is TypeError else ""
    except Exception:  # noqa: BLE001
        return ""


#: What an item of a container shows when the time given for the repr ran out.
OUT_OF_TIME = "<not shown: out of time>"


#: What a hostile ``__repr__`` or ``__str__`` may raise that ends only that
#: repr: every :class:`Exception`, and the two exits a method has no business
#: raising (:class:`SystemExit` from a repr must not end the process, nor leave
#: a request without its answer). :class:`KeyboardInterrupt` and other
#: control-flow exceptions of the frameworks still propagate.
HOSTILE_ERRORS: Final = (Exception, SystemExit, GeneratorExit)


class _BoundedRepr(reprlib.Repr):
    """:class:`reprlib.Repr` whose per-object ``repr()`` is guarded."""

    #: A :func:`time.perf_counter` time after which items are not represented.
    deadline: float | None = None

    def repr_instance(self, x: object, level: int) -> str:
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            return OUT_OF_TIME
        try:
            text = repr(x)
        except HOSTILE_ERRORS as error:
            return _placeholder(x, "__repr__", error)
        return truncate_text(_clean(text), self.maxother)

    def repr_str(self, x: str, level: int) -> str:
        # Cut before quoting, and say how much was cut (reprlib elides the middle).
        if len(x) <= self.maxstring:
            return repr(x)
        return f"{x[: self.maxstring]!r}{MARKER}{len(x) - self.maxstring} more characters]"


def _make_repr(limit: int) -> _BoundedRepr:
    bounded = _BoundedRepr()
    bounded.maxstring = max(limit, 10)
    bounded.maxother = max(limit, 10)
    bounded.maxlong = max(limit, 10)
    bounded.maxlevel = 4
    bounded.maxlist = bounded.maxtuple = bounded.maxset = bounded.maxfrozenset = 30
    bounded.maxdeque = bounded.maxarray = 30
    bounded.maxdict = 30
    return bounded


_REPRS: dict[int, _BoundedRepr] = {}

#: The types whose items reprlib represents one by one.
_CONTAINERS: frozenset[type] = frozenset(
    {list, tuple, dict, set, frozenset, collections.deque, array.array}
)

#: Types whose ``repr()`` is short, cannot fail and needs no reprlib.
_PLAIN: frozenset[type] = frozenset({bool, float, type(None)})


def safe_repr(obj: object, limit: int = 1000, *, deadline: float | None = None) -> str:
    """Return a bounded ``repr()`` of *obj*; never raise.

    Containers are abbreviated the :mod:`reprlib` way (``[1, 2, ...]``); an
    object whose ``__repr__`` raises or returns a non-string gives a
    placeholder such as ``<unrepresentable Foo object: __repr__ raised
    RuntimeError>``; the result is cut to *limit* characters with a marker.

    :param obj: any object
    :param limit: the most characters to keep
    :param deadline: a :func:`time.perf_counter` time: the items of a
        container not reached by then show :data:`OUT_OF_TIME` (a ``repr()``
        already running is never interrupted)
    """
    kind = type(obj)
    if kind in _PLAIN or (kind is str and isinstance(obj, str) and len(obj) <= limit):
        # What reprlib would give, without its dispatch.
        return truncate_text(_clean(repr(obj)), limit)
    # Only the items of a container are timed: a fresh Repr holds the deadline.
    timed = deadline is not None and kind in _CONTAINERS
    bounded = None if timed else _REPRS.get(limit)
    if bounded is None:
        bounded = _make_repr(limit)
        if timed:
            bounded.deadline = deadline
        elif len(_REPRS) < 64:
            _REPRS[limit] = bounded
    try:
        text = bounded.repr(obj)
    except HOSTILE_ERRORS as error:
        text = _placeholder(obj, "__repr__", error)
    try:
        return truncate_text(_clean(text), limit)
    except Exception:  # noqa: BLE001  # pragma: no cover - _clean only fails on hostile str subclasses
        return f"<unrepresentable {_type_name(obj)} object>"


def safe_str(obj: object, limit: int = 10000) -> str:
    """Return a bounded ``str()`` of *obj*; never raise.

    An object whose ``__str__`` raises or returns a non-string gives a
    placeholder such as ``<unprintable ValueError object: __str__ raised
    RuntimeError>``; :class:`bytes` are shown as their ``repr()``; the result
    is cut to *limit* characters with a marker.

    :param obj: any object
    :param limit: the most characters to keep
    """
    if type(obj) is str and obj.isascii() and len(obj) <= limit:
        return obj  # the common case: nothing to clean or cut
    try:
        # By the real type: isinstance() would ask a hostile object for its __class__.
        kind = type(obj)
        text: str
        if kind is str or issubclass(kind, str):
            text = str.__str__(cast("str", obj))
        elif issubclass(kind, bytes | bytearray):
            return safe_repr(obj, limit)
        else:
            text = str(obj)
        return truncate_text(_clean(text), limit)
    except HOSTILE_ERRORS as error:
        return _placeholder(obj, "__str__", error)
