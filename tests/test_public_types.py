"""Public signatures are typed: no ``typing.Any`` where a caller reads the API.

Where Paste's contract is untyped (``**conf``, ``exc_data``) the annotation is
``object`` or a precise type; ``Any`` would switch the caller's type checks off.
"""

from __future__ import annotations

import importlib
import inspect
import re
import typing
from collections.abc import Callable, Iterator

import pytest

import paste_exc.reporter

PUBLIC_MODULES = (
    "paste_exc",
    "paste_exc.api",
    "paste_exc.report.registry",
    "paste_exc.report.sdk.raygun",
    "paste_exc.report.sdk.sentry",
    "paste_exc.cli",
    "paste_exc.collector",
    "paste_exc.config",
    "paste_exc.respond.access",
    "paste_exc.respond.token",
    "paste_exc.report.delivery",
    "paste_exc.demo",
    "paste_exc.format.documents",
    "paste_exc.errormiddleware",
    "paste_exc.errors",
    "paste_exc.report.flood",
    "paste_exc.formatter",
    "paste_exc.process",
    "paste_exc.respond.negotiate",
    "paste_exc.redact",
    "paste_exc.reporter",
    "paste_exc.report.dispatch",
    "paste_exc.serial_number_generator",
    "paste_exc.testing",
)

# ``Any`` or ``typing.Any`` as a whole name inside an annotation's text.
_ANY = re.compile(r"(?<![\w.])(?:typing\.)?Any\b")


def _annotation_text(annotation: object) -> str:
    if annotation is inspect.Parameter.empty:
        return ""
    if isinstance(annotation, str):  # ``from __future__ import annotations``
        return annotation
    return getattr(annotation, "__name__", "") if isinstance(annotation, type) else repr(annotation)


def _members(cls: type) -> Iterator[tuple[str, object]]:
    for name, value in vars(cls).items():
        if name.startswith("_") and name not in ("__init__", "__call__", "__new__"):
            continue
        if isinstance(value, property):
            yield name, value.fget
        elif isinstance(value, staticmethod | classmethod):
            yield name, value.__func__
        elif inspect.isfunction(value):
            yield name, value


def _public_objects() -> Iterator[tuple[str, object]]:
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None)
        assert names is not None, f"{module_name} has no __all__"
        for name in names:
            yield f"{module_name}.{name}", getattr(module, name)


def _signature_findings(where: str, func: Callable[..., object]) -> Iterator[str]:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # a builtin without a signature
        return
    for name, parameter in signature.parameters.items():
        if _ANY.search(_annotation_text(parameter.annotation)):
            yield f"{where}({name}: {parameter.annotation})"
    if _ANY.search(_annotation_text(signature.return_annotation)):
        yield f"{where} -> {signature.return_annotation}"
    # An alias can hide Any from the annotation's text: resolve where the names allow.
    try:
        hints = typing.get_type_hints(func)
    except Exception:
        return
    for name, hint in hints.items():
        if "typing.Any" in repr(hint):
            yield f"{where}({name}: {hint!r})"


def _findings() -> list[str]:
    found: list[str] = []
    seen: set[int] = set()
    for where, obj in _public_objects():
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if inspect.isclass(obj):
            for klass in obj.__mro__:
                if not klass.__module__.startswith("paste_exc"):
                    continue
                for attribute, annotation in vars(klass).get("__annotations__", {}).items():
                    if _ANY.search(_annotation_text(annotation)):
                        found.append(f"{klass.__qualname__}.{attribute}: {annotation}")
                for name, member in _members(klass):
                    # Ours only: sentry-sdk's Starlette integration, once enabled in the
                    # process, replaces the __call__ of every class given to add_middleware.
                    if not getattr(member, "__module__", "").startswith("paste_exc"):
                        continue
                    if callable(member) and id(member) not in seen:
                        seen.add(id(member))
                        found.extend(_signature_findings(f"{klass.__qualname__}.{name}", member))
        elif callable(obj):
            found.extend(_signature_findings(where, obj))
    return sorted(set(found))


def test_no_public_signature_or_attribute_is_typed_any() -> None:
    assert _findings() == []


def test_the_check_sees_any_in_a_signature_and_an_attribute() -> None:
    def typed(value: object, **conf: object) -> object:
        return value

    class Loose:
        option: Any  # type: ignore[name-defined]  # noqa: F821

        def method(self, value: Any) -> None:  # type: ignore[name-defined]  # noqa: F821
            """A method whose parameter is Any."""

    assert list(_signature_findings("typed", typed)) == []
    assert list(_signature_findings("Loose.method", Loose.method)) == ["Loose.method(value: Any)"]
    assert _ANY.search(_annotation_text(Loose.__annotations__["option"]))
    assert not _ANY.search("AnyStr | Company")


# An alias whose text does not say Any (module level, so the check can resolve it).
_LooseHook = Callable[[dict[str, typing.Any]], object]


def _hooked(hook: _LooseHook) -> None:
    """A parameter whose alias holds Any."""


def test_the_check_sees_any_behind_an_alias() -> None:
    assert list(_signature_findings("hooked", _hooked)) != []


@pytest.mark.parametrize(
    "reporter",
    [
        "EmailReporter",
        "LogReporter",
        "FileReporter",
        "LoggingReporter",
        "JSONLinesReporter",
        "CapturingReporter",
    ],
)
def test_every_reporter_option_is_an_annotated_attribute(reporter: str) -> None:
    cls = getattr(paste_exc.reporter, reporter)
    annotated: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        annotated.update(vars(klass).get("__annotations__", {}))
    missing = sorted(name for name in cls._options if name not in annotated)
    assert missing == []
