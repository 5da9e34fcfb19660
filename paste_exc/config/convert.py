"""Configuration: the scalar converters: booleans, lists, numbers, durations, strings, choices.

Beneath every stage (catch → collect → format → report → respond). Each
converter takes a value (a real Python value, or the string PasteDeploy
hands over from an ini file) and the option's name, and returns the typed
value or raises :class:`~paste_exc.errors.ConfigError` naming the option.
:mod:`paste_exc.config` builds the middleware's settings from them and
:mod:`paste_exc.config.reporters` the reporters' option tables.

.. versionadded:: 0.1
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Final, TypeVar

from paste_exc.errors import ConfigError
from paste_exc.redact.saferepr import safe_repr

__all__ = [
    "MIN_SIZE_BUDGET",
    "Converter",
    "Network",
    "asbool",
    "asbudget",
    "aschoice",
    "asduration",
    "asfloat",
    "asint",
    "aslevel",
    "aslist",
    "asoptional",
    "asoptionalstr",
    "asseconds",
    "assizebudget",
    "asstr",
    "astruth",
    "kind",
    "shown",
]

T = TypeVar("T")

#: A converter: ``(value, option name) -> typed value``, raising ConfigError.
Converter = Callable[[object, str], T]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Paste's spellings (paste.util.converters.asbool), and the empty string as false.
_TRUE: Final = frozenset({"true", "yes", "on", "y", "t", "1"})
_FALSE: Final = frozenset({"false", "no", "off", "n", "f", "0", ""})
_LIST_SPLIT: Final = re.compile(r"[\s,]+")
# A number with an optional unit: "30", "1.5", "500ms", "10m", "2h".
_DURATION: Final = re.compile(r"([0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?)\s*(ms|s|m|h)?")
_UNIT_SECONDS: Final = {None: 1.0, "s": 1.0, "ms": 0.001, "m": 60.0, "h": 3600.0}
#: The smallest size budget the middleware and reporters accept, in characters.
MIN_SIZE_BUDGET: Final = 1024


def kind(value: object) -> str:
    """The type name of *value*, for an error message (never its contents)."""
    return type(value).__name__


def shown(value: object) -> str:
    """The value for an error message: bounded, and never raising (a hostile ``repr``)."""
    return safe_repr(value, 200)


def asbool(value: object, option: str) -> bool:
    """Return *value* as a boolean; strings are read the way ini files write them.

    ``true/yes/on/y/t/1`` and ``false/no/off/n/f/0/`` (any case, surrounding
    blanks ignored); ``None`` is false. Paste turned every non-empty string,
    ``"false"`` included, into true: this does not.

    :param value: a bool, an int, ``None`` or a string
    :param option: the option name for the error message
    :raises ConfigError: for any other string or type
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(
            option, f"expected a boolean (true/false, yes/no, on/off), got {shown(value)}"
        )
    raise ConfigError(option, f"expected a boolean, got {kind(value)}")


def astruth(value: object, option: str) -> bool:
    """Return a Python truth value; a string is refused.

    For the options of Python-only APIs (the formatters): ``"false"`` there
    is a mistake (it would be true), not an ini string.

    :raises ConfigError: for a string, bytes, or an object whose truth raises
    """
    if isinstance(value, str | bytes):
        raise ConfigError(option, f"expected a boolean, got the string {shown(value)}")
    try:
        return bool(value)
    except Exception as exc:
        raise ConfigError(option, f"expected a boolean, got {kind(value)}") from exc


