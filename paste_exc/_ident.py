"""Collect: identification codes, Paste's algorithm.

An identification code (``E-7E6JP``) names a bug: the same traceback shape
gives the same code in every process and in Paste. An occurrence id names one
occurrence. Both are written in Paste's base-30 alphabet, which has no
look-alike characters. Used by :mod:`paste_exc.collector`; imports nothing
of the collector's.
"""

from __future__ import annotations

import hashlib
import secrets
import sys
from collections.abc import Iterable

from paste_exc._saferepr import safe_repr, safe_str

#: Paste's digits, least significant first; ``2`` is the zero digit.
GOOD_CHARACTERS = "23456789abcdefghjkmnpqrtuvwxyz"


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
    base = len(GOOD_CHARACTERS)
    while number:
        number, digit = divmod(number, base)
        digits.append(GOOD_CHARACTERS[digit])
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
    modulo = len(GOOD_CHARACTERS) ** length
    number = int.from_bytes(hashlib.md5(data, usedforsecurity=False).digest(), "big") % modulo
    ident = make_identifier(number)
    if pad:
        ident = GOOD_CHARACTERS[0] * (length - len(ident)) + ident
    if group:
        parts: list[str] = []
        while ident:
            parts.insert(0, ident[-group:])
            ident = ident[:-group]
        ident = "-".join(parts)
    if upper:
        ident = ident.upper()
    return prefix + ident


def identification_code(parts: Iterable[str], type_text: str, prefix: str) -> str:
    """Return the identification code of one exception.

    :param parts: module name and function name of every traceback entry
        within the limit, outermost first (``?`` for a missing one): every
        entry, also those folded or left out of the report
    :param type_text: ``str()`` of the exception class
    :param prefix: :data:`paste_exc.collector.DEBUG_IDENT_PREFIX`
    """
    return hash_identifier(" ".join([*parts, type_text]), length=5, upper=True, prefix=prefix)


def occurrence_id() -> str:
    """Return a random id for one occurrence, like ``4K2M-9QXT-P7HA``."""
    digits = make_identifier(secrets.randbits(58)).rjust(12, GOOD_CHARACTERS[0]).upper()
    return "-".join(digits[i : i + 4] for i in range(0, 12, 4))
