"""The built-in value patterns of :mod:`paste_exc.redact`, each running in linear time.

Part of the redactor, beneath every stage. Python's :mod:`re` is a
backtracking engine: a pattern such as ``\\b[a-z][a-z.]*://`` costs, on a run
of ``a.a.a.…`` with no ``://`` in it, the length of the run from every word
boundary in it, so quadratic time (a 128 KB query string took seconds). A
linear-time engine (RE2) is not in the standard library and paste_exc stays
pure Python; so the patterns are written so that the backtracking engine
cannot go quadratic, by three rules:

1. **Every repeated class is possessive** (``*+``, ``++``, ``{m,n}+``,
   Python 3.11) **or bounded** (``{0,64}``): a failed match gives nothing
   back to try again, or gives back at most a constant.
2. **A match starts only where no other start can scan the same text**:
   either at a literal that cannot occur inside the text it scans (``://``,
   whose password scan stops at the next ``://``), or where a look-behind
   says the position is the *start* of a run of the class that follows
   (``(?<![A-Za-z0-9_])eyJ`` cannot start inside an earlier token's run, and a
   token's run stops before a ``-eyJ`` that would start another one). So each
   character is scanned by a bounded number of starts.
3. **The literal comes first** where there is one (``://``, ``eyJ``,
   ``-----BEGIN``, ``A`` of an AWS key id), with any look-behind after it, so
   the engine's fast literal search skips the text between candidates.

Each pattern also names **triggers**: literal texts at least one of which
must occur for the pattern to match at all. :meth:`paste_exc.redact.Redactor.redact_text`
tests them with ``in`` (a fast substring search) and does not run a pattern
whose triggers are all absent, which is the common case for most patterns and
most texts. ``bench/bench_redact.py`` measures each pattern on 1 MB of
adversarial text and the scaling per 10x in size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DEFAULT_VALUE_PATTERNS", "ValuePattern", "folded_regex", "luhn_valid"]


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
    *triggers*, when given, are literal texts of which at least one occurs in
    every text the expression can match (compared with the lower-cased text
    when *fold_triggers* is true): the expression is not run on a text that
    has none of them.

    .. versionchanged:: 0.1
       *triggers* and *fold_triggers*.
    """

    name: str
    regex: re.Pattern[str]
    description: str = ""
    validator: Callable[[str], bool] | None = None
    triggers: tuple[str, ...] = ()
    fold_triggers: bool = False


def _pattern(
    name: str,
    regex: str,
    description: str,
    triggers: tuple[str, ...],
    *,
    flags: int = 0,
    validator: Callable[[str], bool] | None = None,
    fold_triggers: bool = False,
) -> ValuePattern:
    return ValuePattern(
        name, re.compile(regex, flags), description, validator, triggers, fold_triggers
    )


#: The patterns compiled with :data:`re.IGNORECASE` are written in lower case, so
#: that the same source compiled without the flag matches the lower-cased copy of
#: a text (at the same positions when it has the same length) several times faster
#: (the flag defeats the engine's search for the first character).
_ASSIGNED_NAMES = (
    r"password|passwd|pwd|passphrase|secret|client[_-]?secret|token|access[_-]?token|"
    r"refresh[_-]?token|auth[_-]?token|api[_-]?key|apikey|private[_-]?key|secret[_-]?key|"
    r"access[_-]?key|sessionid|csrftoken|credentials?"
)

#: A base64url character, and one that is not a ``-`` starting another ``-eyJ`` token.
_B64 = r"[A-Za-z0-9_]|-(?!eyJ)"

#: What ends the userinfo of a URL: white space, quotes, the truncation marker.
_URL_STOP = r"\s'\"…"

#: The password of a URL: every character up to the last ``@`` before the host,
#: ``/`` and ``@`` included (``postgresql://app:abc/def@db/x``, as SQLAlchemy and
#: urllib accept), never a ``://`` (where the next URL's scan starts).
_URL_CHAR = rf"[^{_URL_STOP}@:]|:(?!//)"
_URL_PASSWORD = rf"(?:{_URL_CHAR}|@(?=(?:{_URL_CHAR})*+@))++"