def aslist(value: object, option: str) -> list[str]:
    """Return *value* as a list of non-empty strings.

    A string is split on commas and/or whitespace, so ``"a@x.org, b@y.org"``
    and ``"a@x.org b@y.org"`` are both two items; ``None`` is an empty list.

    :param value: ``None``, a string, or an iterable of strings
    :param option: the option name for the error message
    :raises ConfigError: for an item that is not a string
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [item for item in _LIST_SPLIT.split(value) if item]
    if isinstance(value, bytes | Mapping) or not isinstance(value, Iterable):
        raise ConfigError(option, f"expected a list of strings, got {kind(value)}")
    result: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ConfigError(option, f"expected strings in the list, got {shown(item)}")
        result.extend(part for part in _LIST_SPLIT.split(item) if part)
    return result


def asint(
    value: object, option: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return *value* as an integer (``_`` separators allowed in strings).

    :param value: an int or a string of digits
    :param option: the option name for the error message
    :param minimum: the smallest value accepted
    :param maximum: the largest value accepted
    :raises ConfigError: for anything else, or a value out of range
    """
    if isinstance(value, bool):
        raise ConfigError(option, f"expected an integer, got {shown(value)}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            raise ConfigError(option, f"expected an integer, got {shown(value)}") from None
    else:
        raise ConfigError(option, f"expected an integer, got {kind(value)}")
    if minimum is not None and number < minimum:
        raise ConfigError(option, f"must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ConfigError(option, f"must be at most {maximum}, got {number}")
    return number


def asfloat(
    value: object, option: str, *, minimum: float = 0.0, maximum: float | None = None
) -> float:
    """Return *value* as a finite number within ``[minimum, maximum]``.

    :param value: an int, a float or a numeric string (``"0.5"``)
    :param option: the option name for the error message
    :param minimum: the smallest value accepted
    :param maximum: the largest value accepted (``None``: any finite value)
    :raises ConfigError: for anything else, NaN, an infinity or a value out of range
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(option, f"expected a number, got {shown(value)}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        raise ConfigError(option, f"expected a number, got {shown(value)}") from None
    if not math.isfinite(number):
        raise ConfigError(option, f"expected a finite number, got {shown(value)}")
    if number < minimum:
        raise ConfigError(option, f"must be at least {minimum:g}, got {shown(value)}")
    if maximum is not None and number > maximum:
        raise ConfigError(option, f"must be at most {maximum:g}, got {shown(value)}")
    return number


def asseconds(value: object, option: str) -> float:
    """Return *value* as a finite, non-negative number of seconds.

    :param value: an int, a float or a numeric string (``"0.5"``)
    :param option: the option name for the error message
    :raises ConfigError: for anything else, a negative, infinite or NaN value
    """
    try:
        return asfloat(value, option)
    except ConfigError:
        raise ConfigError(
            option, f"expected a finite number of seconds >= 0, got {shown(value)}"
        ) from None


def asduration(
    value: object, option: str, *, minimum: float = 0.0, maximum: float | None = None
) -> float:
    """Return a duration in seconds: a number, or an ini string with a unit.

    ``"30"`` and ``"30s"`` are 30 seconds, ``"500ms"`` half a second, ``"10m"``
    ten minutes, ``"2h"`` two hours. NaN and infinities are refused: every
    wait paste_exc makes is bounded.

    :param value: an int, a float or a string
    :param option: the option name for the error message
    :param minimum: the shortest duration accepted, in seconds
    :param maximum: the longest duration accepted, in seconds
    :raises ConfigError: for anything else, or a duration out of range
    """
    if isinstance(value, str):
        found = _DURATION.fullmatch(value.strip().lower())
        if found is not None:
            value = _number(found.group(1), option) * _UNIT_SECONDS[found.group(2)]
        elif not _is_float(value):  # "-5", "inf" and "nan" get asfloat's own message
            raise ConfigError(
                option,
                "expected a number of seconds or a duration (500ms, 30s, 10m, 2h), "
                f"got {shown(value)}",
            )
    return asfloat(value, option, minimum=minimum, maximum=maximum)


def _number(text: str, option: str) -> float:
    try:
        return float(text)
    except ValueError:  # "1__0": the pattern lets it through, float() does not
        raise ConfigError(option, f"expected a number of seconds, got {shown(text)}") from None


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def asstr(value: object, option: str) -> str:
    """Return a string option (``None`` is ``""``)."""
    text = asoptionalstr(value, option)
    return "" if text is None else text


def asoptionalstr(value: object, option: str) -> str | None:
    """Return a string option, or ``None`` when not given.

    :raises ConfigError: for a value that is not a string
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(option, f"expected a string, got {kind(value)}")
    return value


def asoptional(convert: Converter[T]) -> Converter[T | None]:
    """Wrap *convert* so that ``None`` and an empty or ``none`` string mean "not given"."""

    def optional(value: object, option: str) -> T | None:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
            return None
        return convert(value, option)

    return optional


def aschoice(value: object, option: str, choices: Collection[str]) -> str:
    """Return *value* when it is one of *choices* (any case, blanks ignored).

    :raises ConfigError: for another value, listing the choices
    """
    text = asstr(value, option).strip().lower()
    if text not in choices:
        raise ConfigError(
            option, f"expected one of {', '.join(sorted(choices))}, got {shown(value)}"
        )
    return text


def aslevel(value: object, option: str) -> int:
    """Return a :mod:`logging` level: a number, or a name such as ``error``.

    :raises ConfigError: for an unknown name, a negative number or another type
    """
    level: object = value
    if isinstance(value, str):
        text = value.strip()
        level = int(text) if text.isdigit() else logging.getLevelName(text.upper())
    if not isinstance(level, int) or isinstance(level, bool) or level < 0:
        raise ConfigError(option, f"not a logging level: {shown(value)}")
    return level


def assizebudget(value: object, option: str) -> int | None:
    """A size budget: an integer of at least 1024 characters, or ``None``/``"none"``.

    :param value: an int, ``None``, or its ini string
    :param option: the option name used in errors
    """
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "")):
        return None
    return asint(value, option, minimum=MIN_SIZE_BUDGET)


def asbudget(value: object, option: str = "size_budget") -> int | None:
    """A size budget given in Python: a positive integer, or ``None`` for no limit.

    (:func:`assizebudget` is the configuration form, with its minimum.)

    :param value: an ``int`` or ``None``
    :param option: the option name for the error
    :raises ConfigError: for anything else
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(option, f"expected a positive integer or None, got {shown(value)}")
    return value
