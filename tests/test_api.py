"""paste_exc.api: the plug-in interfaces keep asphalt-exceptions' names and arguments."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from paste_exc.api import ExceptionReporter, ExtrasProvider


def test_interfaces_are_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        ExceptionReporter()  # type: ignore[abstract]
    with pytest.raises(TypeError, match="abstract"):
        ExtrasProvider()  # type: ignore[abstract]


def test_argument_names_match_asphalt() -> None:
    report = inspect.signature(ExceptionReporter.report_exception)
    assert list(report.parameters) == ["self", "ctx", "exception", "message", "extra"]
    extras = inspect.signature(ExtrasProvider.get_extras)
    assert list(extras.parameters) == ["self", "ctx", "reporter"]


def test_subclasses_implementing_the_method_work() -> None:
    class Reporter(ExceptionReporter):
        def report_exception(
            self, ctx: Any, exception: BaseException, message: str, extra: dict[str, Any]
        ) -> None:
            self.seen = (ctx, exception, message, extra)

    class Extras(ExtrasProvider):
        def get_extras(self, ctx: Any, reporter: ExceptionReporter) -> dict[str, Any] | None:
            return {"tags": {"reporter": type(reporter).__name__}} if ctx else None

    reporter = Reporter()
    error = ValueError("x")
    extra = Extras().get_extras({"k": 1}, reporter)
    assert extra == {"tags": {"reporter": "Reporter"}}
    assert Extras().get_extras(None, reporter) is None
    reporter.report_exception(None, error, "m", extra)
    assert reporter.seen == (None, error, "m", {"tags": {"reporter": "Reporter"}})


def test_docstrings_describe_every_argument() -> None:
    for method, names in (
        (ExceptionReporter.report_exception, ("ctx", "exception", "message", "extra")),
        (ExtrasProvider.get_extras, ("ctx", "reporter")),
    ):
        doc = inspect.getdoc(method) or ""
        for name in names:
            assert f":param {name}:" in doc
