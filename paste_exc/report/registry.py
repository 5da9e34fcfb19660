"""Report: finding reporter backends, and the SDK backends (Sentry, Raygun).

Stage four of the pipeline (catch → collect → format → **report** → respond).
This module turns a ``backend`` value (a built-in name, an entry-point name
in the group ``paste_exc.reporters``, a ``module:name`` reference or a class)
into a reporter class; :mod:`paste_exc.report.dispatch` re-exports these names.

The SDK backends (:mod:`paste_exc.report.sdk.sentry`,
:mod:`paste_exc.report.sdk.raygun`) import their SDK only when a reporter is
built, so importing :mod:`paste_exc` never imports an SDK; a missing SDK fails
at configuration with the ``pip install`` line of the extra that provides it.

.. versionadded:: 0.1
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from paste_exc.errors import ConfigError

__all__ = [
    "BUILTIN_BACKENDS",
    "ENTRY_POINT_GROUP",
    "EXTRAS",
    "available_backends",
    "import_sdk",
    "resolve_backend",
    "resolve_reference",
]

#: The entry-point group third-party reporter backends register in.
ENTRY_POINT_GROUP = "paste_exc.reporters"

#: The backends paste_exc ships. These names always resolve to these classes
#: (a plug-in cannot take them over); the same lines are registered as entry
#: points so tools that list the group see them.
BUILTIN_BACKENDS: dict[str, str] = {
    "email": "paste_exc.report.builtin.paste:EmailReporter",
    "file": "paste_exc.report.builtin.paste:FileReporter",
    "jsonlines": "paste_exc.report.builtin.structured:JSONLinesReporter",
    "log": "paste_exc.report.builtin.paste:LogReporter",
    "logging": "paste_exc.report.builtin.structured:LoggingReporter",
    "raygun": "paste_exc.report.sdk.raygun:RaygunReporter",
    "sentry": "paste_exc.report.sdk.sentry:SentryReporter",
}


def resolve_reference(reference: object, *, option: str = "reference") -> object:
    """Return the object a ``"package.module:name"`` string names.

    The part after the colon may be dotted (``module:Class.attribute``).
    Anything that is not a string is returned unchanged, so options accept
    either the object or its reference.

    :param reference: the reference, or an object to return as it is
    :param option: the option name used in the :class:`~paste_exc.errors.ConfigError`
    :raises ConfigError: the reference is malformed or names nothing
    """
    if not isinstance(reference, str):
        return reference
    module_name, sep, attribute = reference.strip().partition(":")
    if not sep or not module_name or not attribute:
        raise ConfigError(option, f"expected a 'module:name' reference, got {reference!r}")
    try:
        target: object = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(option, f"cannot import module {module_name!r}: {exc}") from exc
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ConfigError(
                option, f"{reference!r}: {module_name!r} has no attribute {attribute!r}"
            ) from None
    return target


def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_backends() -> list[str]:
    """Return the names usable as ``backend``: the built-ins and every plug-in."""
    return sorted(set(BUILTIN_BACKENDS) | set(_entry_points()))


def resolve_backend(backend: object, *, option: str = "backend") -> type[object]:
    """Turn a ``backend`` value into a reporter class.

    :param backend: a built-in or entry-point name, a ``module:name``
        reference, or a class
    :param option: the option name used in error messages
    :raises ConfigError: the value names nothing usable
    """
    if isinstance(backend, str):
        name = backend.strip()
        if name in BUILTIN_BACKENDS:
            target = resolve_reference(BUILTIN_BACKENDS[name], option=option)
        elif ":" in name:
            target = resolve_reference(name, option=option)
        else:
            ep = _entry_points().get(name)
            if ep is None:
                raise ConfigError(
                    option,
                    f"unknown reporter backend {name!r}; available: "
                    + ", ".join(available_backends())
                    + " (or a 'module:name' reference)",
                )
            try:
                target = ep.load()
            except Exception as exc:
                raise ConfigError(
                    option, f"cannot load the entry point {name!r} ({ep.value}): {exc}"
                ) from exc
    else:
        target = backend
    if not isinstance(target, type):
        raise ConfigError(option, f"{backend!r} is not a class")
    return target


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
