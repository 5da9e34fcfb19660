"""Configuration: the options of the debug page for real applications.

Beneath every stage. The converters of ``context_lines`` (how many source
lines either side of a failing line are collected), ``app_packages`` (module
prefixes that are the application's even when installed in
``site-packages``), ``library_paths`` (further path prefixes that are
libraries) and ``editor_url`` (a link template, or a preset's name, that
makes each frame's file name open in an editor), and the one place that turns
an editor template and a frame into a link (:func:`editor_link`). Each takes
Python values or the text PasteDeploy hands over, and raises
:class:`~paste_exc.errors.ConfigError` naming the option.

.. versionadded:: 0.1
"""

from __future__ import annotations

import os
import re
import string
import urllib.parse
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from paste_exc.errors import ConfigError
from paste_exc.redact.saferepr import safe_repr

__all__ = [
    "DEFAULT_CONTEXT_LINES",
    "EDITOR_PRESETS",
    "MAX_CONTEXT_LINES",
    "ascontextlines",
    "aseditorurl",
    "aspackages",
    "aspathprefixes",
    "directory_prefix",
    "editor_link",
]

#: Source lines collected either side of the failing line (the ``context_lines``
#: default): :data:`paste_exc.model.report.CONTEXT_LINES`, which configuration,
#: beneath the model, cannot import (a test keeps the two equal).
DEFAULT_CONTEXT_LINES: Final = 5
#: The most source lines collected either side of a failing line.
MAX_CONTEXT_LINES: Final = 100

#: ``editor_url`` presets: name → template (``{path}``: the absolute file name,
#: ``{line}``: the line number).
EDITOR_PRESETS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "vscode": "vscode://file/{path}:{line}",
        "pycharm": "pycharm://open?file={path}&line={line}",
        "sublime": "subl://open?url=file://{path}&line={line}",
        "emacs": "emacs://open?url=file://{path}&line={line}",
        "file": "file://{path}",
    }
)
#: Schemes a template may never use: they run code or carry a document in the page.
_FORBIDDEN_SCHEMES: Final = frozenset({"javascript", "data", "vbscript", "blob", "about"})
_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,31}):")
_TEMPLATE_LIMIT: Final = 500


def ascontextlines(value: object, option: str = "context_lines") -> int:
    """Check ``context_lines``: an integer from 0 to :data:`MAX_CONTEXT_LINES` (ini text too).

    :param value: an int, or its text from an ini file
    :param option: the option's name for the error
    :raises ConfigError: for anything else
    """
    number: object = value
    if isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            raise ConfigError(option, f"expected an integer, got {safe_repr(value, 100)}") from None
    if not isinstance(number, int) or isinstance(number, bool):
        raise ConfigError(option, f"expected an integer, got {safe_repr(value, 100)}")
    if not 0 <= number <= MAX_CONTEXT_LINES:
        raise ConfigError(option, f"must be between 0 and {MAX_CONTEXT_LINES}, got {number}")
    return number


