"""Apply paste_exc's redaction to the payloads SDKs build (nested dicts and lists)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paste_exc.redact import Redactor

#: Keys whose every value is a secret, whatever the names inside.
ALWAYS_SECRET = frozenset({"cookies", "cookie", "set-cookie", "set_cookie", "http_cookie"})
MAX_DEPTH = 30


def default_redactor() -> Redactor:
    """Return :data:`paste_exc.redact.default_redactor` (imported on first use)."""
    from paste_exc.redact import default_redactor as redactor

    return redactor


def scrub(value: object, redactor: Redactor, name: str | None = None, depth: int = 0) -> object:
    """Return *value* with secrets replaced by :data:`paste_exc.redact.REDACTED`.

    Mapping values whose key looks secret are replaced whole; strings
    elsewhere have secret-looking parts replaced. Containers are copied, not
    changed in place.

    :param value: a JSON-like structure
    :param redactor: decides what is secret
    :param name: the key *value* was found under
    """
    from paste_exc.redact import REDACTED

    if name is not None and value not in (None, "", {}, []):
        lowered = name.lower()
        if lowered in ALWAYS_SECRET or redactor.is_secret_name(name):
            if isinstance(value, dict) and lowered in ALWAYS_SECRET:
                return dict.fromkeys(value, REDACTED)
            return REDACTED
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {
            key: scrub(item, redactor, key if isinstance(key, str) else None, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item, redactor, None, depth + 1) for item in value]
    if isinstance(value, str):
        return redactor.redact_text(value)
    return value
