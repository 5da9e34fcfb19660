"""Configuration: the option tables of the reporters, one per reporter.

Beneath every stage (catch → collect → format → report → respond). Each
table maps an option's name to the converter of
:mod:`paste_exc.config.convert` that turns its Python value or ini string
into the typed attribute the reporter reads. :class:`~paste_exc.reporter.Reporter`
runs its class's table when it is built, so a bad value raises there,
naming the option; checks that span two options (STARTTLS *or* implicit
TLS, a user *and* a password) stay with the reporter. The middleware's
``reporters`` option and its flattened ``reporters.NAME.KEY`` keys are
gathered here too.

.. versionadded:: 0.1
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Final

from paste_exc.api import ExceptionReporter
from paste_exc.config.convert import (
    Converter,
    asbool,
    asduration,
    asfloat,
    asint,
    aslevel,
    aslist,
    asoptional,
    asoptionalstr,
    assizebudget,
    asstr,
    shown,
)
from paste_exc.config.places import asaddress, asaddresses, aspath, asport, asserver, asstream
from paste_exc.errors import ConfigError

__all__ = [
    "EMAIL_OPTIONS",
    "FILE_OPTIONS",
    "JSONLINES_OPTIONS",
    "LOGGING_OPTIONS",
    "LOG_OPTIONS",
    "PASTE_OPTION_NAMES",
    "RAYGUN_OPTIONS",
    "REPORTER_OPTIONS",
    "SENTRY_NONE_DEFAULT_TYPES",
    "SENTRY_NUMBERS",
    "OptionTable",
    "asfloodstore",
    "coerce_options",
    "coerce_sentry_options",
    "gather_reporters",
    "nest_reporters",
    "renamed",
]

#: option name → converter.
OptionTable = Mapping[str, Converter[object]]

#: The spellings of a flood store (see :func:`paste_exc.report.flood.store_from_spec`).
_STORE_PREFIXES: Final = ("sqlite:", "redis://", "rediss://", "unix://")


def asfloodstore(value: object, option: str) -> object:
    """Check a flood store: ``None``, ``memory``, ``sqlite:PATH``, ``redis://…``, or a store.

    A string is checked here, so a misspelt store fails when the reporter is
    built even while flood control is off; an object is taken to be a store
    (:func:`paste_exc.report.flood.store_from_spec` checks its type).

    :returns: ``None`` for this process's memory, the stripped spelling, or the object
    :raises ConfigError: for an unknown spelling or ``sqlite:`` without a file
    """
    if value is None or not isinstance(value, str):
        return value
    spec = value.strip()
    if spec in ("", "memory"):
        return None
    if spec.startswith(_STORE_PREFIXES):
        if spec.startswith("sqlite:") and not spec[len("sqlite:") :].removeprefix("//"):
            raise ConfigError(option, "sqlite: needs a file name, as in sqlite:///var/tmp/f.db")
        return spec
    raise ConfigError(
        option,
        f"unknown store {shown(value)}; use 'memory', 'sqlite:///path' or 'redis://host/db'",
    )


def _required_address(value: object, option: str) -> str:
    if value is None or value == "":
        raise ConfigError(option, "give the address reports are sent from")
    return asaddress(value, option)


def _server(value: object, option: str) -> str:
    asserver(value, option)
    return asstr(value, option)


def _logger_name(value: object, option: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(option, f"expected a logger name, got {shown(value)}")
    return value


def _log_file(value: object, option: str) -> str:
    if value is None:
        raise ConfigError(option, "give the name of the file to append reports to")
    return aspath(value, option)


def _report_stream(value: object, option: str) -> object:
    if value is None or not callable(getattr(value, "write", None)):
        raise ConfigError(option, "give an open text stream (an object with write())")
    return value


_timeout = functools.partial(asduration, minimum=0.001)

#: The options every :class:`~paste_exc.reporter.Reporter` takes.
REPORTER_OPTIONS: Final[OptionTable] = {
    "flood_window": asduration,
    "flood_store": asfloodstore,
    "flood_digest": asbool,
    "background": asbool,
    "size_budget": assizebudget,
    "delivery_timeout": asoptional(_timeout),
    "queue_size": asoptional(functools.partial(asint, minimum=1)),
}

#: :class:`~paste_exc.reporter.EmailReporter`.
EMAIL_OPTIONS: Final[OptionTable] = {
    **REPORTER_OPTIONS,
    "to_addresses": asaddresses,
    "from_address": _required_address,
    "smtp_server": _server,
    "smtp_port": asport,
    "smtp_username": asoptionalstr,
    "smtp_password": asoptionalstr,
    "smtp_use_tls": asbool,
    "smtp_use_ssl": asbool,
    "smtp_timeout": _timeout,
    "smtp_verify": asbool,
    "smtp_ca_file": asoptional(functools.partial(aspath, must_exist=True)),
    "subject_prefix": asstr,
    "subject_max_length": functools.partial(asint, minimum=20),
}

#: :class:`~paste_exc.reporter.LogReporter`.
LOG_OPTIONS: Final[OptionTable] = {
    **REPORTER_OPTIONS,
    "filename": _log_file,
    "show_hidden_frames": asbool,
}

#: :class:`~paste_exc.reporter.FileReporter`.
FILE_OPTIONS: Final[OptionTable] = {
    **REPORTER_OPTIONS,
    "file": _report_stream,
    "show_hidden_frames": asbool,
}

#: :class:`~paste_exc.reporter.LoggingReporter`.
LOGGING_OPTIONS: Final[OptionTable] = {
    **REPORTER_OPTIONS,
    "logger": _logger_name,
    "level": aslevel,
    "show_hidden_frames": asbool,
}

#: :class:`~paste_exc.reporter.JSONLinesReporter` (``filename`` or ``stream``).
JSONLINES_OPTIONS: Final[OptionTable] = {
    **REPORTER_OPTIONS,
    "filename": asoptional(aspath),
    "stream": asoptional(asstream),
    "debug": asbool,
}

#: The options of :class:`~paste_exc.report.sdk.raygun.RaygunReporter` that are
#: not callables (those are ``module:name`` references, resolved by the backend).
RAYGUN_OPTIONS: Final[OptionTable] = {
    "transmit_global_variables": asbool,
    "transmit_local_variables": asbool,
    "transmit_environment_variables": asbool,
    "enforce_payload_size_limit": asbool,
    "log_payload_size_limit_breaches": asbool,
    "filtered_keys": aslist,
    "http_timeout": _timeout,
}

#: Sentry's numeric options with a range, and the type each becomes: the SDK
#: ignores a rate outside 0..1 with only a log line; here it fails at start-up.
SENTRY_NUMBERS: Final[Mapping[str, tuple[type, float, float | None]]] = {
    "sample_rate": (float, 0.0, 1.0),
    "traces_sample_rate": (float, 0.0, 1.0),
    "profiles_sample_rate": (float, 0.0, 1.0),
    "profile_session_sample_rate": (float, 0.0, 1.0),
    "shutdown_timeout": (float, 0.0, 3600.0),
    "max_breadcrumbs": (int, 0, None),
    "max_value_length": (int, 1, None),
    "max_stack_frames": (int, 1, None),
    "transport_queue_size": (int, 1, None),
}

#: Sentry's options whose SDK default is ``None``, by the type an ini string becomes.
SENTRY_NONE_DEFAULT_TYPES: Final[Mapping[str, type]] = {
    "send_default_pii": bool,
    "debug": bool,
    "keep_alive": bool,
    "max_value_length": int,
}


#: The reporter options that Paste's middleware options set under another name:
#: an error names the option the user wrote.
PASTE_OPTION_NAMES: Final[Mapping[str, str]] = {
    "to_addresses": "error_email",
    "subject_prefix": "error_subject_prefix",
    "filename": "error_log",
}


def renamed(error: ConfigError, names: Mapping[str, str]) -> ConfigError:
    """*error* naming ``names[option]`` instead of its option (the same error when not listed)."""
    if error.option not in names:
        return error
    detail = str(error).removeprefix(f"{error.option}: ")
    return ConfigError(names[error.option], detail)


def coerce_options(table: OptionTable, values: Mapping[str, object]) -> dict[str, object]:
    """Run *table*'s converter on each of *values* it names; the others pass unchanged.

    :raises ConfigError: for a bad value, naming its option
    """
    return {
        name: (table[name](value, name) if name in table else value)
        for name, value in values.items()
    }


def _sentry_number(value: object, option: str) -> object:
    kind, low, high = SENTRY_NUMBERS[option]
    if kind is int:
        return asint(value, option, minimum=int(low), maximum=None if high is None else int(high))
    return asfloat(value, option, minimum=low, maximum=high)


def coerce_sentry_options(
    options: Mapping[str, object], defaults: Mapping[str, object]
) -> dict[str, object]:
    """Turn the ini strings among Sentry's options into the types the SDK takes.

    The type comes from the option's SDK default (*defaults*, the SDK's
    ``DEFAULT_OPTIONS``): booleans, integers, numbers and lists; the numbers
    of :data:`SENTRY_NUMBERS` are checked against their range whether given
    as strings or numbers. Other values pass unchanged (the SDK checks them).

    :raises ConfigError: for a bad value, naming its option
    """
    result: dict[str, object] = {}
    for name, value in options.items():
        if name in SENTRY_NUMBERS and value is not None:
            value = _sentry_number(value, name)
        elif isinstance(value, str):
            kind = SENTRY_NONE_DEFAULT_TYPES.get(name, type(defaults.get(name)))
            if kind is bool:
                value = asbool(value, name)
            elif kind is int:
                value = asint(value, name)
            elif kind is float:
                value = asfloat(value, name, minimum=-math.inf)
            elif kind in (list, frozenset):
                value = aslist(value, name)
        result[name] = value
    return result


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


def gather_reporters(
    value: object, flat: Mapping[str, object]
) -> dict[str, dict[str, object] | ExceptionReporter]:
    """The ``reporters`` option merged with its flattened ``reporters.NAME.KEY`` keys.

    :param value: ``None``, or a mapping of names to option mappings or ready reporters
    :param flat: the ``reporters.NAME.KEY`` keywords
    :raises ConfigError: for another value, or options given to a ready reporter
    """
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
