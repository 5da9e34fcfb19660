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
from dataclasses import dataclass

from paste_exc._saferepr import safe_repr, safe_str
from paste_exc.errors import ConfigError

__all__ = [
    "DEFAULT_SECRET_NAMES",
    "DEFAULT_VALUE_PATTERNS",
    "REDACTED",
    "Redactor",
    "ValuePattern",
    "default_redactor",
    "luhn_valid",
    "normalise_name",
]

#: What replaces a secret.
REDACTED = "[REDACTED]"

#: :meth:`Redactor.redact_text` remembers up to this many texts of at most
#: this many characters that had nothing to redact.
_CLEAN_TEXTS_KEPT = 4096
_CLEAN_TEXT_LIMIT = 256

#: The built-in secret names, as ``_``-joined runs of lower-case words. A
#: trailing number is allowed (``password2``).
DEFAULT_SECRET_NAMES: tuple[str, ...] = (
    "password",
    "passwords",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "tokens",
    "auth",
    "authorization",
    "authentication",
    "credential",
    "credentials",
    "cookie",
    "cookies",
    "session",
    "sessionid",
    "sessid",
    "phpsessid",
    "jsessionid",
    "csrf",
    "csrftoken",
    "csrfmiddlewaretoken",
    "xsrf",
    "xsrftoken",
    "signature",
    "apikey",
    "api_key",
    "privatekey",
    "private_key",
    "secretkey",
    "secret_key",
    "accesskey",
    "access_key",
    "signing_key",
    "encryption_key",
    "master_key",
    "creditcard",
    "credit_card",
    "cardnumber",
    "card_number",
    "cc_number",
    "ccnum",
    "cvv",
    "cvc",
)


def luhn_valid(text: str) -> bool:
    """Return whether the digits of *text* pass the Luhn check of card numbers.

    :param text: digits, possibly separated by spaces or dashes
    """
    digits = [int(ch) for ch in text if ch.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class ValuePattern:
    """A regular expression for secrets inside text.

    When the expression has a group named ``secret``, only that group is
    replaced; otherwise the whole match is. A *validator*, when given, must
    accept the whole match for it to count (the Luhn check of card numbers).
    """

    name: str
    regex: re.Pattern[str]
    description: str = ""
    validator: Callable[[str], bool] | None = None


def _pattern(
    name: str,
    regex: str,
    description: str,
    flags: int = 0,
    validator: Callable[[str], bool] | None = None,
) -> ValuePattern:
    return ValuePattern(name, re.compile(regex, flags), description, validator)


_ASSIGNED_NAMES = (
    r"password|passwd|pwd|passphrase|secret|client[_-]?secret|token|access[_-]?token|"
    r"refresh[_-]?token|auth[_-]?token|api[_-]?key|apikey|private[_-]?key|secret[_-]?key|"
    r"access[_-]?key|sessionid|csrftoken|credentials?"
)

#: The built-in value patterns, in the order they are applied.
DEFAULT_VALUE_PATTERNS: tuple[ValuePattern, ...] = (
    _pattern(
        "pem_private_key",
        r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\Z)",
        "a PEM private key block (to its END line, or to the end of a cut text)",
        re.DOTALL,
    ),
    _pattern(
        "bearer",
        r"\b(?:[Bb]earer|BEARER|[Bb]asic|BASIC)\s+(?P<secret>[A-Za-z0-9._~+/-]{8,}=*)",
        "the credentials after ``Bearer`` or ``Basic`` (an Authorization header)",
    ),
    _pattern(
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*",
        "a JSON Web Token (``eyJ….eyJ….signature``)",
    ),
    _pattern(
        "aws_access_key_id",
        r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b",
        "an AWS access key id (``AKIA`` and 16 more characters)",
    ),
    _pattern(
        "known_token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|xox[abposr]-[A-Za-z0-9-]{10,}|"
        r"[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35})",
        "GitHub, Slack, Stripe and Google API tokens, recognised by their prefix",
    ),
    _pattern(
        "url_password",
        r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@'\"]*:(?P<secret>[^\s/@'\"]+)@",
        "the password of ``scheme://user:password@host``",
    ),
    _pattern(
        "assignment",
        rf"(?<![A-Za-z0-9])(?:{_ASSIGNED_NAMES})['\"]?\s*[=:]\s*['\"]?"
        r"(?P<secret>[^\s&'\",;}]+)",
        "the value in ``password=…``, ``'token': '…'``, ``api_key: …`` and similar",
        re.IGNORECASE,
    ),
    _pattern(
        "card_number",
        r"(?<![\d.\w-])(?:[2-6]\d{3})(?:[ -]?\d){9,15}(?![\d.\w])",
        "a payment card number (13 to 19 digits passing the Luhn check)",
        validator=luhn_valid,
    ),
)

