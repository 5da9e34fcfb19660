"""The JSON outputs share one conversion: as_json_dict, the problem document, JSON lines.

For the same report, every member the three have in common holds the same
value, at every level (chain links, group members, frames, supplements), and
every one of them is strict JSON that encodes as UTF-8.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Callable
from typing import Any

import pytest

from paste_exc.collector import (
    CollectedException,
    ExceptionFrame,
    LocalVariable,
    SupplementaryData,
    collect_exception,
)
from paste_exc.format.documents import problem_document, render_problem
from paste_exc.reporter import JSONLinesReporter

#: The problem document's short names of canonical members.
SHORT = {
    "exception_type": "type",
    "exception_module": "module",
    "exception_value": "message",
    "exception_formatted": "formatted",
}


def collected(func: Callable[[], object]) -> CollectedException:
    try:
        func()
    except BaseException:
        return collect_exception(*sys.exc_info(), collect_locals=True)
    raise AssertionError("did not raise")


class Supplement:
    def __init__(self, obj: object, url: str) -> None:
        self.object = obj
        self.source_url = url

    def extraData(self) -> dict[tuple[str, str], object]:
        return {("important", "User"): "bob", ("normal", "cart"): [1, 2, {"k": "v"}]}


def chained() -> None:
    __traceback_supplement__ = (Supplement, "shop", "http://shop.example/cart?token=s3cr3t")
    try:
        try:
            {}["missing"]
        except KeyError as error:
            raise ValueError("context link") from error
    except ValueError:
        password = "hunter2"  # noqa: F841 (a secret local)
        raise RuntimeError("the outer one")  # noqa: B904 (the context is the point)


def grouped() -> None:
    def member(number: int) -> Exception:
        error = ValueError(f"member {number}")
        error.add_note(f"note of member {number}")
        return error

    inner = ExceptionGroup("inner", [member(2), TypeError("t")])
    raise ExceptionGroup("outer", [member(1), inner])


def with_notes() -> None:
    error = LookupError("noted")
    error.add_note("first note")
    error.add_note("second <note> & 'quotes'")
    raise error


def syntax_error() -> None:
    compile("    foo bar baz\n", "<snippet>", "exec")


class HostileRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


class HostileStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no str for you")


def hostile() -> None:
    thing = HostileRepr()  # noqa: F841 (a local whose repr raises)
    surrogate = "lone \udcff surrogate"  # noqa: F841
    raise HostileStr()


REPORTS: dict[str, Callable[[], CollectedException]] = {
    "chained": lambda: collected(chained),
    "grouped": lambda: collected(grouped),
    "notes": lambda: collected(with_notes),
    "syntax error": lambda: collected(syntax_error),
    "hostile reprs": lambda: collected(hostile),
    "hand-built": lambda: CollectedException(
        frames=(
            ExceptionFrame(
                modname="m\ud800",
                filename="f.py",
                lineno=3,
                name="f",
                locals=(LocalVariable("api_key", "the-real-value", redacted=True),),
                supplement=SupplementaryData(object="o", source_url="http://x/?a=1"),
                traceback_decorator=HostileRepr(),
            ),
        ),
        exception_type="ValueError",
        exception_value="bad \udcff text",
        timestamp=math.nan,
        extra_data={"plain title": [math.inf, HostileRepr()], ("bogus", "t"): ["v"]},
    ),
}


@pytest.fixture(params=sorted(REPORTS))
def report(request: pytest.FixtureRequest) -> CollectedException:
    return REPORTS[request.param]()


def strict(document: object) -> Any:
    """*document* through strict JSON and back (no NaN, UTF-8 encodable)."""
    text = json.dumps(document, ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")
    return json.loads(text)


#: The members every problem document (safe or debug) shares with the report.
SUMMARY = ("identification_code", "occurrence_id", "time", "request_method", "request_url")


def assert_summary_agrees(canonical: dict[str, Any], document: dict[str, Any]) -> None:
    for name in SUMMARY:
        assert document[name] == canonical[name], name
    assert document["timestamp"] == canonical["date"]


def assert_agree(canonical: object, shown: object, where: str = "report") -> int:
    """Every member of *shown* that *canonical* has too holds the same value; how many."""
    if isinstance(canonical, dict) and isinstance(shown, dict):
        count = 0
        for name, value in canonical.items():
            short = SHORT.get(name, name)
            if short in shown:
                count += 1 + assert_agree(value, shown[short], f"{where}.{short}")
        return count
    if isinstance(canonical, list) and isinstance(shown, list):
        assert len(canonical) == len(shown), where
        return sum(
            assert_agree(one, other, f"{where}[{index}]")
            for index, (one, other) in enumerate(zip(canonical, shown, strict=True))
        )
    assert canonical == shown, where
    return 0


def test_the_problem_document_agrees_with_as_json_dict(report: CollectedException) -> None:
    canonical = strict(report.as_json_dict())
    problem = strict(problem_document(report, debug=True, size_budget=None))
    shared = assert_agree(canonical, problem["exception"])
    assert shared >= 20  # the frames, the exception line, the extra data, ...
    assert_summary_agrees(canonical, problem)


def test_the_rendered_body_is_the_problem_document(report: CollectedException) -> None:
    body = json.loads(render_problem(report, debug=True, size_budget=None).body)
    assert body == strict(problem_document(report, debug=True, size_budget=None))


def test_the_safe_problem_document_agrees_and_shows_no_exception(
    report: CollectedException,
) -> None:
    canonical = strict(report.as_json_dict())
    safe = strict(problem_document(report, debug=False))
    assert "exception" not in safe
    assert_summary_agrees(canonical, safe)
    assert set(safe) == {"type", "title", "status", "detail", "instance", "timestamp", *SUMMARY}


@pytest.mark.parametrize("debug", [True, False])
def test_json_lines_are_the_problem_document(report: CollectedException, debug: bool) -> None:
    stream = io.StringIO()
    reporter = JSONLinesReporter(stream=stream, debug=debug, size_budget=None)
    line = reporter.line(report, "what was going on")
    assert line.endswith("\n")
    assert line.count("\n") == 1
    line.encode("utf-8")
    document = json.loads(line)
    assert document.pop("report_message") == "what was going on"
    assert document == strict(problem_document(report, debug=debug, size_budget=None))
    canonical = strict(report.as_json_dict())
    assert_summary_agrees(canonical, document)
    if debug:
        assert assert_agree(canonical, document["exception"]) >= 20


def test_every_exception_of_the_chain_and_group_is_converted_alike() -> None:
    for name in ("chained", "grouped"):
        report = REPORTS[name]()
        canonical = strict(report.as_json_dict())
        problem = strict(problem_document(report, debug=True, size_budget=None))["exception"]
        members = [problem]
        seen = 0
        while members:
            member = members.pop()
            seen += 1
            members.extend(member[link] for link in ("cause", "context") if member[link])
            members.extend(member.get("exceptions", ()))
        assert seen >= 3, name
        assert_agree(canonical, problem)


def test_as_json_dict_shows_a_hand_marked_redacted_local_as_redacted() -> None:
    data = REPORTS["hand-built"]()
    text = json.dumps(data.as_json_dict())
    assert "the-real-value" not in text
    assert data.as_json_dict()["frames"][0]["locals"] == {"api_key": "[REDACTED]"}
    assert data.as_json_dict()["frames"][0]["redacted_locals"] == ["api_key"]


def test_secrets_are_redacted_in_all_three() -> None:
    data = REPORTS["chained"]()
    outputs = {
        "as_json_dict": json.dumps(data.as_json_dict()),
        "problem": json.dumps(problem_document(data, debug=True)),
        "line": JSONLinesReporter(stream=io.StringIO()).line(data),
    }
    for name, text in outputs.items():
        assert "hunter2" not in text, name
        assert "s3cr3t" not in text, name


def test_extra_data_has_one_shape_everywhere() -> None:
    data = REPORTS["chained"]()
    canonical = data.as_json_dict()["extra_data"]
    problem = problem_document(data, debug=True)["exception"]
    assert isinstance(problem, dict)
    assert problem["extra_data"] == canonical
    assert {"importance": "important", "title": "User", "values": ["bob"]} in canonical
    # An unknown importance counts as normal, as in the text and HTML reports.
    hand = REPORTS["hand-built"]().as_json_dict()["extra_data"]
    assert {"importance": "normal", "title": "t", "values": ["v"]} in hand
    assert hand[0]["values"][0] is None  # infinity is not JSON


def test_the_syntax_error_details_agree() -> None:
    data = REPORTS["syntax error"]()
    canonical = data.as_json_dict()["syntax_error"]
    problem = problem_document(data, debug=True)["exception"]
    assert isinstance(problem, dict)
    assert problem["syntax_error"] == canonical
    assert canonical["text"] == "    foo bar baz\n"


def test_a_cycle_is_cut_in_every_json_output() -> None:
    inner = CollectedException(exception_type="Inner", exception_value="i")
    outer = CollectedException(exception_type="Outer", context=inner)
    object.__setattr__(inner, "context", outer)  # a hand-built cycle
    canonical = strict(outer.as_json_dict())
    assert canonical["context"]["context"]["omitted"] == "already shown (cycle)"
    problem = strict(problem_document(outer, debug=True, size_budget=None))["exception"]
    assert problem["context"]["context"]["omitted"] == "already shown (cycle)"
    assert_agree(canonical, problem)
