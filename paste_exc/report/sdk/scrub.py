"""Report: the shared redactor applied to a whole SDK payload, whatever its shape.

Stage four of the pipeline (catch → collect → format → **report** → respond).
An SDK builds its own payload from the live exception (messages, notes,
frame variables, breadcrumbs, request, tags, extras...), so the redaction
paste_exc applies while collecting never sees it. :class:`PayloadRedactor`
walks that payload just before it leaves and applies the same
:class:`~paste_exc.redact.Redactor` rules as every other output; it adds no
rule of its own:

* a value under a key with a secret-looking name (at any depth) is replaced
  whole, whatever its type (a string, a list of tokens, a mapping of
  credentials); a mapping of cookies keeps its cookie names;
* every other text (values and keys alike) goes through
  :meth:`~paste_exc.redact.Redactor.redact_text`;
* everything is bounded: a text is cut to :data:`TEXT_LIMIT` characters, the
  cut made *after* redaction so that a secret across the cut is not half
  kept; past :data:`MAX_DEPTH` levels, :data:`MAX_VALUES` values or
  :data:`MAX_CHARACTERS` characters of text, a placeholder replaces the
  rest (it fails closed: nothing is passed on unredacted because it was too
  deep or too much).

Containers are copied, never changed in place.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Final

from paste_exc.errors import ConfigError
from paste_exc.redact.engine import REDACTED, Redactor, default_redactor
from paste_exc.redact.saferepr import safe_repr
from paste_exc.report.registry import resolve_reference

__all__ = [
    "COOKIE_KEYS",
    "MAX_CHARACTERS",
    "MAX_DEPTH",
    "MAX_VALUES",
    "TEXT_LIMIT",
    "TOO_DEEP",
    "TOO_MANY",
    "PayloadRedactor",
    "pick_redactor",
]

#: The most characters of one text that leave (the SDKs bound less, or not at all).
TEXT_LIMIT: Final = 16_384
#: How many characters past :data:`TEXT_LIMIT` are redacted with the text and
#: then dropped, so that a secret lying across the cut is seen whole.
CUT_MARGIN: Final = 4_096
#: The deepest nesting kept; deeper values become :data:`TOO_DEEP`.
MAX_DEPTH: Final = 32
#: The most values (texts, numbers, containers) one payload keeps; the rest
#: become :data:`TOO_MANY`.
MAX_VALUES: Final = 100_000
#: The most characters of text one payload redacts (about what Sentry accepts
#: for one event); later texts become :data:`TOO_MANY`.
MAX_CHARACTERS: Final = 2_000_000
TOO_DEEP: Final = "[REDACTED: nested too deeply]"
TOO_MANY: Final = "[REDACTED: too many values]"
#: Keys whose mapping value is cookie name → value: the names stay, every value goes.
COOKIE_KEYS: Final = frozenset({"cookies", "cookie", "set-cookie", "set_cookie", "http_cookie"})
#: Keys whose subtree is the SDK's own metadata (Sentry's ``_meta``: lengths,
#: rules): names there mirror the payload's paths and are not checked as secrets.
META_KEYS: Final = frozenset({"_meta"})
#: Values left as they are: numbers, booleans, ``None`` and times.
PLAIN_TYPES: Final = (
    int,
    float,
    type(None),
    datetime.date,
    datetime.time,
    datetime.timedelta,
)
#: What the walk takes as it is or walks into.
JSON_TYPES: Final = (str, Mapping, list, tuple, *PLAIN_TYPES)


def pick_redactor(redactor: object) -> Redactor:
    """Return the redactor a backend's ``redactor`` option names.

    :param redactor: ``None`` (:data:`paste_exc.redact.default_redactor`, the
        one paste_exc's own outputs use), a :class:`~paste_exc.redact.Redactor`,
        or a ``module:name`` reference to one
    :raises ConfigError: the option names something else
    """
    if redactor is None:
        return default_redactor
    target = resolve_reference(redactor, option="redactor")
    if not isinstance(target, Redactor):
        raise ConfigError("redactor", f"expected a Redactor, got {safe_repr(target, 100)}")
    return target


def _as_text(value: object) -> object:
    """The fallback for objects that are not JSON-like: their bounded ``repr()``."""
    return safe_repr(value, TEXT_LIMIT + CUT_MARGIN)


class PayloadRedactor:
    """Apply a :class:`~paste_exc.redact.Redactor` to a nested payload.

    :param redactor: decides what is secret
    :param to_plain: turns an object that is not JSON-like (not a mapping,
        list, tuple, text, number or time) into JSON-like data, as the SDK
        would encode it; by default its bounded ``repr()``
    :param text_limit: the most characters of one text
    """

    def __init__(
        self,
        redactor: Redactor,
        *,
        to_plain: Callable[[object], object] | None = None,
        text_limit: int = TEXT_LIMIT,
    ) -> None:
        self.redactor = redactor
        self.to_plain = to_plain if to_plain is not None else _as_text
        self.text_limit = text_limit

    def redact(self, value: object, name: object = None) -> object:
        """Return a redacted copy of *value*.

        :param value: a payload, or one part of it
        :param name: the key *value* sits under, if any (a secret-looking one
            replaces it whole)
        """
        return _Walk(self).value(value, name, 0, True)

    def text(self, text: str) -> str:
        """Return *text* redacted and cut to the text limit (the cut after redaction)."""
        limit = self.text_limit
        if len(text) <= limit:
            return self.redactor.redact_text(text)
        redacted = self.redactor.redact_text(text[: limit + CUT_MARGIN])
        # The window's last CUT_MARGIN characters may hold the start of a secret
        # that runs past the window, unrecognised: never keep them.
        kept = redacted[: max(0, min(limit, len(redacted) - CUT_MARGIN))]
        return f"{kept}…[cut: {len(text)} characters]"


class _Walk:
    """One pass over one payload, with its own budget of values."""

    __slots__ = ("budget", "characters", "payload")

    def __init__(self, payload: PayloadRedactor) -> None:
        self.payload = payload
        self.budget = MAX_VALUES
        self.characters = MAX_CHARACTERS

    def text(self, text: str) -> str:
        self.characters -= min(len(text), self.payload.text_limit + CUT_MARGIN)
        if self.characters < 0:
            return TOO_MANY
        return self.payload.text(text)

    def value(self, value: object, name: object, depth: int, names: bool) -> object:
        self.budget -= 1
        if self.budget < 0:
            return TOO_MANY
        if names and isinstance(name, str):
            if name.lower() in COOKIE_KEYS and isinstance(value, Mapping):
                return self.cookies(value)
            if self.payload.redactor.is_secret_name(name):
                return REDACTED
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, PLAIN_TYPES):
            return value
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        if isinstance(value, Mapping):
            return self.mapping(value, depth, names)
        if isinstance(value, list | tuple):
            items: list[object] = []
            for item in value:
                if self.budget <= 0:
                    items.append(TOO_MANY)  # one marker for all the rest
                    break
                items.append(self.value(item, None, depth + 1, names))
            return items
        try:
            plain = self.payload.to_plain(value)
        except Exception:  # noqa: BLE001 (a hostile object: its bounded repr instead)
            plain = _as_text(value)
        if isinstance(plain, JSON_TYPES):
            return self.value(plain, None, depth + 1, names)
        return self.text(safe_repr(plain, TEXT_LIMIT))

    def mapping(
        self, value: Mapping[object, object], depth: int, names: bool
    ) -> dict[object, object]:
        result: dict[object, object] = {}
        for key, item in value.items():
            if self.budget <= 0:
                result["…"] = TOO_MANY  # one marker for all the rest
                break
            inner = names and not (isinstance(key, str) and key in META_KEYS)
            new_key = self.text(key) if isinstance(key, str) else key
            result[new_key] = self.value(item, key, depth + 1, inner)
        return result

    def cookies(self, value: Mapping[object, object]) -> dict[object, object]:
        return {(self.text(key) if isinstance(key, str) else key): REDACTED for key in value}
