"""Format: extra data: grouped by importance, and its values shown as Paste showed them.

Stage three of the pipeline (catch → collect → **format** → report → respond).
Supplements, decorators and the request give a report its extra data
(``{(importance, title): [value, ...]}``). Every formatter groups it with
:func:`iter_extra_data` and shows each value with Paste's repr
(:func:`extra_repr`, :func:`pretty_string_repr`, :func:`value_rows`); a value
that cannot be read shows :func:`unshowable` instead.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from paste_exc.format.wrapping import truncate
from paste_exc.model.report import ExtraRepr
from paste_exc.model.values import IMPORTANCE_LEVELS, split_extra_key, value_text
from paste_exc.redact.saferepr import safe_repr

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException

__all__ = [
    "extra_repr",
    "iter_extra_data",
    "long_item_list",
    "pretty_string_repr",
    "unshowable",
    "value_rows",
]


def iter_extra_data(exc_data: CollectedException) -> dict[str, list[tuple[str, object]]]:
    """Group an exception's extra data by importance.

    Keys of ``exc_data.extra_data`` are ``(importance, title)`` tuples or,
    as a Paste-style ``__traceback_decorator__`` may add, plain titles
    (importance ``normal``). An unknown importance counts as ``normal``.
    Each key may hold several values (one per supplement that gave it);
    every one is kept.

    .. versionadded:: 0.1

    :param exc_data: the collected exception.
    :returns: ``{importance: [(title, value), ...]}`` for the four levels
        ``important``, ``normal``, ``supplemental``, ``extra`` in that order,
        each list sorted by title (stable for equal titles).
    """
    grouped: dict[str, list[tuple[str, object]]] = {level: [] for level in IMPORTANCE_LEVELS}
    extra = getattr(exc_data, "extra_data", None)
    if not isinstance(extra, Mapping):
        return grouped
    try:
        items = list(extra.items())
    except Exception as error:  # noqa: BLE001  a hostile mapping from a decorator
        grouped["extra"].append(("extra_data", f"<could not be read: {safe_repr(error, 200)}>"))
        return grouped
    for key, values in items:
        importance, title = split_extra_key(key)
        value_list = values if isinstance(values, list) else [values]
        grouped[importance].extend((title, value) for value in value_list)
    for entries in grouped.values():
        entries.sort(key=lambda entry: entry[0])
    return grouped


def extra_repr(value: object, limit: int = 1000) -> str:
    """Return what Paste's ``repr()`` showed of an extra-data value the collector kept.

    Plain data (strings, numbers, lists, ...) is written as :func:`repr`
    writes it; an :class:`~paste_exc.collector.ExtraRepr` (the repr of an
    object that was not plain data) as itself, also inside a list, tuple or
    dict, as ``repr()`` showed the object. Bounded by *limit* (cut with
    ``...``, keeping the end, as :func:`truncate` did in Paste); never raises.

    .. versionadded:: 0.1

    :param value: an extra-data value, or part of one.
    :param limit: the most characters.
    """
    if type(value) is str and len(value) <= _CACHED_TEXT:
        return _text_repr(value, limit)
    pieces: list[str] = []
    _write_repr(value, pieces, [0], _REPR_CAP)
    return truncate("".join(pieces), limit)


#: Strings up to this long keep their repr in :func:`_text_repr`'s cache: the
#: request's header and CGI values recur on every request of an error storm.
_CACHED_TEXT: Final = 1000


@functools.lru_cache(maxsize=2048)
def _text_repr(value: str, limit: int) -> str:
    return truncate(safe_repr(value, _REPR_CAP), limit)


#: Past this many characters the repr of an extra-data value stops being written
#: (its end then differs from Paste's; the collector's copies never get there).
_REPR_CAP: Final = 2_000_000


def _write_repr(value: object, pieces: list[str], size: list[int], limit: int) -> None:
    """Append the pieces of the repr of *value*; stop once *limit* characters are written."""
    if size[0] > limit:
        return
    if isinstance(value, ExtraRepr):
        text = str.__str__(value)
    elif type(value) in (list, tuple, dict):
        _write_container(value, pieces, size, limit)
        return
    else:
        text = safe_repr(value, limit)
    pieces.append(text)
    size[0] += len(text)


_BRACKETS: Final[dict[type, str]] = {list: "[]", tuple: "()", dict: "{}"}


def _write_container(value: object, pieces: list[str], size: list[int], limit: int) -> None:
    kind = type(value)
    brackets = _BRACKETS[kind]
    opening, closing = brackets[0], brackets[1]
    pieces.append(opening)
    size[0] += 2
    items = list(value.items()) if kind is dict else list(value)  # type: ignore[attr-defined, call-overload]
    for index, item in enumerate(items):
        if size[0] > limit:
            break
        if index:
            pieces.append(", ")
            size[0] += 2
        if kind is dict:
            _write_repr(item[0], pieces, size, limit)
            pieces.append(": ")
            _write_repr(item[1], pieces, size, limit)
        else:
            _write_repr(item, pieces, size, limit)
    if kind is tuple and len(items) == 1:
        pieces.append(",")
    pieces.append(closing)


def pretty_string_repr(s: str) -> str:
    """Return ``repr(s)``, as a triple-quoted block with real line breaks when ``s`` has any.

    .. versionadded:: 0.1

    :param s: the string.
    """
    text = repr(s)
    if "\n" not in s:
        return text
    quote = text[0]
    return quote * 3 + text[1:-1].replace("\\n", "\n") + quote * 3


def long_item_list(lst: Iterable[object]) -> bool:
    """Return whether at least three items of *lst* have a repr longer than 40 characters.

    .. versionadded:: 0.1

    :param lst: the items of a list or tuple in extra data.
    """
    long_items = 0
    for item in lst:
        if len(extra_repr(item)) > 40:
            long_items += 1
            if long_items >= 3:
                return True
    return False


def value_rows(mapping: Mapping[object, object]) -> list[tuple[str, str]]:
    """Return the ``(name, value)`` rows of a mapping in extra data, as text, sorted.

    Names are shown as ``str()`` shows them, values as Paste's ``repr()``
    (:func:`extra_repr`).

    :param mapping: an extra-data value that is a mapping.
    :raises Exception: whatever a hostile mapping's ``items()`` raises.
    """
    return sorted((value_text(name), extra_repr(item)) for name, item in mapping.items())


def unshowable(error: Exception) -> str:
    """Return what a report shows instead of an extra-data value that could not be read.

    :param error: what reading the value raised.
    """
    return f"<could not be shown: {safe_repr(error, 200)}>"