#: The built-in value patterns, in the order they are applied.
DEFAULT_VALUE_PATTERNS: tuple[ValuePattern, ...] = (
    _pattern(
        "pem_private_key",
        r"-----BEGIN[A-Z0-9 ]{0,64}PRIVATE KEY-----"
        r"(?:[^-]++|-(?!----END[A-Z0-9 ]{0,64}PRIVATE KEY-----))*+"
        r"(?:-----END[A-Z0-9 ]{0,64}PRIVATE KEY-----)?",
        "a PEM private key block (to its END line, or to the end of a cut text)",
        ("-----BEGIN",),
    ),
    _pattern(
        "bearer",
        r"b(?<![a-z0-9_]b)(?:earer|asic)\s++(?P<secret>[a-z0-9._~+/-]{8,}+=*+)",
        "the credentials after ``Bearer`` or ``Basic`` (an Authorization header)",
        ("bearer", "basic"),
        flags=re.IGNORECASE,
        fold_triggers=True,
    ),
    _pattern(
        "jwt",
        rf"eyJ(?<![A-Za-z0-9_]eyJ)(?:{_B64})*+\.eyJ(?:{_B64})*+\.[A-Za-z0-9_-]*+",
        "a JSON Web Token (``eyJ….eyJ….signature``)",
        ("eyJ",),
    ),
    _pattern(
        "aws_access_key_id",
        r"A(?<![A-Za-z0-9_]A)(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA)"
        r"[A-Z0-9]{16}+(?![A-Za-z0-9_])",
        "an AWS access key id (``AKIA`` and 16 more characters)",
        (
            "AKIA",
            "ASIA",
            "ABIA",
            "ACCA",
            "AGPA",
            "AIDA",
            "AIPA",
            "ANPA",
            "ANVA",
            "AROA",
            "APKA",
            "ASCA",
        ),
    ),
    _pattern(
        "known_token",
        r"(?:gh[pousr]_(?<![A-Za-z0-9_]gh._)[A-Za-z0-9]{30,}+"
        r"|xox[abposr]-(?<![A-Za-z0-9_]xox.-)[A-Za-z0-9-]{10,}+"
        r"|[rs]k_(?:live|test)_(?<![A-Za-z0-9_].k_live_)(?<![A-Za-z0-9_].k_test_)[A-Za-z0-9]{16,}+"
        r"|AIza(?<![A-Za-z0-9_]AIza)[0-9A-Za-z_-]{35})",
        "GitHub, Slack, Stripe and Google API tokens, recognised by their prefix",
        ("hp_", "ho_", "hu_", "hs_", "hr_", "xox", "k_live_", "k_test_", "AIza"),
    ),
    _pattern(
        "url_password",
        # The user runs to the first ':' (it may hold an '@': me@example.com); the
        # password to the last '@' before the host, or to a truncation marker. A
        # port followed by a path (host:8080/...) is not a password.
        rf"://(?<=[A-Za-z0-9+.-]://)[^{_URL_STOP}/:]*+:(?!\d{{1,5}}+(?:[/?#…]|$))"
        rf"(?P<secret>{_URL_PASSWORD})(?:@|(?=…))",
        "the password of ``scheme://user:password@host`` (to the last ``@`` before the host)",
        ("://",),
    ),
    _pattern(
        "assignment",
        rf"(?<![a-z0-9])(?:{_ASSIGNED_NAMES})['\"]?\s*+[=:](?!=)\s*+"
        r"(?:[bru]{1,2}(?=['\"]))?['\"]?"
        # Not a call, an item or a type annotation: ``password = get_password()``.
        r"(?![a-z_][\w.]*+[(\[])(?!(?:str|bytes|int|bool|none|optional|any)(?![\w-]))"
        r"(?![\[({<])(?![bru]{1,2}['\"])"
        r"(?P<secret>[^\s&'\",;}]++)",
        "the value in ``password=…``, ``'token': '…'``, ``api_key: …`` and similar",
        ("pass", "pwd", "secret", "token", "key", "sessionid", "credential"),
        flags=re.IGNORECASE,
        fold_triggers=True,
    ),
    _pattern(
        "card_number",
        r"[2-6](?<![\d.\w-][2-6])\d{3}(?:[ -]?\d){9,15}(?![\d.\w])",
        "a payment card number (13 to 19 digits passing the Luhn check)",
        ("2", "3", "4", "5", "6"),
        validator=luhn_valid,
    ),
)


def folded_regex(pattern: ValuePattern) -> re.Pattern[str] | None:
    """For a built-in case-insensitive pattern: its regex for lower-cased text.

    ``None`` for the other patterns (they run on the text itself).

    :param pattern: a value pattern
    """
    if pattern not in DEFAULT_VALUE_PATTERNS or not pattern.regex.flags & re.IGNORECASE:
        return None
    return re.compile(pattern.regex.pattern)
