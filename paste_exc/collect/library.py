"""Collect: which frames are the application's and which a library's, and how much source to keep.

Part of the collect stage. A collection is told, beyond its limit and
locals, ``context_lines`` (how many source lines either side of the failing
line are kept), ``app_packages`` (module prefixes that are the application's
even when installed in ``site-packages``) and ``library_paths`` (further path
prefixes that are libraries).
:func:`is_library` is the one rule that says whether a frame's file is a
library's; the page folds library frames away ("my code only"), the size
budget folds their locals first, and the headline names the innermost frame
of the application.

The options themselves are model data
(:class:`~paste_exc.model.options.CollectOptions`).

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
import functools
import os
import site
import sys
import sysconfig

from paste_exc.config.debugpage import directory_prefix
from paste_exc.model.options import DEFAULT_OPTIONS, CollectOptions

__all__ = ["is_library"]


def is_library(
    filename: str, modname: str | None, options: CollectOptions = DEFAULT_OPTIONS
) -> bool:
    """Whether the frame of *filename* (module *modname*) is a library's, not the application's.

    In this order: a module in :attr:`~CollectOptions.app_packages` (the name or
    below it) is the application's; a file under one of
    :attr:`~CollectOptions.library_paths` is a library's; so is frozen code
    (``<frozen …>``), a file in any ``site-packages`` or ``dist-packages``, in
    the standard library or under the running interpreter's prefixes
    (:data:`sys.prefix`, :data:`sys.base_prefix`, their ``exec`` twins and the
    user site directory), and paste_exc's own code. Everything else, pseudo
    files such as ``<string>`` included, is the application's.

    :param filename: the frame's file name as the code object gives it
    :param modname: the frame's module name (``__name__``), if known
    :param options: the collection's options
    """
    if modname and options.app_packages and _in_packages(modname, options.app_packages):
        return False
    if options.library_paths and _under(filename, options.library_paths):
        return True
    return _default_library(filename)


def _in_packages(modname: str, packages: tuple[str, ...]) -> bool:
    return any(modname == name or modname.startswith(name + ".") for name in packages)


def _under(filename: str, prefixes: tuple[str, ...]) -> bool:
    """Whether *filename* is one of the directories *prefixes* or below one, at a separator."""
    for prefix in prefixes:
        directory = prefix if prefix.endswith(("/", "\\")) else prefix + "/"
        if filename.startswith(directory) or filename == directory[:-1]:
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _default_library(filename: str) -> bool:
    if filename.startswith("<frozen "):
        return True
    if filename.startswith("<"):
        return False
    normal = filename.replace("\\", "/")
    if "/site-packages/" in normal or "/dist-packages/" in normal:
        return True
    if normal.startswith(_interpreter_prefixes()):
        return True
    return _is_own_file(filename)


def _is_own_file(filename: str) -> bool:
    """paste_exc's own frames (the middleware's catch) are never the application's."""
    if not os.path.isabs(filename):
        return False
    return filename.startswith(_own_directory())


@functools.lru_cache(maxsize=1)
def _own_directory() -> str:
    package = sys.modules[__name__.partition(".")[0]]
    return directory_prefix(os.path.dirname(os.path.abspath(package.__file__ or "")))


@functools.lru_cache(maxsize=1)
def _interpreter_prefixes() -> tuple[str, ...]:
    """The standard library, the install schemes' library directories and the user site.

    The prefixes themselves (``/usr``) are too wide: applications live in
    ``/usr/src/app``; their ``lib/pythonX.Y`` directories are the interpreter's,
    and so are the scripts directory (console scripts: ``bin/gunicorn``) and a
    virtual environment's whole prefix (no application lives inside its venv).
    """
    found: set[str] = set()
    if sys.prefix and sys.prefix != sys.base_prefix:
        found.add(sys.prefix)
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        if prefix:
            for lib in ("lib", "lib64"):
                found.add(os.path.join(prefix, lib, version))
            found.add(os.path.join(prefix, "Lib"))
    try:
        paths = sysconfig.get_paths()
    except Exception:  # noqa: BLE001 (a broken install: the other prefixes still count)
        paths = {}
    for key in ("stdlib", "platstdlib", "purelib", "platlib", "scripts"):
        path = paths.get(key)
        if path:
            found.add(path)
    with contextlib.suppress(Exception):  # site may be stripped down in frozen apps
        found.add(site.getusersitepackages())
        found.update(site.getsitepackages())
    return tuple(sorted(directory_prefix(path).replace("\\", "/") for path in found if path))
