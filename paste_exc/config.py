"""Configuration: turn ini strings and Python values into typed middleware settings.

Part of the respond stage (catch → collect → format → report → **respond**).
Every option of :class:`~paste_exc.errormiddleware.ErrorMiddleware` works as a
Python keyword with a real type and as the string PasteDeploy hands over from
an ini file. This module is the one place that coerces strings (booleans,
lists, integers, networks), applies Paste's ``global_conf`` fall-backs (the
table :data:`GLOBAL_CONF_FALLBACKS`), turns flattened ``reporters.NAME.KEY``
keys into nested mappings, and rejects unknown keys and bad values with a
:class:`~paste_exc.errors.ConfigError` that names the option.

.. versionadded:: 0.1
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from paste_exc.api import ExceptionReporter
from paste_exc.errors import ConfigError

__all__ = [
    "GLOBAL_CONF_FALLBACKS",
    "OUR_OPTIONS",
    "PASTE_OPTIONS",
    "MiddlewareSettings",
    "Network",
    "NoDefault",
    "asbool",
    "asdebugtoken",
    "asint",
    "aslist",
    "asnetworks",
    "nest_reporters",
    "resolve_settings",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_TRUE: Final = frozenset({"true", "yes", "on", "y", "t", "1"})
_FALSE: Final = frozenset({"false", "no", "off", "n", "f", "0", ""})
_LIST_SPLIT: Final = re.compile(r"[\s,]+")


class _NoDefault:
    """The marker for "not given", distinct from ``None`` (Paste's ``NoDefault``)."""

    _instance: _NoDefault | None = None

    def __new__(cls) -> _NoDefault:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<NoDefault>"

    def __reduce__(self) -> str:
        return "NoDefault"


#: The marker Paste used for ``debug`` and ``show_exceptions_in_wsgi_errors``
#: meaning "not given: look in ``global_conf``".
NoDefault: Final = _NoDefault()


def asbool(value: object, option: str) -> bool:
    """Return *value* as a boolean; strings are read the way ini files write them.

    ``true/yes/on/y/t/1`` and ``false/no/off/n/f/0/`` (any case, surrounding
    blanks ignored); ``None`` is false. Paste turned every non-empty string,
    ``"false"`` included, into true: this does not.

    :param value: a bool, an int, ``None`` or a string
    :param option: the option name for the error message
    :raises ConfigError: for any other string or type
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(option, f"expected a boolean (true/false, yes/no, on/off), got {value!r}")
    raise ConfigError(option, f"expected a boolean, got {type(value).__name__}")


def aslist(value: object, option: str) -> list[str]:
    """Return *value* as a list of non-empty strings.

    A string is split on commas and/or whitespace, so ``"a@x.org, b@y.org"``
    and ``"a@x.org b@y.org"`` are both two items; ``None`` is an empty list.

    :param value: ``None``, a string, or an iterable of strings
    :param option: the option name for the error message
    :raises ConfigError: for an item that is not a string
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [item for item in _LIST_SPLIT.split(value) if item]
    if isinstance(value, bytes) or not isinstance(value, Iterable):
        raise ConfigError(option, f"expected a list of strings, got {type(value).__name__}")
    result: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ConfigError(option, f"expected strings in the list, got {item!r}")
        result.extend(part for part in _LIST_SPLIT.split(item) if part)
    return result


def asint(value: object, option: str, *, minimum: int | None = None) -> int:
    """Return *value* as an integer (``_`` separators allowed in strings).

    :param value: an int or a string of digits
    :param option: the option name for the error message
    :param minimum: the smallest value accepted
    :raises ConfigError: for anything else, or a value below *minimum*
    """
    if isinstance(value, bool):
        raise ConfigError(option, f"expected an integer, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            raise ConfigError(option, f"expected an integer, got {value!r}") from None
    else:
        raise ConfigError(option, f"expected an integer, got {type(value).__name__}")
    if minimum is not None and number < minimum:
        raise ConfigError(option, f"must be at least {minimum}, got {number}")
    return number


def asseconds(value: object, option: str) -> float:
    """Return *value* as a finite, non-negative number of seconds.

    :param value: an int, a float or a numeric string (``"0.5"``)
    :param option: the option name for the error message
    :raises ConfigError: for anything else, a negative, infinite or NaN value
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(option, f"expected a number of seconds, got {value!r}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise ConfigError(option, f"expected a number of seconds, got {value!r}") from None
    if not 0 <= number < float("inf"):  # also rejects NaN
        raise ConfigError(option, f"expected a finite number of seconds >= 0, got {value!r}")
    return number


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
            raise ConfigError(option, f"{item!r} is not an IP address or network (CIDR)") from None
    return tuple(networks), everyone


#: The shortest debug token accepted, in characters.
MIN_DEBUG_TOKEN_LENGTH: Final = 16
_MAX_DEBUG_TOKEN_LENGTH: Final = 256
# URL-unreserved characters: the token goes into a query string and a cookie unchanged.
_DEBUG_TOKEN_CHARS: Final = re.compile(r"[A-Za-z0-9._~-]+")


def asdebugtoken(value: object, option: str) -> str | None:
    """Check a debug token (the option ``debug_token`` or ``PASTE_EXC_DEBUG_TOKEN``).

    ``None`` means "not given". A token is 16 to 256 characters among
    ``A-Z a-z 0-9 - . _ ~``, so it travels unchanged in a URL and a cookie.

    .. versionadded:: 0.1

    :param value: ``None`` or a string
    :param option: the option name for the error message
    :raises ConfigError: for an empty, short or long token, or another character
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(option, f"expected a string, got {type(value).__name__}")
    if len(value) < MIN_DEBUG_TOKEN_LENGTH:
        raise ConfigError(
            option,
            f"a debug token needs at least {MIN_DEBUG_TOKEN_LENGTH} characters, "
            f"got {len(value)} (make one with: python -c "
            f"'import secrets; print(secrets.token_urlsafe(32))')",
        )
    if len(value) > _MAX_DEBUG_TOKEN_LENGTH:
        raise ConfigError(option, f"a debug token has at most {_MAX_DEBUG_TOKEN_LENGTH} characters")
    if _DEBUG_TOKEN_CHARS.fullmatch(value) is None:
        raise ConfigError(option, "a debug token may only hold the characters A-Z a-z 0-9 - . _ ~")
    return value


#: Seconds that the ``repr()`` of locals may take in one report (the
#: ``locals_time_budget`` option and :data:`paste_exc.collector.LOCALS_TIME_BUDGET`).
LOCALS_TIME_BUDGET: Final = 1.0

#: Paste's ``global_conf`` fall-backs, in one table: option → (the
#: ``global_conf`` keys tried in order, the default when none is set).
GLOBAL_CONF_FALLBACKS: Final[Mapping[str, tuple[tuple[str, ...], object]]] = {
    "debug": (("debug",), False),
    "error_email": (("error_email", "admin_email", "webmaster_email", "sysadmin_email"), None),
    "from_address": (("error_from_address",), "errors@localhost"),
    "smtp_server": (("smtp_server",), "localhost"),
    "smtp_username": (("smtp_username",), None),
    "smtp_password": (("smtp_password",), None),
    "smtp_use_tls": (("smtp_use_tls",), False),
    "error_message": (("error_message",), None),
    "xmlhttp_key": (("xmlhttp_key",), "_"),
    "show_exceptions_in_wsgi_errors": (("show_exceptions_in_wsgi_errors",), False),
}

#: The options of Paste's middleware (keyword names).
PASTE_OPTIONS: Final = (
    "debug",
    "error_email",
    "error_log",
    "show_exceptions_in_wsgi_errors",
    "from_address",
    "smtp_server",
    "smtp_username",
    "smtp_password",
    "smtp_use_tls",
    "error_subject_prefix",
    "error_message",
    "xmlhttp_key",
)

#: Our own options (further keywords); ``reporters.NAME.KEY`` keys come on top.
OUR_OPTIONS: Final = (
    "debug_allow",
    "debug_token",
    "show_locals",
    "show_hidden_frames",
    "trim_source_paths",
    "error_template",
    "max_page_size",
    "reporters",
    "extras_providers",
    "report_message",
    "locals_time_budget",
)


@dataclass(frozen=True)
class MiddlewareSettings:
    """Every middleware option, resolved and typed.

    Paste's options keep Paste's names; the rest are ours (see
    :doc:`configuration`).
    """

    debug: bool = False
    error_email: tuple[str, ...] = ()
    error_log: str | None = None
    show_exceptions_in_wsgi_errors: bool = False
    from_address: str = "errors@localhost"
    smtp_server: str = "localhost"
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_use_tls: bool = False
    error_subject_prefix: str = ""
    error_message: str | None = None
    xmlhttp_key: str = "_"
    #: Networks whose clients may see debug output without the token (no proxy between).
    debug_allow: tuple[Network, ...] = ()
    #: ``debug_allow = *``: every client sees the debug page.
    debug_allow_everyone: bool = False
    #: The debug token (``None``: ``PASTE_EXC_DEBUG_TOKEN`` or the user's secret file).
    debug_token: str | None = field(default=None, repr=False)
    #: Collect each frame's locals (redacted); defaults to ``debug``.
    show_locals: bool = False
    show_hidden_frames: bool = False
    trim_source_paths: tuple[tuple[str, str], ...] = ()
    #: A Jinja2 template file for the safe (non-debug) page.
    error_template: str | None = None
    #: The size budget of the debug page and fragment, in characters.
    max_page_size: int = 1_000_000
    #: ``{name: {"backend": ..., **options}}`` for :func:`paste_exc.reporting.build_reporters`;
    #: a value may also be a ready-made :class:`~paste_exc.api.ExceptionReporter`.
    reporters: dict[str, dict[str, object] | ExceptionReporter] = field(default_factory=dict)
    #: Extras providers: objects or ``module:name`` references.
    extras_providers: tuple[object, ...] = ()
    #: The message handed to reporters with each request's exception.
    report_message: str = "Exception while handling a WSGI request"
    #: Seconds of ``repr()`` of locals per report; later locals are only named.
    locals_time_budget: float = LOCALS_TIME_BUDGET


def _fallback(option: str, value: object, global_conf: Mapping[str, object]) -> object:
    """Apply one row of :data:`GLOBAL_CONF_FALLBACKS` (``None``/``NoDefault``: not given)."""
    keys, default = GLOBAL_CONF_FALLBACKS[option]
    if value is not None and value is not NoDefault:
        return value
    for key in keys:
        candidate = global_conf.get(key)
        # Paste chained the e-mail keys with ``or``: an empty one is skipped.
        if candidate is not None and (candidate != "" or len(keys) == 1):
            return candidate
    return default


def _optional_str(value: object, option: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(option, f"expected a string, got {type(value).__name__}")
    return value


def _str(value: object, option: str) -> str:
    text = _optional_str(value, option)
    return "" if text is None else text


def nest_reporters(flat: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """Turn ``{"reporters.NAME.KEY": value}`` keys into ``{NAME: {KEY: value}}``.

    :param flat: keys that all start with ``reporters.``
    :raises ConfigError: for a key without both a name and an option
    """
    nested: dict[str, dict[str, object]] = {}
    for key, value in flat.items():
        parts = key.split(".", 2)
        if len(parts) != 3 or not parts[1] or not parts[2]:
            raise ConfigError(key, "reporter options are written reporters.NAME.KEY = value")
        nested.setdefault(parts[1], {})[parts[2]] = value
    return nested


def _reporters(
    value: object, flat: Mapping[str, object]
) -> dict[str, dict[str, object] | ExceptionReporter]:
    result: dict[str, dict[str, object] | ExceptionReporter] = {}
    if value is not None:
        if not isinstance(value, Mapping):
            raise ConfigError("reporters", f"expected a mapping, got {type(value).__name__}")
        for name, options in value.items():
            if isinstance(options, ExceptionReporter):
                result[str(name)] = options
            elif isinstance(options, Mapping):
                result[str(name)] = dict(options)
            else:
                raise ConfigError(
                    f"reporters.{name}", "expected a mapping of options or an ExceptionReporter"
                )
    for name, options in nest_reporters(flat).items():
        entry = result.setdefault(name, {})
        if isinstance(entry, ExceptionReporter):
            key = next(iter(options))
            raise ConfigError(
                f"reporters.{name}.{key}",
                "given as an object, it takes no options",
            )
        entry.update(options)
    return result


def _trim_paths(value: object) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        return tuple((str(k), str(v)) for k, v in value.items())
    pairs: list[tuple[str, str]] = []
    items = aslist(value, "trim_source_paths") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    for item in items:
        if isinstance(item, str):
            prefix, _, replacement = item.partition("=")
            pairs.append((prefix, replacement))
        elif isinstance(item, tuple) and len(item) == 2:
            pairs.append((str(item[0]), str(item[1])))
        else:
            raise ConfigError("trim_source_paths", f"expected PREFIX=REPLACEMENT, got {item!r}")
    return tuple(pairs)


def resolve_settings(
    global_conf: Mapping[str, object] | None, options: Mapping[str, object]
) -> MiddlewareSettings:
    """Resolve the middleware's keywords against *global_conf* and coerce them.

    :param global_conf: PasteDeploy's ``[DEFAULT]`` section (or ``None``)
    :param options: every keyword given to the middleware, Paste's and ours;
        ``NoDefault``/``None`` mean "not given"
    :raises ConfigError: for an unknown key (listing the valid ones) or a bad value
    """
    if global_conf is None:
        global_conf = {}
    elif not isinstance(global_conf, Mapping):
        raise ConfigError("global_conf", f"expected a mapping, got {type(global_conf).__name__}")
    flat = {k: v for k, v in options.items() if k.startswith("reporters.")}
    unknown = sorted(
        k for k in options if k not in flat and k not in (*PASTE_OPTIONS, *OUR_OPTIONS)
    )
    if unknown:
        valid = ", ".join((*PASTE_OPTIONS, *OUR_OPTIONS, "reporters.NAME.KEY"))
        raise ConfigError(unknown[0], f"unknown option; valid options are: {valid}")
    get = options.get
    debug = asbool(_fallback("debug", get("debug"), global_conf), "debug")
    show_in_errors = asbool(
        _fallback(
            "show_exceptions_in_wsgi_errors", get("show_exceptions_in_wsgi_errors"), global_conf
        ),
        "show_exceptions_in_wsgi_errors",
    )
    # Paste: an explicit false smtp_use_tls still lets global_conf turn it on.
    tls_value = get("smtp_use_tls")
    tls = asbool(tls_value, "smtp_use_tls") or asbool(
        global_conf.get("smtp_use_tls"), "smtp_use_tls"
    )
    networks, everyone = asnetworks(get("debug_allow"), "debug_allow")
    show_locals_value = get("show_locals")
    error_log = _optional_str(get("error_log"), "error_log")
    providers = get("extras_providers")
    if isinstance(providers, str):
        provider_items: tuple[object, ...] = tuple(aslist(providers, "extras_providers"))
    elif providers is None:
        provider_items = ()
    elif isinstance(providers, Iterable):
        provider_items = tuple(providers)
    else:
        provider_items = (providers,)
    xmlhttp_key = _str(_fallback("xmlhttp_key", get("xmlhttp_key"), global_conf), "xmlhttp_key")
    return MiddlewareSettings(
        debug=debug,
        error_email=tuple(
            aslist(_fallback("error_email", get("error_email"), global_conf), "error_email")
        ),
        error_log=error_log or None,
        show_exceptions_in_wsgi_errors=show_in_errors,
        from_address=_str(
            _fallback("from_address", get("from_address"), global_conf), "from_address"
        ),
        smtp_server=_str(_fallback("smtp_server", get("smtp_server"), global_conf), "smtp_server"),
        smtp_username=_optional_str(
            _fallback("smtp_username", get("smtp_username"), global_conf), "smtp_username"
        ),
        smtp_password=_optional_str(
            _fallback("smtp_password", get("smtp_password"), global_conf), "smtp_password"
        ),
        smtp_use_tls=tls,
        error_subject_prefix=_str(get("error_subject_prefix"), "error_subject_prefix"),
        error_message=_optional_str(
            _fallback("error_message", get("error_message"), global_conf), "error_message"
        ),
        xmlhttp_key=xmlhttp_key,
        debug_allow=networks,
        debug_allow_everyone=everyone,
        debug_token=asdebugtoken(get("debug_token"), "debug_token"),
        show_locals=debug
        if show_locals_value is None
        else asbool(show_locals_value, "show_locals"),
        show_hidden_frames=asbool(get("show_hidden_frames"), "show_hidden_frames"),
        trim_source_paths=_trim_paths(get("trim_source_paths")),
        error_template=_optional_str(get("error_template"), "error_template") or None,
        max_page_size=asint(get("max_page_size", 1_000_000), "max_page_size", minimum=1024),
        reporters=_reporters(get("reporters"), flat),
        extras_providers=provider_items,
        report_message=_str(
            get("report_message", "Exception while handling a WSGI request"), "report_message"
        ),
        locals_time_budget=asseconds(
            get("locals_time_budget", LOCALS_TIME_BUDGET), "locals_time_budget"
        ),
    )
