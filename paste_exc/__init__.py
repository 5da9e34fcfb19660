"""paste_exc: catch, show and report the exceptions of WSGI apps and scripts.

The modern successor of Paste's ``paste.exceptions``: change the imports from
``paste.exceptions`` to ``paste_exc`` and nothing else.
"""

from __future__ import annotations

from paste_exc.api import ExceptionReporter, ExtrasProvider
from paste_exc.collector import (
    CollectedException,
    ExceptionCollector,
    ExceptionFrame,
    SupplementaryData,
    collect_exception,
)
from paste_exc.errors import ConfigError, PasteExcError

__version__ = "0.1.0"

__all__ = [
    "CollectedException",
    "ConfigError",
    "ExceptionCollector",
    "ExceptionFrame",
    "ExceptionReporter",
    "ExtrasProvider",
    "PasteExcError",
    "SupplementaryData",
    "__version__",
    "collect_exception",
]
