"""The debug token: the secret that unlocks debug pages, and where it comes from.

Part of the respond stage (catch → collect → format → report → **respond**).
With ``debug`` on, a browser sees debug output once it holds the debug token
(see :mod:`paste_exc.respond.access`). :func:`resolve_debug_token` finds the
token, first match wins:

1. the option ``debug_token`` (ini string or keyword);
2. the environment variable ``PASTE_EXC_DEBUG_TOKEN`` (empty: not set);
3. derived (HMAC-SHA256) from a random secret kept in a file of the user's
   own, :func:`secret_file_path`, made on first use: the same token across
   restarts, ``--reload`` and every worker process the user runs on this machine;
4. when that file cannot be written or is refused: a random token for this
   process only, and a warning that a server with several worker processes
   needs ``debug_token``.

The secret file is refused (never read) when it is a symbolic link or not a
regular file, is owned by another user, can be read or written by anyone but
its owner (any group or other permission bit), or does not hold a secret
this module wrote. On Windows the owner and mode checks are left to the
per-user ``%LOCALAPPDATA%`` directory's permissions.

.. versionadded:: 0.1
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import stat
import string
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from paste_exc.config.settings import asdebugtoken

__all__ = [
    "ENV_VAR",
    "SECRET_FILE_NAME",
    "DebugToken",
    "resolve_debug_token",
    "secret_directory",
    "secret_file_path",
]

log = logging.getLogger("paste_exc")

#: The environment variable read when the option ``debug_token`` is not given.
ENV_VAR: Final = "PASTE_EXC_DEBUG_TOKEN"
#: The name of the secret file inside :func:`secret_directory`.
SECRET_FILE_NAME: Final = "debug-secret"  # noqa: S105 (a file name, not a secret)

_SECRET_BYTES: Final = 32
_HEX_DIGITS: Final = frozenset(string.hexdigits)
# What the token is derived for: changing it changes every derived token.
_DERIVATION_LABEL: Final = b"paste_exc debug token, version 1"


@dataclass(frozen=True, slots=True)
class DebugToken:
    """A resolved debug token and where it came from.

    :param value: the token (never shown in a ``repr``)
    :param source: ``"option"``, ``"environment"``, ``"secret file"`` or ``"process"``
    :param path: the secret file, for ``"secret file"``
    """

    value: str = field(repr=False)
    source: str
    path: str | None = None


class _Unusable(Exception):
    """The secret file cannot be used; the message says why."""


def secret_directory() -> Path:
    """The directory of the secret file: the platform's per-user cache directory.

    ``$XDG_CACHE_HOME/paste_exc`` (an absolute ``XDG_CACHE_HOME``) or
    ``~/.cache/paste_exc`` on Linux and other POSIX systems,
    ``~/Library/Caches/paste_exc`` on macOS, ``%LOCALAPPDATA%\\paste_exc`` on
    Windows.
    """
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "paste_exc"


def secret_file_path() -> Path:
    """The file holding the secret that debug tokens are derived from."""
    return secret_directory() / SECRET_FILE_NAME


def _check_file(fd: int) -> None:
    """Refuse an open secret file that is not a private regular file of this user."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise _Unusable("is not a regular file")
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: the per-user directory's ACL protects it
        return
    if info.st_uid != getuid():
        raise _Unusable(f"is owned by user id {info.st_uid}, not by you ({getuid()})")
    if info.st_mode & 0o077:
        raise _Unusable(
            f"can be read or written by others (mode {stat.S_IMODE(info.st_mode):04o}; "
            "it must be 0600: chmod 600 it, or delete it to make a new secret)"
        )


def _read_secret(path: Path) -> bytes | None:
    """The secret in *path*, or ``None`` when there is no such file."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    # A FIFO in its place would block the open (and the start-up) until a writer came.
    flags |= getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        return None  # not made yet (or cannot be: creating it will say why)
    except OSError as exc:
        if os.path.islink(path):
            raise _Unusable("is a symbolic link") from exc
        raise _Unusable(f"cannot be read ({exc.strerror or exc})") from exc
    try:
        _check_file(fd)
        content = os.read(fd, 4 * _SECRET_BYTES)
    finally:
        os.close(fd)
    text = content.decode("ascii", "replace").strip()
    if len(text) < 2 * _SECRET_BYTES or not _HEX_DIGITS.issuperset(text):
        raise _Unusable("does not hold a secret paste_exc wrote (delete it to make a new one)")
    return bytes.fromhex(text)


def _create_secret(path: Path) -> None:
    """Write a new secret to *path* atomically, unless another process just did.

    The secret is written to a private temporary file first, then linked to
    *path*: a reader never sees a half-written file, and when two workers
    race, the first link wins and both read the winner's secret.
    """
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = directory / f".{SECRET_FILE_NAME}.{os.getpid()}.{secrets.token_hex(8)}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        try:
            os.write(fd, secrets.token_hex(_SECRET_BYTES).encode("ascii") + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: its secret is the one
        except OSError:
            # No hard links here (some network or FUSE file systems): a rename
            # that refuses to replace where the platform has one.
            if os.path.exists(path):
                return
            os.rename(temporary, path)
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)


def _load_or_create_secret(path: Path) -> bytes:
    secret = _read_secret(path)
    if secret is not None:
        return secret
    try:
        _create_secret(path)
    except OSError as exc:
        raise _Unusable(f"cannot be written ({exc.strerror or exc})") from exc
    secret = _read_secret(path)
    if secret is None:
        raise _Unusable("vanished right after it was written")
    return secret


def _derive(secret: bytes) -> str:
    digest = hmac.new(secret, _DERIVATION_LABEL, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


_process_lock = threading.Lock()
_process_token: str | None = None


def _token_for_this_process() -> str:
    global _process_token
    with _process_lock:
        if _process_token is None:
            _process_token = secrets.token_urlsafe(_SECRET_BYTES)
        return _process_token


def resolve_debug_token(configured: str | None) -> DebugToken:
    """Find the debug token (the order is in the module docstring).

    :param configured: the option ``debug_token`` (already checked), or ``None``
    :raises paste_exc.errors.ConfigError: when ``PASTE_EXC_DEBUG_TOKEN`` is not
        a valid token (the error names the variable)
    """
    if configured is not None:
        return DebugToken(configured, "option")
    token = asdebugtoken(os.environ.get(ENV_VAR) or None, ENV_VAR)
    if token is not None:
        return DebugToken(token, "environment")
    try:
        path = secret_file_path()
    except (RuntimeError, KeyError, OSError) as exc:  # no home directory to be found
        _warn_process_token(f"cannot be placed: no cache directory for this user ({exc})")
    else:
        try:
            return DebugToken(_derive(_load_or_create_secret(path)), "secret file", str(path))
        except _Unusable as reason:
            _warn_process_token(f"{path} {reason}")
    return DebugToken(_token_for_this_process(), "process")


def _warn_process_token(problem: str) -> None:
    log.warning(
        "the debug token's secret file %s; this process uses a random debug token of "
        "its own. A server with several worker processes needs the option debug_token "
        "(or the environment variable %s): each worker would otherwise accept a "
        "different token.",
        problem,
        ENV_VAR,
    )
