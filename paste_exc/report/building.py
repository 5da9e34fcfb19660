"""Report: build the reporters and extras providers a configuration names.

Each ``reporters`` entry becomes a reporter (a backend looked up in the
registry, its options checked by config), each extras provider reference an
object with ``get_extras``; every bad value raises at start-up naming the option.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from paste_exc.api import ExceptionReporter, ExtrasProvider
from paste_exc.config.convert import aslist
from paste_exc.errors import ConfigError
from paste_exc.report.registry import (
    resolve_backend,
    resolve_reference,
)

if TYPE_CHECKING:
    pass
from paste_exc.report.dispatch import _UNEXPECTED, describe

__all__ = ["build_extras_providers", "build_reporters"]


def build_reporters(
    reporters: Mapping[str, Mapping[str, object] | ExceptionReporter],
    default_args: Mapping[str, object] | None = None,
) -> dict[str, ExceptionReporter]:
    """Build reporters from ``{name: {"backend": ..., **kwargs}}``.

    Each entry is merged over *default_args*; ``backend`` defaults to the
    entry's name. An entry may also be a ready-made
    :class:`~paste_exc.api.ExceptionReporter`, used as it is (*default_args*
    do not apply to it). Errors name the offending key as ``reporters.NAME.KEY``.

    :param reporters: reporter name → options, or → a reporter instance
    :param default_args: options every reporter starts from
    :raises ConfigError: a backend is unknown, its SDK is missing, or it
        rejected an option
    """
    if not isinstance(reporters, Mapping):
        raise ConfigError("reporters", f"expected a mapping, got {type(reporters).__name__}")
    defaults = dict(default_args or {})
    built: dict[str, ExceptionReporter] = {}
    for name, options in reporters.items():
        prefix = f"reporters.{name}"
        if not isinstance(name, str) or not name:
            raise ConfigError("reporters", f"reporter names must be strings, got {name!r}")
        if isinstance(options, ExceptionReporter):
            built[name] = options
            continue
        if not isinstance(options, Mapping):
            raise ConfigError(
                prefix,
                f"expected a mapping of options or an ExceptionReporter, got {describe(options)}",
            )
        merged: dict[str, Any] = {**defaults, **options}
        backend = merged.pop("backend", name)
        cls = resolve_backend(backend, option=f"{prefix}.backend")
        built[name] = _instantiate(cls, merged, prefix)
    return built


def _instantiate(cls: type[Any], options: dict[str, Any], prefix: str) -> ExceptionReporter:
    bad = [key for key in options if not isinstance(key, str) or not key.isidentifier()]
    if bad:
        raise ConfigError(f"{prefix}.{bad[0]}", "not a valid option name")
    try:
        reporter = cls(**options)
    except ConfigError as exc:
        detail = str(exc).removeprefix(f"{exc.option}: ")
        raise ConfigError(f"{prefix}.{exc.option}", detail) from exc
    except ImportError as exc:
        raise ConfigError(f"{prefix}.backend", str(exc)) from exc
    except (TypeError, ValueError) as exc:
        match = _UNEXPECTED.search(str(exc))
        option = f"{prefix}.{match.group(1)}" if match else prefix
        raise ConfigError(option, f"{cls.__name__} rejected its options: {exc}") from exc
    if not callable(getattr(reporter, "report_exception", None)):
        raise ConfigError(
            f"{prefix}.backend", f"{cls.__name__} has no report_exception(ctx, exception, ...)"
        )
    return reporter  # type: ignore[no-any-return]


def build_extras_providers(
    providers: Iterable[object] | str | None, *, option: str = "extras_providers"
) -> list[ExtrasProvider]:
    """Build extras providers from objects, classes or ``module:name`` references.

    A class is instantiated without arguments. A string holds one or more
    references separated by whitespace or commas (the ini form).

    :raises ConfigError: a reference names nothing, or not an extras provider
    """
    if providers is None:
        return []
    if isinstance(providers, str):
        providers = aslist(providers, option)
    result: list[ExtrasProvider] = []
    for item in providers:
        target = resolve_reference(item, option=option)
        if isinstance(target, type):
            try:
                target = target()
            except Exception as exc:
                raise ConfigError(option, f"cannot instantiate {item!r}: {exc}") from exc
        if not callable(getattr(target, "get_extras", None)):
            raise ConfigError(option, f"{item!r} is not an extras provider (no get_extras)")
        result.append(target)  # type: ignore[arg-type]
    return result
