"""Redaction: the secret names, how a name splits into words, and named values in text.

Part of the redactor, beneath every stage. :data:`DEFAULT_SECRET_NAMES` are
the built-in name rules, matched against a name split into lower-case words
(:func:`normalise_name`).

The name pass finds values named inside text. A repr, a URL or a message shows
named values: ``'password': b'…'`` in a dict repr, ``auth=('bob', '…')`` in a
call or dataclass repr, ``('token', '…')`` in a list of pairs (WebOb's
``MultiDict`` of a parsed form, a header list), ``?session=…&page=2`` in a URL,
``user%5Bpassword%5D=…`` in a query string. When the name is secret by the
redactor's name rules (those of headers and locals; a percent-encoded name is
decoded first), the **whole value** is replaced, whatever its type: the
content of a string (its quotes kept), a bracketed container with everything
nested in it, or a bare value up to its delimiter.

Linear time: the key expression starts only at a quote (its key cannot hold
one) or at the start of a name run (a look-behind), so every character is
scanned by a bounded number of starts; a value is scanned only under a secret
key, and the scan resumes after it, so values are never scanned twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_plus

__all__ = [
    "DEFAULT_SECRET_NAMES",
    "REDACTED",
    "key_regex",
    "minimal_hints",
    "normalise_name",
    "redact_named_values",
]

#: What replaces a secret (the whole value of a secret name, the secret part of a pattern).
REDACTED = "[REDACTED]"

_NAME_CHARS = r"\w.\[\]%+-"


def minimal_hints(words: list[str]) -> list[str]:
    """*words* without those that hold another of them (``pass`` covers ``password``)."""
    unique = sorted(set(words), key=len)
    kept: list[str] = []
    for word in unique:
        if word and not any(shorter in word for shorter in kept):
            kept.append(word)
    return kept


def _trie(words: list[str]) -> str:
    """An expression matching any of *words*, grouped by their first letters.

    ``(?:a(?:pi|uth)|c(?:ard|c)|…)`` rather than ``api|auth|card|cc|…``: the
    engine tries a few first letters at each position instead of every word.
    """
    if "" in words:
        return ""  # a shorter word matches already: the longer ones add nothing
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    branches = [re.escape(first) + _trie(rests) for first, rests in sorted(groups.items())]
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


def key_regex(hints: list[str], *, lowered: bool = False) -> re.Pattern[str]:
    """The expression for keys that may be secret: those holding one of *hints*.

    ``'key': `` (dict reprs, JSON) or ``name=`` (call and dataclass reprs, query
    strings, assignments), the name run starting where no name character
    precedes it. A look-ahead keeps only the keys that hold one of *hints*
    (the first words of the secret names, in any case) or a ``%`` (a
    percent-encoded name, decoded before the name rules apply), so the other
    keys cost no step of Python.

    :param hints: lower-case words
    :param lowered: for the lower-cased copy of a text (the hints need no case
        folding there, which is several times faster)
    """
    words = _trie([*minimal_hints(hints), "%"])
    hint = words if lowered else f"(?i:{words})"
    return re.compile(
        rf"""(?P<kq>['"])(?=[^'"\\\n]{{0,200}}?{hint})(?P<key>[^'"\\\n]{{1,200}}+)(?P=kq)"""
        r"""[ \t]*+:[ \t]*+"""
        # A (name, value) pair: the items of a MultiDict, a form's or a header list's pairs.
        rf"""|(?<=\()(?P<pq>['"])(?=[^'"\\\n]{{0,200}}?{hint})(?P<pkey>[^'"\\\n]{{1,200}}+)"""
        r"""(?P=pq),[ \t]*+"""
        rf"""|(?<![{_NAME_CHARS}])(?=[{_NAME_CHARS}]{{0,100}}?{hint})"""
        rf"""(?P<kw>[A-Za-z_][{_NAME_CHARS}]{{0,100}}+)[ \t]*+=(?!=)[ \t]*+"""
    )


#: A quoted string (a ``b``/``r``/``u`` prefix allowed), to its closing quote, or to a
#: line end or truncation marker when it was cut.
_STRING = re.compile(r"""[bBrRuUfF]{0,2}+(?:'(?:\\.|[^'\\\n…])*+'?|"(?:\\.|[^"\\\n…])*+"?)""")
#: Inside a bracketed value: a run of plain characters, a string, or one bracket.
_INSIDE = re.compile(r"""[^()\[\]{}<>'"…]++|['"]|[()\[\]{}<>]|…""")
#: A bare value: up to white space, a quote, ``&``, ``;``, a closing bracket or ``, ``.
_BARE = re.compile(r"""(?:[^\s'"&;)\]}<>,…]|,(?!\s))*+""")
_OPENERS = frozenset("([{<")
_CLOSERS = frozenset(")]}>")


def _bracket_end(text: str, start: int) -> int:
    """Where the bracketed value opening at *start* ends (after its closer, or a cut)."""
    depth = 0
    position = start
    while True:
        match = _INSIDE.match(text, position)
        if match is None:
            return len(text)
        piece = match.group()
        if piece == "…":
            return match.start()
        if piece in _OPENERS:
            depth += 1
        elif piece in _CLOSERS:
            depth -= 1
            if depth <= 0:
                return match.end()
        elif piece[-1] in "'\"":
            string = _STRING.match(text, match.start())
            position = string.end() if string else match.end()
            continue
        position = match.end()


def _value_span(text: str, start: int) -> tuple[int, int]:
    """The part of the value at *start* that is replaced (a string keeps its quotes)."""
    if start >= len(text):
        return start, start
    first = text[start]
    if first in _OPENERS:
        return start, _bracket_end(text, start)
    string = _STRING.match(text, start)
    if string is not None:
        quoted = string.group()
        opening = len(quoted) - len(quoted.lstrip("bBrRuUfF"))
        quote = quoted[opening]
        closed = len(quoted) > opening + 1 and quoted.endswith(quote)
        end = string.end() - 1 if closed else string.end()
        if quoted[:opening]:  # bytes and other prefixed literals: the whole literal goes
            return start, string.end()
        return start + opening + 1, end
    bare = _BARE.match(text, start)
    return start, bare.end() if bare else start


def redact_named_values(
    text: str,
    is_secret: Callable[[str], bool],
    keys: re.Pattern[str],
    lowered_keys: re.Pattern[str] | None = None,
) -> str:
    """Return *text* with the value of every secret-named pair replaced.

    :param text: a bounded text (a repr, a URL, a message)
    :param is_secret: the redactor's name rule
    :param keys: the redactor's :func:`key_regex`
    :param lowered_keys: the same for lower-cased text: used on the lower-cased
        copy of *text* when it has the same length (so the same positions)
    """
    scanned = text
    if lowered_keys is not None:
        lowered = text.lower()
        if len(lowered) == len(text):  # each character to one: the same positions
            scanned, keys = lowered, lowered_keys
    pieces: list[str] = []
    kept_from = 0
    position = 0
    while True:
        match = keys.search(scanned, position)
        if match is None:
            break
        group = next(g for g in ("key", "pkey", "kw") if match.start(g) >= 0)
        name = text[match.start(group) : match.end(group)]
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if not is_secret(name):
            position = match.end()
            continue
        start, end = _value_span(text, match.end())
        if end > start:
            pieces.append(text[kept_from:start])
            pieces.append(REDACTED)
            kept_from = end
        position = max(end, match.end())
    if not pieces:
        return text
    pieces.append(text[kept_from:])
    return "".join(pieces)


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
    "paste_exc_debug",  # the debug token's cookie and query parameter
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
    "sig",
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
