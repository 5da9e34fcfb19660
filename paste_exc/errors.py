"""The exceptions paste_exc itself raises, under one base class."""

from __future__ import annotations

__all__ = ["ConfigError", "PasteExcError"]


class PasteExcError(Exception):
    """Base class of every exception paste_exc raises on purpose."""


class ConfigError(PasteExcError, ValueError):
    """A configuration value is missing, unknown or invalid.

    The message always names the option. It is a :class:`ValueError`, so code
    written against Paste that caught ``ValueError`` keeps working.
    """

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        super().__init__(f"{option}: {message}")
