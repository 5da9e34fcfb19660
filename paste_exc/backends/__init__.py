"""Report: reporter backends for third-party services (Sentry, Raygun).

Stage four of the pipeline (catch → collect → format → **report** → respond).
Each backend imports its SDK only when a reporter is built, so importing
:mod:`paste_exc` never imports an SDK; a missing SDK fails at configuration
with the ``pip install`` line of the extra that provides it.

.. versionadded:: 0.1
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["EXTRAS", "import_sdk"]

#: SDK module → the paste_exc extra that installs it.
EXTRAS: dict[str, str] = {"sentry_sdk": "sentry", "raygun4py": "raygun"}


def import_sdk(module: str, backend: str) -> ModuleType:
    """Import an SDK module, or fail naming the extra to install.

    :param module: the module to import (``sentry_sdk``, ``raygun4py.raygunprovider``)
    :param backend: the backend's name, for the message
    :raises ImportError: the SDK is not installed
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        extra = EXTRAS.get(module.partition(".")[0], backend)
        raise ImportError(
            f"the {backend} backend needs its SDK: pip install 'paste_exc[{extra}]' ({exc})"
        ) from None
