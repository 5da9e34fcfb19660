"""Redaction: replace secret-looking names and values by a fixed marker.

This module path is kept for code written against it; the names live in:

* :mod:`paste_exc.redact.engine`
* :mod:`paste_exc.redact.names`
* :mod:`paste_exc.redact.patterns`
"""

from paste_exc.redact.engine import (
    MAX_TEXT as MAX_TEXT,
    Redactor as Redactor,
    default_redactor as default_redactor,
)
from paste_exc.redact.names import (
    DEFAULT_SECRET_NAMES as DEFAULT_SECRET_NAMES,
    REDACTED as REDACTED,
    normalise_name as normalise_name,
)
from paste_exc.redact.patterns import (
    DEFAULT_VALUE_PATTERNS as DEFAULT_VALUE_PATTERNS,
    ValuePattern as ValuePattern,
    luhn_valid as luhn_valid,
)

__all__ = [
    "DEFAULT_SECRET_NAMES",
    "DEFAULT_VALUE_PATTERNS",
    "MAX_TEXT",
    "REDACTED",
    "Redactor",
    "ValuePattern",
    "default_redactor",
    "luhn_valid",
    "normalise_name",
]
