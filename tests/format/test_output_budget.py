"""Every output of a report is bounded by one size budget, folded by one policy, and says so."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from paste_exc.collector import CollectedException, ExceptionFrame, LocalVariable, collect_exception
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.errors import ConfigError
from paste_exc.format import budget as _budget
from paste_exc.format.documents import (
    render_appended,
    render_debug_page,
    render_email_html,
    render_fragment,
    render_problem,
)
from paste_exc.formatter import TextFormatter, format_html, format_text
from paste_exc.reporter import EmailReporter, JSONLinesReporter, LoggingReporter, LogReporter

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webtest

#: What every folded output says (text, HTML) or holds (JSON ``folded``).
TEXT_MARKER = "This report was shortened to fit the size budget"
HTML_MARKER = "This report was shortened to keep it small"
BUDGET = 200_000
#: Test clients ask the middleware to step aside; these tests want it to catch.
CATCH = {"paste.throw_errors": False}


def oversize(
    frames: int = 100, locals_per_frame: int = 40, value_size: int = 1000
) -> CollectedException:
    """The report of issue 12: *frames* distinct frames, each with locals of *value_size*."""
    return CollectedException(
        frames=tuple(
            ExceptionFrame(
                modname=f"app.module{index}",
                filename=f"/srv/app/module{index}.py",
                lineno=20,
                name=f"handler{index}",
                context_lines=tuple(f"    value_{index}_{n} = compute({n})" for n in range(11)),
                context_start=15,
                locals=tuple(
                    LocalVariable(f"var{number}", repr("v" * (value_size - 2)))
                    for number in range(locals_per_frame)
                ),
                is_library=index % 3 == 0,
            )
            for index in range(frames)
        ),
        exception_formatted="ValueError: too big\n",
        exception_type="ValueError",
        exception_value="too big",
        exception_module="builtins",
        identification_code="E-BIG00",
        occurrence_id="0123456789abcdef0123456789abcdef",
        locals_collected=True,
    )


@pytest.fixture(scope="module")
def big() -> CollectedException:
    return oversize()


def assert_folded_text(text: str, budget: int) -> None:
    assert len(text) <= budget, len(text)
    assert TEXT_MARKER in text
    assert "ValueError: too big" in text
    assert "in handler0" in text
    assert "in handler99" in text


# -- the text report: format_text, the text response, log, wsgi.errors, email, logging ----------


def test_text_report_is_folded_to_the_default_budget(big: CollectedException) -> None:
    whole = format_text(big, size_budget=None)
    assert len(whole) > 4_000_000
    text = format_text(big)
    assert_folded_text(text, _budget.DEFAULT_SIZE_BUDGET)
    assert f"size budget of {_budget.DEFAULT_SIZE_BUDGET:,} characters" in text
    assert "- the local variables of 34 library frames" in text


def test_text_report_within_the_budget_is_untouched() -> None:
    small = oversize(frames=3, locals_per_frame=2, value_size=20)
    whole = format_text(small, size_budget=None)
    assert format_text(small) == whole
    assert format_text(small, size_budget=len(whole)) == whole
    assert "shortened" not in whole
    assert format_text(small, size_budget=len(whole) - 1) != whole


def test_text_formatter_rejects_a_bad_budget() -> None:
    with pytest.raises(ConfigError, match="size_budget"):
        TextFormatter(size_budget=0)
    with pytest.raises(ConfigError, match="size_budget"):
        TextFormatter(size_budget="big")  # type: ignore[arg-type]


def test_even_a_tiny_text_budget_holds(big: CollectedException) -> None:
    huge = oversize(frames=200, locals_per_frame=100)
    for budget in (1024, 5000):
        text = format_text(huge, size_budget=budget)
        assert len(text) <= budget
        assert "ValueError: too big" in text or "characters cut to fit" in text


def test_frames_from_the_middle_are_folded_and_marked() -> None:
    many = oversize(frames=2000, locals_per_frame=0, value_size=10)
    text = format_text(many, size_budget=100_000)
    assert len(text) <= 100_000
    found = re.search(r"\[([\d,]+) frames folded to fit the size budget\]", text)
    assert found is not None
    assert "in handler0\n" in text
    assert "in handler1999\n" in text
    assert f"- {found.group(1)} frames from the middle of the traceback" in text


def test_long_chains_and_groups_are_folded() -> None:
    link: CollectedException | None = None
    frames = oversize(frames=50, locals_per_frame=0).frames
    for number in range(40):
        link = CollectedException(
            frames=tuple(
                dataclasses.replace(frame, filename=f"/srv/link{number}/{index}.py")
                for index, frame in enumerate(frames)
            ),
            exception_type="KeyError",
            exception_value=f"link {number}",
            exception_formatted=f"KeyError: 'link {number}'\n",
            context=link,
        )
    assert link is not None
    text = format_text(link, size_budget=8_000)
    assert len(text) <= 8_000
    assert "KeyError: link 39" in text
    assert "chained exceptions and group members" in text


def middleware_client(app: Any, **options: Any) -> webtest.TestApp:
    return webtest.TestApp(ErrorMiddleware(app, debug=True, show_locals=True, **options))


def deep_module(frames: int = 100, locals_per_frame: int = 40, size: int = 1000) -> Any:
    """A real call chain of *frames* functions, each with *locals_per_frame* locals of *size*."""
    lines: list[str] = []
    for index in range(frames):
        lines.append(f"def handler{index}():")
        lines.extend(f"    var{n} = 'v' * {size}" for n in range(locals_per_frame))
        last = index == frames - 1
        lines.append("    raise ValueError('too big')" if last else f"    handler{index + 1}()")
    namespace: dict[str, Any] = {"__name__": "deep_app"}
    exec(compile("\n".join(lines), "<deep_app>", "exec"), namespace)  # noqa: S102
    return namespace["handler0"]


@pytest.fixture(scope="module")
def deep_app() -> Callable[..., Any]:
    first = deep_module()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        first()
        return []

    return app


def get(client: webtest.TestApp, accept: str) -> Any:
    return client.get(
        "/", status=500, headers={"Accept": accept}, expect_errors=True, extra_environ=CATCH
    )


def test_text_response_keeps_max_page_size(deep_app: Any) -> None:
    client = middleware_client(deep_app, max_page_size=str(BUDGET))  # as from an ini file
    body = get(client, "text/plain").text
    assert len(body) <= BUDGET
    assert TEXT_MARKER in body
    assert "ValueError: too big" in body


def test_debug_problem_json_keeps_max_page_size(deep_app: Any) -> None:
    client = middleware_client(deep_app, max_page_size=BUDGET)
    body = get(client, "application/json").text
    assert len(body) <= BUDGET
    document = json.loads(body)
    exception = document["exception"]
    assert exception["folded"]
    assert exception["size_budget"] == BUDGET
    assert exception["type"] == "ValueError"
    assert exception["frames"][-1]["name"] == "handler99"


def test_debug_page_keeps_max_page_size(deep_app: Any) -> None:
    client = middleware_client(deep_app, max_page_size=BUDGET)
    body = get(client, "text/html").text
    assert len(body) <= BUDGET
    assert HTML_MARKER in body


def test_log_file_and_wsgi_errors_keep_max_page_size(deep_app: Any, tmp_path: Path) -> None:
    log = tmp_path / "errors.log"
    client = middleware_client(
        deep_app,
        max_page_size=BUDGET,
        error_log=str(log),
        show_exceptions_in_wsgi_errors=True,
    )
    response = client.get("/", status=500, expect_errors=True, extra_environ=CATCH)
    # One report and its 60-dash separator (and a header line, if any): the report is in budget.
    record = log.read_text("utf-8")
    assert TEXT_MARKER in record
    assert len(record) <= BUDGET + 200
    stream = response.errors
    assert TEXT_MARKER in stream
    assert len(stream) <= BUDGET + 200


def test_every_built_in_reporter_gets_max_page_size(tmp_path: Path) -> None:
    middleware = ErrorMiddleware(
        lambda environ, start_response: [],
        error_email="ops@example.org",
        error_log=str(tmp_path / "x.log"),
        max_page_size="300000",
        reporters={
            "lines": {"backend": "jsonlines", "filename": str(tmp_path / "x.jsonl")},
            "own": {
                "backend": "jsonlines",
                "filename": str(tmp_path / "y.jsonl"),
                "size_budget": "50000",
            },
        },
    )
    reporters = middleware.reporting.reporters
    assert reporters["email"].size_budget == 300_000  # type: ignore[attr-defined]
    assert reporters["log"].size_budget == 300_000  # type: ignore[attr-defined]
    assert reporters["lines"].size_budget == 300_000  # type: ignore[attr-defined]
    assert reporters["own"].size_budget == 50_000  # type: ignore[attr-defined]


def test_log_reporter_folds_its_record(big: CollectedException, tmp_path: Path) -> None:
    log = tmp_path / "folded.log"
    LogReporter(filename=str(log), size_budget=BUDGET).report(big)
    record = log.read_text("utf-8")
    assert len(record) <= BUDGET + 200
    assert TEXT_MARKER in record


def test_email_text_and_html_parts_are_folded(big: CollectedException) -> None:
    reporter = EmailReporter(
        to_addresses="ops@example.org", from_address="app@example.org", size_budget=BUDGET
    )
    message = reporter.assemble_email(big)
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None
    assert html_part is not None
    text = text_part.get_content()
    html = html_part.get_content()
    assert len(text) <= BUDGET + 200
    assert TEXT_MARKER in text
    assert len(html) <= BUDGET
    assert HTML_MARKER in html


def test_email_html_alone_is_folded(big: CollectedException) -> None:
    html = render_email_html(big, size_budget=BUDGET)
    assert len(html) <= BUDGET
    assert HTML_MARKER in html
    assert "the local variables" in html


def test_logging_reporter_text_is_folded(
    big: CollectedException, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="paste_exc.report"):
        LoggingReporter(size_budget=BUDGET).report(big)
    (record,) = caplog.records
    assert record.exc_text is not None
    assert len(record.exc_text) <= BUDGET
    assert TEXT_MARKER in record.exc_text


def test_json_line_is_folded(big: CollectedException) -> None:
    line = JSONLinesReporter(stream=io.StringIO(), size_budget=BUDGET).line(big, "while testing")
    assert len(line) <= BUDGET + 1
    assert line.endswith("\n")
    assert line.count("\n") == 1
    document = json.loads(line)
    assert document["report_message"] == "while testing"
    assert document["exception"]["folded"][0] == "the local variables of 34 library frames"
    whole = JSONLinesReporter(stream=io.StringIO(), size_budget=None).line(big)
    assert len(whole) > 4_000_000


def test_reporter_size_budget_option_is_checked() -> None:
    with pytest.raises(ConfigError, match="size_budget"):
        JSONLinesReporter(stream=io.StringIO(), size_budget="big")
    with pytest.raises(ConfigError, match="size_budget"):
        JSONLinesReporter(stream=io.StringIO(), size_budget=10)
    assert JSONLinesReporter(stream=io.StringIO(), size_budget="none").size_budget is None
    assert JSONLinesReporter(stream=io.StringIO(), size_budget="20_000").size_budget == 20_000


@pytest.mark.parametrize(
    "render",
    [
        lambda data: render_debug_page(data, size_budget=BUDGET).body,
        lambda data: format_html(data, size_budget=BUDGET),
    ],
    ids=["debug page", "format_html"],
)
def test_html_outputs_are_folded(big: CollectedException, render: Callable[..., str]) -> None:
    html = render(big)
    assert len(html) <= BUDGET
    assert HTML_MARKER in html
    assert "the local variables of 34 library frames" in html


def test_fragment_fits_the_budget_without_locals(big: CollectedException) -> None:
    """The fragment carries no locals (no request data): what is left fits or is folded."""
    html = render_fragment(big, size_budget=BUDGET).body
    assert len(html) <= BUDGET
    assert "Local variables" not in html
    assert "ValueError" in html


def test_problem_document_is_folded(big: CollectedException) -> None:
    body = render_problem(big, debug=True, size_budget=BUDGET).body
    assert len(body) <= BUDGET
    assert json.loads(body)["exception"]["folded"]
    assert len(render_problem(big, debug=True).body) <= _budget.DEFAULT_SIZE_BUDGET
    assert len(render_problem(big, debug=True, size_budget=None).body) > 4_000_000


@pytest.mark.parametrize("content_type", ["text/plain", "text/html"])
def test_appended_report_is_folded(big: CollectedException, content_type: str) -> None:
    body = render_appended(big, content_type=content_type, debug=True, size_budget=BUDGET)
    assert len(body) <= BUDGET + 200
    assert (TEXT_MARKER if content_type == "text/plain" else HTML_MARKER).encode() in body


# -- one policy, least useful first -------------------------------------------------------------


def policy_position(phrase: str) -> int:
    patterns = (
        r"the locals and source of [\d,]+ repeated frames?$",
        r"the local variables of [\d,]+ library frames?$",
        r"the end of [\d,]+ long values? ",
        r"the extra data ",
        r"the local variables of [\d,]+ more frames?$",
        r"[\d,]+ frames? from the middle",
        r"[\d,]+ chained exceptions? and group members$",
        r"all but an outline",
    )
    return next(index for index, pattern in enumerate(patterns) if re.match(pattern, phrase))


def test_text_html_and_json_fold_the_same_way(big: CollectedException) -> None:
    text = format_text(big, size_budget=BUDGET)
    html = render_debug_page(big, size_budget=BUDGET).body
    document = json.loads(render_problem(big, debug=True, size_budget=BUDGET).body)
    text_phrases = re.findall(r"^  - (.*)$", text, re.MULTILINE)
    json_phrases = document["exception"]["folded"]
    assert text_phrases == json_phrases
    assert ", ".join(json_phrases) in html.replace("&#39;", "'")
    positions = [policy_position(phrase) for phrase in json_phrases]
    assert positions == sorted(positions)


def test_repeated_frames_go_first() -> None:
    frames = oversize(frames=4, locals_per_frame=30).frames
    twice = CollectedException(
        frames=frames,
        exception_type="ValueError",
        exception_value="twice",
        context=CollectedException(frames=frames, exception_type="KeyError"),
    )
    whole = format_text(twice, size_budget=None)
    text = format_text(twice, size_budget=len(whole) - 1000)
    assert re.findall(r"^  - (.*)$", text, re.MULTILINE) == [
        "the locals and source of 4 repeated frames"
    ]
    # The main exception keeps the locals; its context's copies lost theirs.
    assert text.count("var29 = ") == 4


def test_library_locals_go_before_application_locals(big: CollectedException) -> None:
    whole = format_text(big, size_budget=None)
    text = format_text(big, size_budget=len(whole) - 10)
    assert re.findall(r"^  - (.*)$", text, re.MULTILINE) == [
        "the local variables of 34 library frames"
    ]
    assert text.count("var0 = ") == 66


def test_the_exception_line_and_the_original_stay(big: CollectedException) -> None:
    folded, _ = _budget.fit_report(big, 10_000, format_text)
    assert folded.exception_value == big.exception_value
    assert folded.exception_formatted == big.exception_formatted
    assert folded.folded
    assert not big.folded
    assert big.frames[0].locals is not None


def test_folding_renders_only_a_few_copies(big: CollectedException) -> None:
    """Folding works on copies of the collected data, each rendered at most once."""
    calls: list[int] = []

    def render(data: CollectedException) -> str:
        calls.append(len(data.frames))
        return format_text(data, size_budget=None)

    _budget.fit_report(big, BUDGET, render)
    assert 2 <= len(calls) <= 6


def real_collection() -> Iterator[CollectedException]:
    first = deep_module(frames=30, locals_per_frame=20, size=2000)
    try:
        first()
    except ValueError as error:
        yield collect_exception(type(error), error, error.__traceback__, collect_locals=True)


def test_a_real_collection_folds_too() -> None:
    (data,) = list(real_collection())
    text = format_text(data, size_budget=100_000)
    assert len(text) <= 100_000
    assert "ValueError: too big" in text
    assert "in handler29" in text


def test_data_a_decorator_made_odd_is_still_bounded(big: CollectedException) -> None:
    odd = dataclasses.replace(
        big,
        extra_data={"not a key": "not a list", ("normal", "n"): [object(), {"k": 3}]},  # type: ignore[dict-item]
        notes=("x" * 5000,),
    )
    text = format_text(odd, size_budget=BUDGET)
    assert len(text) <= BUDGET
    assert TEXT_MARKER in text
    body = render_problem(odd, debug=True, size_budget=BUDGET).body
    assert len(body) <= BUDGET
