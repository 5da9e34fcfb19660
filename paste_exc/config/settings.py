"""Configuration: turn ini strings and Python values into typed settings.

Beneath every stage (catch → collect → format → report → respond). Every
option of :class:`~paste_exc.errormiddleware.ErrorMiddleware` and of every
reporter works as a Python keyword with a real type and as the string
PasteDeploy hands over from an ini file. Configuration is the one place that
coerces them: the typed converters (booleans with Paste's spellings, numbers
and durations with ranges, lists, ports, mail addresses, paths, choices,
logging levels, networks), one declarative table per reporter
(:mod:`paste_exc.config.reporters`), and this module, which
applies Paste's ``global_conf`` fall-backs (the table
:data:`GLOBAL_CONF_FALLBACKS`), builds the middleware's typed
:class:`MiddlewareSettings`, and rejects unknown keys and bad values with a
:class:`~paste_exc.errors.ConfigError` that names the option.

.. versionadded:: 0.1
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Final

from paste_exc.api import ExceptionReporter
from paste_exc.config.convert import (
    Converter,
    Network,
    asbool,
    asint,
    aslist,
    asoptionalstr,
    asseconds,
    asstr,
)
from paste_exc.config.debugpage import (
    DEFAULT_CONTEXT_LINES,
    ascontextlines,
    aseditorurl,
    aspackages,
    aspathprefixes,
)
from paste_exc.config.places import (
    asnetworks,
    astrimpaths,
)
from paste_exc.config.reporters import gather_reporters
from paste_exc.errors import ConfigError

__all__ = [
    "ASGI_OPTIONS",
    "ASGI_REPORT_MESSAGE",
    "GLOBAL_CONF_FALLBACKS",
    "LOCALS_TIME_BUDGET",
    "MIDDLEWARE_OPTIONS",
    "MIN_DEBUG_TOKEN_LENGTH",
    "OUR_OPTIONS",
    "PASTE_OPTIONS",
    "MiddlewareSettings",
    "NoDefault",
    "asdebugtoken",
    "resolve_asgi_settings",
    "resolve_settings",
]


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
    "context_lines",
    "app_packages",
    "library_paths",
    "editor_url",
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
    #: ``{name: {"backend": ..., **options}}`` for
    #: :func:`paste_exc.report.building.build_reporters`;
    #: a value may also be a ready-made :class:`~paste_exc.api.ExceptionReporter`.
    reporters: dict[str, dict[str, object] | ExceptionReporter] = field(default_factory=dict)
    #: Extras providers: objects or ``module:name`` references.
    extras_providers: tuple[object, ...] = ()
    #: The message handed to reporters with each request's exception.
    report_message: str = "Exception while handling a WSGI request"
    #: Seconds of ``repr()`` of locals per report; later locals are only named.
    locals_time_budget: float = LOCALS_TIME_BUDGET
    #: Source lines collected either side of each failing line (the page shows
    #: two and expands in place to all of them).
    context_lines: int = DEFAULT_CONTEXT_LINES
    #: Module prefixes that are the application's even when installed in site-packages.
    app_packages: tuple[str, ...] = ()
    #: Further path prefixes whose files are libraries'.
    library_paths: tuple[str, ...] = ()
    #: The debug page's link template for file names (a preset's name is resolved):
    #: ``None`` for no links.
    editor_url: str | None = None


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


def _optional_text(value: object, option: str) -> str | None:
    """A string option where the empty string, as an ini file writes "unset", is ``None``."""
    return asoptionalstr(value, option) or None


def _addresses(value: object, option: str) -> tuple[str, ...]:
    return tuple(aslist(value, option))


def _providers(value: object, option: str) -> tuple[object, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(aslist(value, option))
    if isinstance(value, Iterable):
        return tuple(value)
    return (value,)


#: The middleware's options: name → converter. A value not given is looked up
#: in :data:`GLOBAL_CONF_FALLBACKS` or else takes the :class:`MiddlewareSettings`
#: default, then passes the converter. ``smtp_use_tls``, ``show_locals``,
#: ``debug_allow`` and ``reporters`` read more than one value and are resolved
#: after the table (see :func:`resolve_settings`).
MIDDLEWARE_OPTIONS: Final[Mapping[str, Converter[object]]] = {
    "debug": asbool,
    "error_email": _addresses,
    "error_log": _optional_text,
    "show_exceptions_in_wsgi_errors": asbool,
    "from_address": asstr,
    "smtp_server": asstr,
    "smtp_username": asoptionalstr,
    "smtp_password": asoptionalstr,
    "error_subject_prefix": asstr,
    "error_message": asoptionalstr,
    "xmlhttp_key": asstr,
    "debug_token": asdebugtoken,
    "show_hidden_frames": asbool,
    "trim_source_paths": astrimpaths,
    "error_template": _optional_text,
    "max_page_size": functools.partial(asint, minimum=1024),
    "extras_providers": _providers,
    "report_message": asstr,
    "locals_time_budget": asseconds,
    "context_lines": ascontextlines,
    "app_packages": aspackages,
    "library_paths": aspathprefixes,
    "editor_url": aseditorurl,
}

_DEFAULTS: Final = {
    item.name: item.default for item in fields(MiddlewareSettings) if item.default is not MISSING
}


def _given(option: str, options: Mapping[str, object], global_conf: Mapping[str, object]) -> object:
    value = options.get(option)
    if option in GLOBAL_CONF_FALLBACKS:
        return _fallback(option, value, global_conf)
    return _DEFAULTS.get(option) if value is None else value


def resolve_settings(
    global_conf: Mapping[str, object] | None,
    options: Mapping[str, object],
    *,
    more_options: tuple[str, ...] = (),
) -> MiddlewareSettings:
    """Resolve the middleware's keywords against *global_conf* and coerce them.

    Each option passes its converter of :data:`MIDDLEWARE_OPTIONS`.

    :param global_conf: PasteDeploy's ``[DEFAULT]`` section (or ``None``)
    :param options: every keyword given to the middleware, Paste's and ours;
        ``NoDefault``/``None`` mean "not given"
    :param more_options: the caller's own options (taken out of *options*
        already), listed among the valid ones when a key is unknown
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
        valid = ", ".join((*PASTE_OPTIONS, *OUR_OPTIONS, *more_options, "reporters.NAME.KEY"))
        raise ConfigError(unknown[0], f"unknown option; valid options are: {valid}")
    typed = {
        name: convert(_given(name, options, global_conf), name)
        for name, convert in MIDDLEWARE_OPTIONS.items()
    }
    # Paste: an explicit false smtp_use_tls still lets global_conf turn it on.
    tls = asbool(options.get("smtp_use_tls"), "smtp_use_tls") or asbool(
        global_conf.get("smtp_use_tls"), "smtp_use_tls"
    )
    networks, everyone = asnetworks(options.get("debug_allow"), "debug_allow")
    show_locals = options.get("show_locals")
    return MiddlewareSettings(
        **typed,  # type: ignore[arg-type]  # each value typed by MIDDLEWARE_OPTIONS
        smtp_use_tls=tls,
        debug_allow=networks,
        debug_allow_everyone=everyone,
        show_locals=asbool(typed["debug"] if show_locals is None else show_locals, "show_locals"),
        reporters=gather_reporters(options.get("reporters"), flat),
    )


