"""Secrets, a failing application and a leak finder shared by the SDK backend tests.

Every secret is put together at run time, so it never appears whole in the
source lines the SDKs send with each frame: finding one in a payload means a
value leaked, not a line of this file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

#: The password inside a database URL (``postgres://app:<pw>@db/x``).
URL_PASSWORD = "Sup3r" + "S3cretPw"
DB_URL = f"postgres://app:{URL_PASSWORD}@db/x"
#: The credentials of an ``Authorization: Bearer …`` header.
BEARER = "tok" + "_4f9c2e7a1b8d6c3e"
#: A local variable named ``password``.
LOCAL_PASSWORD = "hunter" + "2-local-pw"
#: A local variable named ``api_key``.
API_KEY = "key" + "-0a1b2c3d4e5f"
#: A ``token=…`` query parameter.
QUERY_TOKEN = "qtok" + "-99887766"
#: The value of a session cookie.
COOKIE = "c00kie" + "-value-v4l"
#: A form field ``password=…`` of a request body.
FORM_PASSWORD = "form" + "-pa55word"

ALL_SECRETS: tuple[str, ...] = (
    URL_PASSWORD,
    BEARER,
    LOCAL_PASSWORD,
    API_KEY,
    QUERY_TOKEN,
    COOKIE,
    FORM_PASSWORD,
)

log = logging.getLogger("shop.checkout")


def find_secrets(payload: object, secrets: Iterable[str] = ALL_SECRETS) -> list[str]:
    """Return ``path: secret`` for every key or text of *payload* holding a secret.

    Walks a decoded JSON document (dicts, lists, strings, numbers) whole.
    """
    wanted = tuple(secrets)
    found: list[str] = []
    stack: list[tuple[str, object]] = [("$", payload)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, Mapping):
            for key, item in value.items():
                found.extend(f"{path} (key {key!r}): {s}" for s in wanted if s in str(key))
                stack.append((f"{path}.{key}", item))
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
        elif isinstance(value, str):
            found.extend(f"{path}: {s}" for s in wanted if s in value)
    return found


def connect(dsn: str) -> None:
    """Fail as a database driver does: the URL, with its password, in the message."""
    password = LOCAL_PASSWORD
    error = ConnectionError(f"could not connect to {dsn} (password {len(password)} chars)")
    error.add_note(f"dsn was {dsn}")
    raise error


def checkout(environ: Mapping[str, Any]) -> None:
    """The failing view: secrets in locals, the messages, the notes and a log line."""
    password = LOCAL_PASSWORD
    api_key = API_KEY  # noqa: F841 (a local the SDKs send)
    dsn = DB_URL
    headers = {"Authorization": f"Bearer {BEARER}", "Accept": "text/html"}  # noqa: F841
    tokens = [BEARER]  # noqa: F841
    plain = "nothing to hide here"  # noqa: F841
    log.warning("connecting to %s with Bearer %s", dsn, BEARER)
    try:
        connect(dsn)
    except ConnectionError as exc:
        error = RuntimeError(f"checkout failed: Authorization: Bearer {BEARER}")
        error.add_note(f"retry with password={password} on {dsn}")
        raise error from exc


def grouped() -> None:
    """Raise an exception group whose members carry secrets."""
    first = ValueError(f"bad url {DB_URL}")
    first.add_note(f"token was Bearer {BEARER}")
    second = KeyError(f"password={LOCAL_PASSWORD}")
    raise ExceptionGroup(f"two failures, one on {DB_URL}", [first, second])


def application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A WSGI application that fails in :func:`checkout`."""
    if environ.get("PATH_INFO") == "/group":
        grouped()
    checkout(environ)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"unreachable"]


def catching(app: Any) -> Any:
    """WebTest sets ``paste.throw_errors``, which turns the middleware off: unset it."""

    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return app(environ, start_response)

    return wrapper
