"""Collect: identification codes, Paste's algorithm.

An identification code (``E-7E6JP``) names a bug: the same traceback shape
gives the same code in every process and in Paste. An occurrence id names one
occurrence. Both are written in Paste's base-30 alphabet, which has no
look-alike characters. Used by :mod:`paste_exc.collector`; imports nothing
of the collector's.
"""

from __future__ import annotations

import hashlib
import operator
import secrets
import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Protocol

from paste_exc.redact.saferepr import safe_repr, safe_str

#: Paste's digits, least significant first; ``2`` is the zero digit.
GOOD_CHARACTERS = "23456789abcdefghjkmnpqrtuvwxyz"
#: The base of the identifiers (Paste's ``base``).
BASE = len(GOOD_CHARACTERS)
#: Paste's helper reading the first item of a sequence (its ``byte2int``).
byte2int = operator.itemgetter(0)
#: The default hash (Paste's ``md5``): :func:`hashlib.md5`.
md5 = hashlib.md5


class _Hash(Protocol):
    def digest(self) -> bytes: ...


#: A :mod:`hashlib` constructor: called with the bytes, returns an object with ``digest()``.
Hasher = Callable[[bytes], _Hash]


def make_identifier(number: int) -> str:
    """Encode a non-negative integer in base 30, least significant digit first.

    Paste's ``serial_number_generator.make_identifier``: the digits are
    ``23456789abcdefghjkmnpqrtuvwxyz`` (no look-alikes); ``0`` gives ``""``.
    The error messages are Paste's too.

    :param number: the integer to encode (a ``bool`` counts, as in Paste)
    :raises ValueError: for a negative number or a non-integer
    """
    if not isinstance(number, int):
        raise ValueError(
            f"You can only make identifiers out of integers (not {safe_repr(number, 100)})"
        )
    if number < 0:
        raise ValueError(f"You cannot make identifiers out of negative numbers: {number!r}")
    digits: list[str] = []
    while number:
        number, digit = divmod(number, BASE)
        digits.append(GOOD_CHARACTERS[digit])
    return "".join(digits)


def hash_identifier(
    s: object,
    length: int,
    pad: bool = True,
    hasher: Hasher | ModuleType = md5,
    prefix: str = "",
    group: int | None = None,
    upper: bool = False,
) -> str:
    """Hash *s* into a short, readable identifier (Paste's algorithm and signature).

    The digest, read as a big-endian number modulo ``30 ** length``, is
    encoded with :func:`make_identifier`, padded with ``2`` (the zero digit)
    on the left, optionally grouped with ``-`` every *group* characters
    from the right, upper-cased, and prefixed.

    :param s: the text to hash (bytes as they are; anything else is
        ``str()``-ed; text is UTF-8)
    :param length: the identifier length, at most 26 with MD5
    :param pad: pad to *length*
    :param hasher: a :mod:`hashlib` constructor (called with the bytes), or
        an object with such a ``new`` (an old ``md5``/``sha`` module)
    :param prefix: prepended last (``E-``)
    :param group: group size, or ``None``
    :param upper: upper-case the result
    :raises ValueError: for a length above 26 with MD5
    """
    # Paste also took a module with new().
    construct: Hasher = hasher.new if isinstance(hasher, ModuleType) else hasher
    if length > 26 and construct is md5:
        raise ValueError(
            f"md5 cannot create hashes longer than 26 characters in length (you gave {length})"
        )
    if isinstance(s, str):
        data = s.encode("utf-8")
    elif isinstance(s, bytes):
        data = s
    else:
        data = safe_str(s, sys.maxsize).encode("utf-8")
    digest = _digest(construct, data)
    modulo = BASE**length
    ident = make_identifier(int.from_bytes(digest, "big") % modulo)
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


def _digest(hasher: Hasher, data: bytes) -> bytes:
    """The digest of *data*; MD5 is asked for as a checksum (FIPS builds allow that)."""
    if hasher is md5:
        return hashlib.md5(data, usedforsecurity=False).digest()
    digest: bytes = hasher(data).digest()
    return digest


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
