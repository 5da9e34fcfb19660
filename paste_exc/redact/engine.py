"""Redaction: replace secret-looking names and values by a fixed marker.

Part of the collect stage: every mapping the collector copies (supplement
extra data, the WSGI environ, ...) and every local it records passes through a
:class:`Redactor` before it becomes part of a report, so passwords, tokens,
cookies and keys never reach a page, a mail or a log.

Two kinds of rules, both configurable (see :doc:`/redaction`):

* **secret names**: a value whose *name* (a local variable, a mapping key, an
  environ key) looks secret is replaced entirely. Names are split into words
  (``X-Api-Token``, ``clientSecret`` and ``HTTP_COOKIE`` become ``x api
  token``, ``client secret``, ``http cookie``) and a rule matches a run of
  whole words, so ``tokenizer_name`` or ``author`` do not match ``token`` or
  ``auth``.
* **value patterns**: regular expressions for secrets inside any text
  (``Bearer …``, JWTs, AWS access key ids, PEM private keys, the password of
  ``scheme://user:password@host``, card numbers, ``password=…``); only the
  secret part of a match is replaced.

.. versionadded:: 0.1
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from paste_exc.config.convert import aslist
from paste_exc.errors import ConfigError
from paste_exc.redact.names import (
    DEFAULT_SECRET_NAMES,
    REDACTED,
    key_regex,
    minimal_hints,
    normalise_name,
    redact_named_values,
)
from paste_exc.redact.patterns import (
    DEFAULT_VALUE_PATTERNS,
    ValuePattern,
    folded_regex,
)
from paste_exc.redact.saferepr import safe_repr, safe_str, truncate_text

__all__ = [
    "MAX_TEXT",
    "REDACTED",
    "Redactor",
    "default_redactor",
]


#: :meth:`Redactor.redact_text` remembers up to this many of its results of at
#: most this many characters (each is redacted again to itself).
_CLEAN_TEXTS_KEPT = 1024
_CLEAN_TEXT_LIMIT = 1024

#: The most characters of one text the patterns run on: a longer text is cut
#: (with the marker of :func:`~paste_exc.redact.saferepr.truncate_text`) first. Callers
#: bound their texts well below this (a message to 10,000 characters, request
#: data to a few hundred); this is the last bound, for any caller.
MAX_TEXT = 20_000


def _as_list(value: Iterable[object] | str, option: str) -> list[object]:
    if isinstance(value, str):
        return list(aslist(value, option))
    try:
        return list(value)
    except TypeError:
        raise ConfigError(option, f"expected a list, got {safe_repr(value, 100)}") from None


class Redactor:
    """Replace secrets in names and values by :data:`REDACTED`.

    :param extra_names: more secret names (words such as ``ssn`` or
        ``license_key``; any spelling: ``License-Key`` works too)
    :param remove_names: built-in secret names to drop (e.g. ``session``)
    :param extra_value_patterns: more value patterns: :class:`ValuePattern`
        objects, compiled or string regular expressions, or ``(name, regex)``
        pairs; a group named ``secret`` limits what is replaced
    :param remove_value_patterns: names of built-in value patterns to drop
    :raises paste_exc.errors.ConfigError: for an unknown name to remove or an
        invalid regular expression
    """

    def __init__(
        self,
        extra_names: Iterable[str] | str = (),
        remove_names: Iterable[str] | str = (),
        extra_value_patterns: Iterable[ValuePattern | re.Pattern[str] | str | tuple[str, str]]
        | str = (),
        remove_value_patterns: Iterable[str] | str = (),
    ) -> None:
        names = list(DEFAULT_SECRET_NAMES)
        for item in _as_list(remove_names, "remove_names"):
            word = normalise_name(safe_str(item))
            if word not in names:
                raise ConfigError(
                    "remove_names", f"{item!r} is not a built-in secret name: {', '.join(names)}"
                )
            names.remove(word)
        for item in _as_list(extra_names, "extra_names"):
            if not isinstance(item, str) or not normalise_name(item):
                raise ConfigError("extra_names", f"not a name: {safe_repr(item, 100)}")
            if normalise_name(item) not in names:
                names.append(normalise_name(item))
        self.secret_names: tuple[str, ...] = tuple(names)
        alternatives = "|".join(re.escape(word) for word in sorted(names, key=len, reverse=True))
        self._name_regex = re.compile(rf"(?:^|_)(?:{alternatives})\d*(?:_|$)") if names else None
        # Every word of a secret name is a substring of the lower-cased raw name
        # (normalising only lower-cases and puts separators between words): a
        # name holding none of the first words is not secret, and needs no split.
        firsts = sorted({word.split("_")[0] for word in names}, key=len, reverse=True)
        hints = minimal_hints(firsts)
        self._name_hint = re.compile("|".join(re.escape(word) for word in hints) or "(?!)")
        self._keys = key_regex(hints)
        self._lowered_keys = key_regex(hints, lowered=True)

        patterns = list(DEFAULT_VALUE_PATTERNS)
        known = [pattern.name for pattern in patterns]
        for item in _as_list(remove_value_patterns, "remove_value_patterns"):
            if item not in known:
                raise ConfigError(
                    "remove_value_patterns",
                    f"{item!r} is not a built-in value pattern: {', '.join(known)}",
                )
            patterns = [pattern for pattern in patterns if pattern.name != item]
        if isinstance(extra_value_patterns, str):
            extra_value_patterns = [extra_value_patterns]
        for item in _as_list(extra_value_patterns, "extra_value_patterns"):
            patterns.append(self._make_pattern(item))
        self.value_patterns: tuple[ValuePattern, ...] = tuple(patterns)
        #: Each pattern's regex with its replacement function, built once here
        #: rather than on every :meth:`redact_text` call.
        self._substitutions = tuple(
            (
                pattern.triggers,
                pattern.fold_triggers,
                pattern.regex,
                folded_regex(pattern),
                _replacer(pattern),
            )
            for pattern in patterns
        )
        self._name_cache: dict[str, bool] = {}
        self._clean_texts: set[str] = set()
        #: Recent results by ``(hash, length)`` of the text they came from: the same
        #: text (a header value, a URL shown in several places) is redacted once. The
        #: texts themselves are not kept (they may hold a secret); the keyed string
        #: hash cannot be steered to a collision without the process's hash secret.
        self._results: dict[tuple[int, int], str] = {}

    @staticmethod
    def _make_pattern(item: object) -> ValuePattern:
        if isinstance(item, ValuePattern):
            return item
        if isinstance(item, re.Pattern):
            return ValuePattern(safe_str(item.pattern, 100), item)
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, regex = item
        elif isinstance(item, str):
            name, regex = item, item
        else:
            raise ConfigError(
                "extra_value_patterns", f"not a pattern or (name, regex): {safe_repr(item, 100)}"
            )
        if isinstance(regex, re.Pattern):
            return ValuePattern(name, regex)
        if not isinstance(regex, str):
            raise ConfigError("extra_value_patterns", f"not a regex: {safe_repr(regex, 100)}")
        try:
            return ValuePattern(name, re.compile(regex))
        except re.error as error:
            raise ConfigError(
                "extra_value_patterns", f"invalid regular expression {regex!r}: {error}"
            ) from None

    def is_secret_name(self, name: object) -> bool:
        """Return whether a value called *name* should be hidden entirely.

        :param name: a variable name, mapping key or header name (other
            objects are converted with :func:`~paste_exc.redact.saferepr.safe_str`)
        """
        text = name if type(name) is str else safe_str(name, 200)
        cached = self._name_cache.get(text)
        if cached is not None:
            return cached
        text = text[:200]
        result = bool(
            self._name_regex
            and self._name_hint.search(text.lower())
            and self._name_regex.search(normalise_name(text))
        )
        if len(self._name_cache) >= 4096:
            self._name_cache.clear()  # a flood of names must not stop the caching
        self._name_cache[text] = result
        return result

    def redact_text(self, text: str) -> str:
        """Return *text* with every secret-looking part replaced.

        The name pass runs first: it replaces the whole value of every pair
        whose name is secret (``'password': b'…'``, ``auth=('bob', '…')``,
        ``?session=…``); then the value patterns, each only when one of its
        triggers occurs in the text. A text longer than
        :data:`MAX_TEXT` is cut before anything runs on it.

        :param text: any text, e.g. a bounded repr or an exception message
        """
        if not text:
            return text
        exact = type(text) is str  # only plain strings are hashed (no user __hash__)
        if exact and text in self._clean_texts:
            return text
        if not exact:
            text = str.__str__(text)
        if len(text) > MAX_TEXT:
            text = truncate_text(text, MAX_TEXT)
        key = (hash(text), len(text))
        known = self._results.get(key)
        if known is not None:
            return known
        # Names first: the whole value under a secret key goes, before a value
        # pattern could take a piece of it.
        quoted = "'" in text or '"' in text
        if ("=" in text or (quoted and (":" in text or "(" in text))) and (
            "%" in text or self._name_hint.search(text.lower())
        ):
            text = redact_named_values(text, self.is_secret_name, self._keys, self._lowered_keys)
        text = self.redact_values(text)
        if len(text) <= _CLEAN_TEXT_LIMIT:
            # Remember what redaction returns (request methods, paths, addresses come
            # back with every report, and a URL is shown in several places): a
            # redacted text is redacted again to itself. Never a text that held a
            # secret: only results are kept.
            if len(self._clean_texts) >= _CLEAN_TEXTS_KEPT:
                self._clean_texts.clear()
                self._results.clear()
            self._clean_texts.add(text)
            self._results[key] = text
        return text

    def redact_values(self, text: str) -> str:
        """Return *text* with the value patterns applied, and nothing else.

        For source lines: ``password = "…"``, a URL's password, keys, tokens,
        PEM blocks and card numbers go, while names in code (``token=None``
        in a signature) are left alone. A text longer than :data:`MAX_TEXT`
        is cut first.

        :param text: any text

        .. versionadded:: 0.1
        """
        if len(text) > MAX_TEXT:
            text = truncate_text(text, MAX_TEXT)
        lowered: str | None = None
        for triggers, fold, regex, folded, replace in self._substitutions:
            if lowered is None and (fold or folded is not None):
                lowered = text.lower()
            if triggers:
                haystack = lowered if fold and lowered is not None else text
                for trigger in triggers:
                    if trigger in haystack:
                        break
                else:
                    continue
            # Lower-casing maps each character to one or more: the same length
            # means the same positions, and the faster expression can run on it.
            if folded is not None and lowered is not None and len(lowered) == len(text):
                matches = folded.finditer(lowered)
            else:
                matches = regex.finditer(text)
            replaced = _substitute(text, matches, replace)
            if replaced is not text:
                text, lowered = replaced, None
        return text

    def redact_item(self, name: object, value_text: str) -> tuple[str, bool]:
        """Redact one named value; return the text and whether it changed.

        :param name: the value's name
        :param value_text: the value, already turned into bounded text
        """
        if self.is_secret_name(name):
            return REDACTED, True
        text = self.redact_text(value_text)
        return text, text != value_text

    def redact_mapping(
        self,
        mapping: Mapping[object, object],
        *,
        use_repr: bool = True,
        limit: int = 1000,
        max_items: int = 1000,
    ) -> dict[str, str]:
        """Return a redacted, inert copy of *mapping*; never raise.

        Keys become strings; values become bounded ``repr()`` strings (or
        ``str()`` strings with ``use_repr=False``) with secrets replaced.
        Past *max_items* entries, one last entry ``"…"`` says how many were
        left out.

        :param mapping: any mapping (a WSGI environ, a supplement's data)
        :param use_repr: whether values are shown as ``repr()`` (Paste's
            ``key: repr`` layout) or as ``str()``
        :param limit: the most characters of each value
        :param max_items: the most entries to copy
        """
        result: dict[str, str] = {}
        convert = safe_repr if use_repr else safe_str
        count = 0
        try:
            for key, value in mapping.items():
                count += 1
                if count > max_items:
                    count = _length(mapping, count)
                    break
                name = safe_str(key, 200)
                # A secret-named value is never turned into text: its repr would be thrown away.
                secret = self.is_secret_name(name)
                result[name] = REDACTED if secret else self.redact_text(convert(value, limit))
        except Exception as error:  # noqa: BLE001
            result["…"] = f"<mapping could not be read: {safe_str(error, 200)}>"
        if count > max_items:
            result["…"] = f"[{count - max_items} more items]"
        return result


def _length(mapping: Mapping[object, object], at_least: int) -> int:
    """``len(mapping)``, or *at_least* when it cannot be read (never iterate the rest)."""
    try:
        length = len(mapping)
    except Exception:  # noqa: BLE001
        return at_least
    return length if isinstance(length, int) and length >= at_least else at_least


def _replacer(pattern: ValuePattern) -> Callable[[str, re.Match[str]], str | None]:
    """The replacement of one match of *pattern* in a text (``None``: leave it)."""
    has_group = "secret" in pattern.regex.groupindex
    validator = pattern.validator

    def replace(text: str, match: re.Match[str]) -> str | None:
        start, end = match.span()
        if validator is not None and not validator(text[start:end]):
            return None
        if not has_group or match.start("secret") < 0:
            return REDACTED
        secret_start, secret_end = match.span("secret")
        return text[start:secret_start] + REDACTED + text[secret_end:end]

    return replace


def _substitute(
    text: str,
    matches: Iterable[re.Match[str]],
    replace: Callable[[str, re.Match[str]], str | None],
) -> str:
    """*text* with each match replaced (by position: a match may be of its lower-cased copy)."""
    pieces: list[str] = []
    kept_from = 0
    for match in matches:
        replacement = replace(text, match)
        if replacement is not None:
            pieces.append(text[kept_from : match.start()])
            pieces.append(replacement)
            kept_from = match.end()
    if not pieces:
        return text
    pieces.append(text[kept_from:])
    return "".join(pieces)


#: The redactor used when none is given.
default_redactor = Redactor()