#: The options only the ASGI middleware takes, beyond every one of the WSGI middleware's.
ASGI_OPTIONS: Final = ("reraise",)
#: The ASGI middleware's default ``report_message``.
ASGI_REPORT_MESSAGE: Final = "Exception while handling an ASGI request"


def resolve_asgi_settings(options: Mapping[str, object]) -> tuple[MiddlewareSettings, bool]:
    """Resolve the ASGI middleware's keywords: the WSGI middleware's, and ``reraise``.

    ``global_conf`` is taken as a keyword, with Paste's fall-backs, as the WSGI
    middleware takes it; a ``report_message`` not given says "ASGI request".

    :param options: every keyword given to the middleware
    :returns: the settings, and whether to re-raise after answering (``reraise``)
    :raises ConfigError: for an unknown key or a bad value, naming the option
    """
    rest = dict(options)
    reraise = rest.pop("reraise", False)
    global_conf = rest.pop("global_conf", None)
    if rest.get("report_message") is None:
        rest["report_message"] = ASGI_REPORT_MESSAGE
    # A typo of an ASGI option (``reraize``) is told the ASGI options too.
    settings = resolve_settings(
        global_conf,  # type: ignore[arg-type]  # checked there
        rest,
        more_options=(*ASGI_OPTIONS, "global_conf"),
    )
    return settings, asbool(False if reraise is None else reraise, "reraise")
