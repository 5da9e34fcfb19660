"""The collection of locals has a time budget per report.

A local whose ``repr()`` is slow (a Django QuerySet runs SQL) costs at most the
budget: once it is spent, the remaining locals are named without their value,
and a note says so, in every output. The tests assert on what the report says,
never on how long anything took.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import pytest

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webtest

from paste_exc.collector import (
    LOCALS_TIME_BUDGET,
    LOCALS_TIME_PLACEHOLDER,
    CollectedException,
    ExceptionCollector,
    ExceptionFrame,
    collect_exception,
)
from paste_exc.config import resolve_settings
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.errors import ConfigError
from paste_exc.formatter import format_text
from paste_exc.redact.saferepr import OUT_OF_TIME

#: Each slow repr sleeps this long; the budget is spent after two of them.
SLOW = 0.2
BUDGET = 0.3
NAMES = ["first", "second", "third", "fourth", "fifth"]


class SlowQuerySet:
    """A local whose repr() takes a while, as a lazy query's does."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        time.sleep(SLOW)
        return f"<QuerySet {self.name}>"


def view() -> None:
    first = SlowQuerySet("first")  # noqa: F841 - the locals of the report
    second = SlowQuerySet("second")  # noqa: F841
    third = SlowQuerySet("third")  # noqa: F841
    fourth = SlowQuerySet("fourth")  # noqa: F841
    fifth = SlowQuerySet("fifth")  # noqa: F841
    raise LookupError("no such order")


def collect_view(**options: Any) -> CollectedException:
    try:
        view()
    except LookupError as error:
        return collect_exception(
            type(error), error, error.__traceback__, collect_locals=True, **options
        )
    raise AssertionError("did not raise")


def view_frame(data: CollectedException) -> ExceptionFrame:
    (frame,) = [frame for frame in data.frames if frame.name == "view"]
    return frame


def values(frame: ExceptionFrame) -> dict[str, str]:
    return {local.name: local.value for local in frame.locals or ()}


def budget_notes(data: CollectedException) -> list[str]:
    return [note for note in data.collection_notes if "time budget" in note]


def test_after_the_budget_the_locals_are_named_without_their_value() -> None:
    data = collect_view(locals_time_budget=BUDGET)
    shown = values(view_frame(data))
    assert list(shown) == NAMES  # every local is named, in order
    # The first two slow reprs spend the budget (each sleeps longer than half of it).
    assert shown["first"] == "<QuerySet first>"
    assert shown["second"] == "<QuerySet second>"
    assert [shown[name] for name in NAMES[2:]] == [LOCALS_TIME_PLACEHOLDER] * 3
    (note,) = budget_notes(data)
    assert "3 " in note
    assert "cannot be interrupted" in note


def test_the_items_of_a_container_stop_when_the_budget_is_spent() -> None:
    def listing() -> None:
        rows = [SlowQuerySet(f"row{index}") for index in range(8)]  # noqa: F841
        after = "the next local"  # noqa: F841
        raise LookupError("rows")

    try:
        listing()
    except LookupError as error:
        data = collect_exception(
            type(error), error, error.__traceback__, collect_locals=True, locals_time_budget=BUDGET
        )
    (frame,) = [frame for frame in data.frames if frame.name == "listing"]
    shown = values(frame)
    assert shown["rows"].startswith("[<QuerySet row0>, <QuerySet row1>, ")
    assert shown["rows"].count(OUT_OF_TIME) == 6
    assert shown["after"] == LOCALS_TIME_PLACEHOLDER
    (note,) = budget_notes(data)
    assert "1 later local is named without a value" in note
    assert "1 local shows only the items represented in time" in note


def test_a_zero_budget_names_every_local_and_calls_no_repr() -> None:
    data = collect_view(locals_time_budget=0)
    assert set(values(view_frame(data)).values()) == {LOCALS_TIME_PLACEHOLDER}
    assert budget_notes(data)


def test_fast_locals_stay_within_the_default_budget() -> None:
    def fast() -> None:
        numbers = list(range(10))  # noqa: F841
        raise ValueError("fast")

    try:
        fast()
    except ValueError as error:
        data = collect_exception(type(error), error, error.__traceback__, collect_locals=True)
    (frame,) = [frame for frame in data.frames if frame.name == "fast"]
    assert values(frame)["numbers"] == repr(list(range(10)))
    assert not budget_notes(data)


