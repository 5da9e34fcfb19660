"""Paste's ``serial_number_generator``: short, readable identifiers.

Part of the collect stage (catch → **collect** → format → report → respond):
the identification code of a report (``E-7E6JP``) is a
:func:`hash_identifier` of its traceback. Re-exports only, with Paste's names
and signatures; the code lives in :mod:`paste_exc.collect.ident`.

.. versionadded:: 0.1
"""

from __future__ import annotations

from paste_exc.collect.ident import (
    BASE as base,
    GOOD_CHARACTERS as good_characters,
    byte2int,
    hash_identifier,
    make_identifier,
    md5,
)

__all__ = ["base", "byte2int", "good_characters", "hash_identifier", "make_identifier", "md5"]
