"""paste_exc: catch, show and report the exceptions of WSGI apps and scripts.

The modern successor of Paste's ``paste.exceptions``: change the imports from
``paste.exceptions`` to ``paste_exc`` and nothing else.
"""

from __future__ import annotations

from paste_exc.api import ExceptionReporter, ExtrasProvider
from paste_exc.collector import (
    CollectedException,
    ExceptionFrame,
    SupplementaryData,
)
from paste_exc.errors import ConfigError, PasteExcError

__version__ = "0.1.0"

__all__ = [
    "CollectedException",
    "ConfigError",
    "ExceptionFrame",
    "ExceptionReporter",
    "ExtrasProvider",
    "PasteExcError",
    "SupplementaryData",
    "__version__",
]