def _items(value: object, option: str) -> list[str]:
    """The items of a list option: an iterable of strings, or ini text (commas or whitespace)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [item for item in value.replace(",", " ").split() if item]
    if isinstance(value, bytes | bytearray) or not isinstance(value, Iterable):
        raise ConfigError(option, f"expected a list of strings, got {type(value).__name__}")
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(option, f"expected strings, got {safe_repr(item, 100)}")
    return [item.strip() for item in items if item.strip()]


def aspackages(value: object, option: str = "app_packages") -> tuple[str, ...]:
    """Check ``app_packages``: dotted module names (``myapp``, ``company.billing``).

    :param value: a list of names, or ini text separated by commas or whitespace
    :param option: the option's name for the error
    :raises ConfigError: for a name that is not a dotted Python identifier
    """
    names = _items(value, option)
    for name in names:
        if not all(part.isidentifier() for part in name.split(".")):
            raise ConfigError(option, f"{safe_repr(name, 100)} is not a dotted module name")
    return tuple(dict.fromkeys(names))


def aspathprefixes(value: object, option: str = "library_paths") -> tuple[str, ...]:
    """Check ``library_paths``: directories of libraries' files (``~`` expanded, made absolute).

    :param value: a list of paths, or ini text: one path per line (a path may
        hold spaces then), or on one line separated by commas or whitespace
    :param option: the option's name for the error
    :raises ConfigError: for a path holding a NUL character
    """
    if isinstance(value, str) and "\n" in value.strip():
        paths = [line.strip() for line in value.splitlines() if line.strip()]
    else:
        paths = _items(value, option)
    prefixes = []
    for path in paths:
        if "\x00" in path:
            raise ConfigError(option, f"{safe_repr(path, 100)} holds a NUL character")
        prefixes.append(directory_prefix(os.path.abspath(os.path.expanduser(path))))
    return tuple(dict.fromkeys(prefixes))


def directory_prefix(path: str) -> str:
    """*path* with one trailing separator, so ``/opt/lib`` never matches ``/opt/library``."""
    separator = "\\" if "\\" in path and "/" not in path else "/"
    return path.rstrip("/\\") + separator


def aseditorurl(value: object, option: str = "editor_url") -> str | None:
    """Check ``editor_url``: a preset's name (:data:`EDITOR_PRESETS`) or a link template.

    A template names ``{path}`` (the absolute file name, percent-encoded) and
    may name ``{line}``; it starts with its own scheme (``vscode:``,
    ``https:``, …), never one that runs code (``javascript:``, ``data:``,
    ``vbscript:``, ``blob:``, ``about:``). Empty means no links.

    :param value: ``None``, a preset name or a template
    :param option: the option's name for the error
    :returns: the template, or ``None`` for no editor links
    :raises ConfigError: for anything else
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(
            option, f"expected a preset name or a template, got {safe_repr(value, 100)}"
        )
    text = value.strip()
    if not text:
        return None
    preset = EDITOR_PRESETS.get(text.lower())
    if preset is not None:
        return preset
    if len(text) > _TEMPLATE_LIMIT:
        raise ConfigError(option, f"a template has at most {_TEMPLATE_LIMIT} characters")
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in text):
        raise ConfigError(option, "a template holds no spaces or control characters")
    try:
        parts = [part for part in string.Formatter().parse(text) if part[1] is not None]
    except ValueError as error:
        raise ConfigError(option, f"not a template: {error}") from None
    if any(spec or conversion for _, _, spec, conversion in parts):
        raise ConfigError(option, "a placeholder is {path} or {line}, without a format or !r")
    fields = [name for _, name, _, _ in parts if name is not None]
    unknown = sorted(set(fields) - {"path", "line"})
    if unknown:
        raise ConfigError(
            option, f"unknown placeholder {{{unknown[0]}}}; use {{path}} and {{line}}"
        )
    if "path" not in fields:
        presets = ", ".join(EDITOR_PRESETS)
        raise ConfigError(option, f"a template names {{path}} (or use a preset: {presets})")
    scheme = _SCHEME.match(text)
    if scheme is None:
        raise ConfigError(option, "a template starts with its scheme, such as vscode: or https:")
    if scheme[1].lower() in _FORBIDDEN_SCHEMES:
        raise ConfigError(option, f"the scheme {scheme[1]}: is not allowed in an editor link")
    return text


def template_scheme(template: str) -> str:
    """The scheme a checked template starts with, lower case."""
    match = _SCHEME.match(template)
    return match[1].lower() if match else ""


def editor_link(template: str | None, filename: str | None, lineno: int | None) -> str | None:
    """The editor link of a frame, or ``None``.

    Only for a real absolute file (never ``<string>`` or a relative name) and
    only when the link's scheme is http(s) or the template's own: a file name
    can never make it another link.

    :param template: a template checked by :func:`aseditorurl` (``None``: no links)
    :param filename: the frame's file name, untrimmed
    :param lineno: the frame's line number
    """
    if not template or not filename or filename.startswith("<"):
        return None
    path = filename.replace("\\", "/")
    if not (path.startswith("/") or re.match(r"[A-Za-z]:/", path)):
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        return None
    quoted = urllib.parse.quote(path, safe="/:")
    try:
        link = template.format(path=quoted, line=lineno if isinstance(lineno, int) else 1)
    except (ValueError, KeyError, IndexError):
        return None
    scheme = template_scheme(link)
    if scheme not in ("http", "https", template_scheme(template)):
        return None
    return link