_CAMEL_RUN = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SEPARATORS = re.compile(r"[^0-9a-z]+")


def normalise_name(name: str) -> str:
    """Split *name* into lower-case words joined by ``_``.

    ``normalise_name("X-Api-Token") == "x_api_token"``,
    ``normalise_name("clientSecret") == "client_secret"``.

    :param name: a variable name, a mapping key or a header name
    """
    name = _CAMEL_RUN.sub(r"\1_\2", name)
    name = _CAMEL.sub(r"\1_\2", name)
    return "_".join(word for word in _SEPARATORS.split(name.lower()) if word)


def _as_list(value: Iterable[object] | str, option: str) -> list[object]:
    if isinstance(value, str):
        return [item for item in re.split(r"[\s,]+", value) if item]
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
        self._substitutions = tuple((pattern.regex, _replacer(pattern)) for pattern in patterns)
        self._name_cache: dict[str, bool] = {}
        self._clean_texts: set[str] = set()

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
            objects are converted with :func:`~paste_exc._saferepr.safe_str`)
        """
        text = name if type(name) is str else safe_str(name, 200)
        cached = self._name_cache.get(text)
        if cached is not None:
            return cached
        result = bool(self._name_regex and self._name_regex.search(normalise_name(text[:200])))
        if len(self._name_cache) < 4096:
            self._name_cache[text] = result
        return result

    def redact_text(self, text: str) -> str:
        """Return *text* with every secret-looking part replaced.

        :param text: any text, e.g. a bounded repr or an exception message
        """
        if not text:
            return text
        exact = type(text) is str  # only plain strings are hashed (no user __hash__)
        if exact and text in self._clean_texts:
            return text
        original = text
        for regex, replace in self._substitutions:
            text = regex.sub(replace, text)
        if ("'" in text or '"' in text) and (":" in text or "=" in text):
            text = _NAMED_VALUE.sub(self._redact_named_value, text)
        if exact and text == original and len(text) <= _CLEAN_TEXT_LIMIT:
            # Remember short texts with nothing to hide (request methods, paths,
            # addresses come back with every report); never one that held a secret.
            if len(self._clean_texts) >= _CLEAN_TEXTS_KEPT:
                self._clean_texts.clear()
            self._clean_texts.add(text)
        return text

    def _redact_named_value(self, match: re.Match[str]) -> str:
        """Hide the value of a ``'name': 'value'`` or ``name='value'`` pair with a secret name.

        This is what keeps a secret out of the repr of a container, say a local
        ``environ`` dict holding ``'HTTP_COOKIE': '...'``, or an object whose
        repr shows ``password='...'``.
        """
        name = match.group("key") or match.group("kw")
        if not self.is_secret_name(name):
            return match.group(0)
        start, end = match.span("value")
        offset = match.start(0)
        whole = match.group(0)
        return whole[: start - offset] + REDACTED + whole[end - offset :]

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
                    continue
                name = safe_str(key, 200)
                # A secret-named value is never turned into text: its repr would be thrown away.
                secret = self.is_secret_name(name)
                result[name] = REDACTED if secret else self.redact_text(convert(value, limit))
        except Exception as error:  # noqa: BLE001
            result["…"] = f"<mapping could not be read: {safe_str(error, 200)}>"
        if count > max_items:
            result["…"] = f"[{count - max_items} more items]"
        return result


#: A quoted key and a quoted value (``'key': 'value'``, as dict reprs show them) or a
#: keyword and a quoted value (``key='value'``, as dataclass and call reprs show them).
#: A value cut short by truncation (no closing quote before ``…`` or the end) counts too.
_NAMED_VALUE = re.compile(
    r"""(?:(?P<kq>['"])(?P<key>[^'"\\\n]{1,200})(?P=kq)\s*:\s*|\b(?P<kw>[A-Za-z_][\w-]{0,100})=)"""
    r"""(?P<vq>['"])(?P<value>(?:\\.|(?!(?P=vq))[^\\\n…])*)(?:(?P=vq)|(?=…)|$)"""
)


def _replacer(pattern: ValuePattern) -> Callable[[re.Match[str]], str]:
    has_group = "secret" in pattern.regex.groupindex
    validator = pattern.validator

    def replace(match: re.Match[str]) -> str:
        whole = match.group(0)
        if validator is not None and not validator(whole):
            return whole
        if not has_group or match.group("secret") is None:
            return REDACTED
        start, end = match.span("secret")
        offset = match.start(0)
        return whole[: start - offset] + REDACTED + whole[end - offset :]

    return replace


#: The redactor used when none is given.
default_redactor = Redactor()