def test_the_budget_is_shared_by_the_whole_report() -> None:
    """Chained exceptions are one report: their frames share one budget."""

    def outer() -> None:
        try:
            view()
        except LookupError as error:
            late = SlowQuerySet("late")  # noqa: F841
            raise RuntimeError("while handling") from error

    try:
        outer()
    except RuntimeError as error:
        data = ExceptionCollector(collect_locals=True, locals_time_budget=BUDGET).collect(
            type(error), error, error.__traceback__
        )
    assert data.cause is not None
    every_value = [
        local.value
        for report in (data, data.cause)
        for frame in report.frames
        for local in frame.locals or ()
        if local.name in (*NAMES, "late")
    ]
    assert every_value.count(LOCALS_TIME_PLACEHOLDER) == len(every_value) - 2
    assert len(budget_notes(data)) == 1


def test_the_default_budget_is_documented_and_used() -> None:
    assert LOCALS_TIME_BUDGET == 1.0
    assert ExceptionCollector().locals_time_budget == LOCALS_TIME_BUDGET
    assert resolve_settings(None, {}).locals_time_budget == LOCALS_TIME_BUDGET


@pytest.mark.parametrize(
    ("value", "expected"), [("0.5", 0.5), (" 2 ", 2.0), (3, 3.0), (0.25, 0.25), ("0", 0.0)]
)
def test_the_option_takes_keywords_and_ini_strings(value: object, expected: float) -> None:
    assert resolve_settings(None, {"locals_time_budget": value}).locals_time_budget == expected
    assert ExceptionCollector(locals_time_budget=expected).locals_time_budget == expected


@pytest.mark.parametrize("value", ["soon", "-1", -0.5, "nan", "inf", True, [1]])
def test_a_bad_budget_is_a_config_error_naming_the_option(value: object) -> None:
    with pytest.raises(ConfigError, match="locals_time_budget"):
        resolve_settings(None, {"locals_time_budget": value})
    with pytest.raises(ConfigError, match="locals_time_budget"):
        ExceptionCollector(locals_time_budget=value)  # type: ignore[arg-type]


def view_app(environ: dict[str, Any], start_response: Any) -> Any:
    view()
    raise AssertionError("unreachable")


def catching(app: Any) -> Any:
    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return app(environ, start_response)

    return wrapper


def test_the_middleware_shows_the_placeholder_and_the_note_in_every_output() -> None:
    middleware = ErrorMiddleware(view_app, debug="true", locals_time_budget=str(BUDGET))
    client = webtest.TestApp(catching(middleware))
    page = client.get("/", status=500, expect_errors=True)
    text = client.get("/", headers={"Accept": "text/plain"}, status=500, expect_errors=True)
    problem = client.get(
        "/", headers={"Accept": "application/json"}, status=500, expect_errors=True
    )
    for body in (page.text, text.text):
        assert "&lt;QuerySet first&gt;" in body or "<QuerySet first>" in body
        assert "fifth" in body
        assert "time budget" in body
    assert LOCALS_TIME_PLACEHOLDER in text.text
    assert "time budget for local variables" in page.text
    document = problem.json
    notes = " ".join(document["exception"]["collection_notes"])
    assert "time budget" in notes
    frame = next(f for f in document["exception"]["frames"] if f["name"] == "view")
    assert frame["locals"]["first"] == "<QuerySet first>"
    assert frame["locals"]["fifth"] == LOCALS_TIME_PLACEHOLDER


def test_the_text_report_names_the_unrepresented_locals() -> None:
    text = format_text(collect_view(locals_time_budget=0))
    for name in NAMES:
        assert f"{name} = {LOCALS_TIME_PLACEHOLDER}" in text
    assert "time budget for local variables (0 s per report)" in text


def test_the_option_from_an_ini_file(tmp_path: Any) -> None:
    from paste.deploy import loadapp

    ini = tmp_path / "app.ini"
    ini.write_text(
        "[filter-app:main]\n"
        "use = egg:paste_exc#error_catcher\n"
        "next = view\n"
        "debug = true\n"
        "locals_time_budget = 0\n"
        "\n"
        "[app:view]\n"
        f"paste.app_factory = {__name__}:make_view_app\n"
    )
    middleware = loadapp(f"config:{ini}")
    assert isinstance(middleware, ErrorMiddleware)
    assert middleware.settings.locals_time_budget == 0.0
    text = webtest.TestApp(catching(middleware)).get(
        "/", headers={"Accept": "text/plain"}, status=500, expect_errors=True
    )
    assert f"fifth = {LOCALS_TIME_PLACEHOLDER}" in text.text


def make_view_app(global_conf: dict[str, str], **local_conf: str) -> Any:
    return view_app
