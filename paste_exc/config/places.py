"""Configuration: the converters for where things are: servers, addresses, networks, files.

Beneath every stage (catch → collect → format → report → respond). Like the
scalar converters of :mod:`paste_exc.config.convert`, each takes a value (a
Python value or the ini string) and the option's name, and returns the typed
value or raises :class:`~paste_exc.errors.ConfigError` naming the option.

.. versionadded:: 0.1
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping
from email.utils import parseaddr
from typing import IO, Final

from paste_exc.config.convert import Network, asint, aslist, kind, shown
from paste_exc.errors import ConfigError

__all__ = [
    "asaddress",
    "asaddresses",
    "asnetworks",
    "aspath",
    "asport",
    "asserver",
    "asstream",
    "astrimpaths",
]

_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def asport(value: object, option: str) -> int | None:
    """Return a TCP port number (1 to 65535), or ``None`` for ``None``/``""``.

    :param value: an int or a string of digits
    :param option: the option name for the error message
    :raises ConfigError: for anything else
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return asint(value, option, minimum=1, maximum=65535)
    except ConfigError:
        raise ConfigError(option, f"not a port number (1 to 65535): {shown(value)}") from None


def asserver(value: object, option: str) -> tuple[str, int | None]:
    """Split a server's ``host``, ``host:port``, ``[v6addr]`` or ``[v6addr]:port``.

    :returns: the host, and the port when the value names one
    :raises ConfigError: for a non-string, no host, or a bad port
    """
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(option, f"expected a host name, got {shown(value)}")
    host, found = value.strip(), None
    if host.startswith("["):
        end = host.find("]")
        if end == -1:
            raise ConfigError(option, f"unclosed '[' in {shown(value)}")
        rest = host[end + 1 :]
        host = host[1:end]
        if rest.startswith(":"):
            found = rest[1:]
        elif rest:
            raise ConfigError(
                option, f"unexpected {shown(rest)} after the address in {shown(value)}"
            )
    elif host.count(":") == 1:
        host, found = host.split(":")
    if not host:
        raise ConfigError(option, f"no host in {shown(value)}")
    if found is None:
        return host, None
    if not found.isdigit() or not 0 < int(found) < 65536:
        raise ConfigError(option, f"bad port in {shown(value)}")
    return host, int(found)


def astrimpaths(value: object, option: str = "trim_source_paths") -> tuple[tuple[str, str], ...]:
    """Return ``(prefix, replacement)`` pairs of plain strings for ``trim_source_paths``.

    The one parser of the option (middleware, ini, formatters, documents).
    Accepts ``None`` or ``""`` (no pairs), a mapping ``{prefix: replacement}``
    (in its order), an ordered iterable of pairs or of ``"PREFIX=REPLACEMENT"``
    strings, or the ini form: one string of ``PREFIX=REPLACEMENT`` items
    separated by blanks or commas. The first ``=`` ends the prefix; the
    replacement may be empty, the prefix may not. The first matching prefix wins.

    :raises ConfigError: for anything else (a set: no order; bytes; an entry
        without ``=``; an empty prefix; an iterable that raises), naming the option
    """
    if value is None:
        return ()
    items: Iterable[object]
    if isinstance(value, str):
        items = aslist(value, option)
    elif isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, Iterable) and not isinstance(value, bytes | bytearray | set | frozenset):
        items = value
    else:
        raise ConfigError(option, f"expected (prefix, replacement) pairs, not {kind(value)}")
    pairs: list[tuple[str, str]] = []
    try:
        for item in items:
            if isinstance(item, str) and "=" in item:
                prefix, _, replacement = item.partition("=")
            elif (
                isinstance(item, tuple | list)
                and len(item) == 2
                and isinstance(item[0], str)
                and isinstance(item[1], str)
            ):
                prefix, replacement = item[0], item[1]
            else:
                raise ConfigError(
                    option,
                    "each entry must be a (prefix, replacement) pair of strings "
                    f"or PREFIX=REPLACEMENT, got {shown(item)}",
                )
            if not prefix:
                raise ConfigError(option, f"an empty prefix would match every file: {shown(item)}")
            pairs.append((str.__str__(prefix), str.__str__(replacement)))
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 (a hostile iterable: its failure is the bad value)
        raise ConfigError(option, f"could not read the pairs: {type(exc).__name__}") from None
    return tuple(pairs)


def asaddress(value: object, option: str) -> str:
    """Return one plausible mail address (``user@host`` or ``Name <user@host>``).

    :raises ConfigError: for a non-string, control characters or no ``@``
    """
    if not isinstance(value, str):
        raise ConfigError(option, f"expected an address, got {shown(value)}")
    if _CONTROL.search(value):
        raise ConfigError(option, f"control characters in address {shown(value)}")
    _name, addr = parseaddr(value)
    if not addr or "@" not in addr or " " in addr:
        raise ConfigError(option, f"not a mail address: {shown(value)}")
    return value


def asaddresses(value: object, option: str) -> list[str]:
    """Return at least one mail address, from a list or a comma/space separated string.

    :raises ConfigError: for no address, or one that is not a mail address
    """
    addresses = aslist(value, option)
    if not addresses:
        raise ConfigError(option, "give at least one address to send reports to")
    for address in addresses:
        asaddress(address, option)
    return addresses


def aspath(value: object, option: str, *, must_exist: bool = False) -> str:
    """Return a non-empty file name (a string or an :class:`os.PathLike`) as a string.

    :param must_exist: the file must exist and be a regular file
    :raises ConfigError: for anything else, an empty name or a missing file
    """
    if isinstance(value, bool) or not isinstance(value, str | os.PathLike):
        raise ConfigError(option, f"expected a file name, got {shown(value)}")
    path = os.fspath(value)
    if not isinstance(path, str):
        raise ConfigError(option, f"expected a text file name, got {shown(value)}")
    if not path:
        raise ConfigError(option, "the file name is empty")
    if "\x00" in path:
        raise ConfigError(option, "the file name holds a NUL character")
    if must_exist and not os.path.isfile(path):
        raise ConfigError(option, f"no such file: {shown(path)}")
    return path


def asstream(value: object, option: str) -> IO[str]:
    """Return an open text stream (an object with ``write()``).

    :raises ConfigError: for an object without a callable ``write``
    """
    if value is None or not callable(getattr(value, "write", None)):
        raise ConfigError(option, "expected an open text stream (an object with write())")
    return value  # type: ignore[return-value]


def asnetworks(value: object, option: str) -> tuple[tuple[Network, ...], bool]:
    """Parse a list of networks (CIDRs or single addresses) or ``*``.

    :returns: the networks, and whether ``*`` (everyone) was given
    :raises ConfigError: for a value that is not an address or network
    """
    networks: list[Network] = []
    everyone = False
    for item in aslist(value, option):
        if item == "*":
            everyone = True
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                option, f"{shown(item)} is not an IP address or network (CIDR)"
            ) from None
    return tuple(networks), everyone
