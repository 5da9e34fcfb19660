"""The text report: Paste's layout where Paste had content, new sections after."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable

import pytest

from paste_exc.collector import (
    MAX_CHAIN_DEPTH,
    MAX_GROUP_WIDTH,
    CollectedException,
    ExceptionFrame,
    ExtraRepr,
    LocalVariable,
    SupplementaryData,
    SyntaxErrorDetails,
    collect_exception,
)
from paste_exc.errors import ConfigError
from paste_exc.formatter import AbstractFormatter, TextFormatter, format_text, iter_extra_data
from paste_exc.redact import REDACTED

CAUSE = "The above exception was the direct cause of the following exception:"
CONTEXT = "During handling of the above exception, another exception occurred:"


def frame(
    source: str = "    int('a')",
    *,
    name: str = "main",
    filename: str = "/srv/app/run.py",
    lineno: int = 10,
    colno: int | None = None,
    end_colno: int | None = None,
    **fields: object,
) -> ExceptionFrame:
    """A frame whose line ``lineno`` reads ``source``, with a line either side."""
    return ExceptionFrame(
        modname="run",
        filename=filename,
        lineno=lineno,
        name=name,
        context_lines=("before()", source, "after()"),
        context_start=lineno - 1,
        colno=colno,
        end_colno=end_colno,
        **fields,  # type: ignore[arg-type]
    )


def exc(
    etype: str = "ValueError",
    value: str = "invalid literal for int() with base 10: 'a'",
    *frames: ExceptionFrame,
    **fields: object,
) -> CollectedException:
    return CollectedException(
        frames=frames or (frame(),),
        exception_type=etype,
        exception_value=value,
        **fields,  # type: ignore[arg-type]
    )


# --- Paste's layout --------------------------------------------------------------


def test_one_frame_report_is_exactly_three_lines() -> None:
    report = format_text(exc("ValueError", "bad", frame(colno=4, end_colno=12)))
    assert report.splitlines() == [
        "File '/srv/app/run.py', line 10 in main",
        "  int('a')",
        "ValueError: bad",
    ]


def test_frames_outermost_first_with_stripped_source() -> None:
    outer = frame("  run()  ", name="outer", lineno=3)
    inner = frame("\t\tfail() ", name="inner", filename="/srv/app/lib.py", lineno=40)
    assert format_text(exc("KeyError", "'x'", outer, inner)).splitlines() == [
        "File '/srv/app/run.py', line 3 in outer",
        "  run()",
        "File '/srv/app/lib.py', line 40 in inner",
        "  fail()",
        "KeyError: 'x'",
    ]


def test_unknown_file_line_and_name_are_question_marks() -> None:
    bare = ExceptionFrame()
    assert format_text(exc("E", "v", bare)).splitlines() == ["File '?', line ? in ?", "E: v"]


def test_file_name_uses_python_repr_quoting() -> None:
    report = format_text(exc("E", "v", frame(filename="/srv/it's.py")))
    assert report.splitlines()[0] == 'File "/srv/it\'s.py", line 10 in main'


def test_supplement_and_traceback_info_come_before_the_file_line() -> None:
    sup = SupplementaryData(
        object="'page'",
        source_url="http://example.com/page",
        line=7,
        column=3,
        expression="here/title",
        warnings=("first warning", "second warning"),
        info="template info",
    )
    inner = frame(supplement=sup, traceback_info="info 5", supplement_exception="Boom in sup")
    assert format_text(exc("E", "v", inner)).splitlines() == [
        "In object: 'page'",
        "URL: http://example.com/page",
        "Line 7, Column 3",
        "In expression: here/title",
        "Warning: first warning",
        "Warning: second warning",
        "template info",
        "Exception in supplement:",
        "Boom in sup",
        "info 5",
        "File '/srv/app/run.py', line 10 in main",
        "  int('a')",
        "E: v",
    ]


def test_supplement_line_without_column() -> None:
    report = format_text(exc("E", "v", frame(supplement=SupplementaryData(line=4))))
    assert report.splitlines()[0] == "Line 4"


def test_supplement_data_first_then_important_extra_by_title() -> None:
    sup = SupplementaryData(object="'page'", source_url="http://a/")
    extra: dict[object, list[object]] = {("important", "B"): ["b"], ("important", "A"): ["a"]}
    lines = format_text(exc("E", "v", frame(supplement=sup), extra_data=extra)).splitlines()
    assert lines[:4] == ["In object: 'page'", "URL: http://a/", "A: 'a'", "B: 'b'"]


def test_innermost_supplement_wins_for_object_and_url() -> None:
    outer = frame(supplement=SupplementaryData(object="'outer'", source_url="http://a/"))
    inner = frame(supplement=SupplementaryData(source_url="http://b/"))
    lines = format_text(exc("E", "v", outer, inner)).splitlines()
    assert lines[:2] == ["In object: 'outer'", "URL: http://b/"]
    assert "URL: http://a/" not in lines


def test_extra_data_sections_by_importance() -> None:
    extra: dict[object, list[object]] = {
        ("important", "sys.path"): [["/a", "/b"]],
        ("supplemental", "later"): ["s"],
        ("normal", "CGI Variables"): [{"REQUEST_METHOD": "GET", "PATH_INFO": "/x"}],
        ("extra", "hidden"): ["e"],
        "plain title": ["p"],
    }
    report = format_text(exc("E", "v", frame(), extra_data=extra))
    assert report.split("\n") == [
        "sys.path: ['/a', '/b']",
        "File '/srv/app/run.py', line 10 in main",
        "  int('a')",
        "E: v",
        "",
        "",
        "CGI Variables",
        "-------------",
        "  PATH_INFO: '/x'",
        "  REQUEST_METHOD: 'GET'",
        "plain title: 'p'",
        "later: 's'",
        "hidden: 'e'",
    ]


def test_extra_data_value_shapes() -> None:
    formatter = TextFormatter()
    assert formatter.format_extra_data("normal", "t", "one\ntwo") == "t:\n'''one\ntwo'''"
    assert formatter.format_extra_data("normal", "n", 42) == "n: 42"
    long_items = tuple("x" * 50 for _ in range(3))
    assert formatter.format_extra_data("normal", "l", long_items) == (
        "l: [\n    " + ",\n    ".join(map(repr, long_items)) + "]"
    )
    assert formatter.format_extra_data("normal", "l", ["a"]) == "l: ['a']"
    assert formatter.format_extra_data("normal", "t", ("a",)) == "t: ('a',)"
    table = formatter.format_extra_data("normal", "m", {"k": 5, "j": "s"})
    assert table == "\n\nm\n-\n  j: 's'\n  k: 5"
    assert formatter.format_extra_data("normal", "o", ExtraRepr("<O>")) == "o: <O>"
    assert formatter.format_extra_data("normal", "o", [ExtraRepr("<O>")]) == "o: [<O>]"


def test_long_extra_values_are_truncated() -> None:
    formatter = TextFormatter()
    table = formatter.format_extra_data("normal", "m", {"k": "v" * 5000})
    assert len(table.splitlines()[-1]) == len("  k: ") + 1000
    assert table.splitlines()[-1].endswith("..." + "v" * 16 + "'")


class HostileMapping(dict[str, str]):
    def items(self):  # type: ignore[override]
        raise RuntimeError("no items today")


class HostileStr(str):
    __slots__ = ()

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def test_hostile_extra_values_do_not_break_the_report() -> None:
    extra: dict[object, list[object]] = {
        ("normal", "bad"): [HostileMapping(a="b")],
        ("normal", "odd"): [HostileStr("plain")],
    }
    lines = format_text(exc(extra_data=extra)).splitlines()
    assert lines[-2].startswith("bad: <could not be shown: RuntimeError('no items today')")
    assert lines[-1] == "odd: 'plain'"


def test_hostile_extra_data_mapping_does_not_break_the_report() -> None:
    report = format_text(exc(extra_data=HostileMapping()))
    assert report.splitlines()[-1].startswith('extra_data: "<could not be read: RuntimeError')
    assert "ValueError: " in report


def test_every_value_of_one_key_is_shown() -> None:
    extra: dict[object, list[object]] = {("normal", "warning"): ["one", "two"]}
    report = format_text(exc(extra_data=extra))
    assert report.splitlines()[-2:] == ["warning: 'one'", "warning: 'two'"]


def test_show_extra_data_false_keeps_supplement_url() -> None:
    extra: dict[object, list[object]] = {("important", "secret stuff"): ["x"]}
    sup = SupplementaryData(source_url="http://a/")
    report = format_text(
        exc("E", "v", frame(supplement=sup), extra_data=extra), show_extra_data=False
    )
    assert "secret stuff" not in report
    assert report.splitlines()[0] == "URL: http://a/"


def test_iter_extra_data_groups_and_sorts() -> None:
    extra: dict[object, list[object]] = {
        ("normal", "b"): [1],
        "a": [2],
        ("bogus-level", "c"): [3],
        ("extra", "z"): [4, 5],
    }
    grouped = iter_extra_data(exc(extra_data=extra))
    assert list(grouped) == ["important", "normal", "supplemental", "extra"]
    assert grouped["normal"] == [("a", 2), ("b", 1), ("c", 3)]
    assert grouped["extra"] == [("z", 4), ("z", 5)]
    assert grouped["important"] == grouped["supplemental"] == []


def test_trim_source_paths_rewrites_the_first_matching_prefix() -> None:
    frames = (frame(filename="/srv/app/run.py"), frame(filename="/usr/lib/x.py"))
    report = format_text(
        exc("E", "v", *frames), trim_source_paths=[("/srv/app", "."), ("/srv", "S")]
    )
    assert "File './run.py'" in report
    assert "File '/usr/lib/x.py'" in report
    assert "/srv/app" not in report


def test_trim_source_paths_accepts_a_mapping() -> None:
    report = format_text(exc(), trim_source_paths={"/srv/app/": "APP/"})
    assert report.startswith("File 'APP/run.py'")


@pytest.mark.parametrize("bad", ["/srv", [("/srv",)], [("/srv", 1)], 5])
def test_invalid_trim_source_paths(bad: object) -> None:
    with pytest.raises(ConfigError, match="trim_source_paths"):
        TextFormatter(trim_source_paths=bad)  # type: ignore[arg-type]


def test_boolean_option_given_as_string_is_refused() -> None:
    with pytest.raises(ConfigError, match="show_hidden_frames"):
        TextFormatter(show_hidden_frames="false")


def test_unknown_option_is_refused() -> None:
    with pytest.raises(TypeError, match="no_such_option"):
        format_text(exc(), no_such_option=True)


def test_not_collected_data_is_refused() -> None:
    with pytest.raises(TypeError, match="CollectedException"):
        format_text(None)  # type: ignore[arg-type]


def test_exception_type_given_as_class_uses_its_name() -> None:
    data = exc()
    legacy = CollectedException(frames=data.frames, exception_type=KeyError, exception_value="k")  # type: ignore[arg-type]
    assert format_text(legacy).splitlines()[-1] == "KeyError: k"


def test_paste_hooks_can_be_overridden() -> None:
    class Loud(TextFormatter):
        def format_exception_info(self, etype: str, evalue: str) -> str:
            return f"!! {etype} !! {evalue}"

    assert Loud().format_collected_data(exc("E", "v")).splitlines()[-1] == "!! E !! v"


def test_abstract_formatter_cannot_be_instantiated() -> None:
    with pytest.raises(TypeError):
        AbstractFormatter()  # type: ignore[abstract]


def test_hidden_frames_are_left_out_unless_asked() -> None:
    frames = (frame(name="framework", traceback_hide=True), frame(name="mine"))
    assert "in framework" not in format_text(exc("E", "v", *frames))
    assert "in framework" in format_text(exc("E", "v", *frames), show_hidden_frames=True)


# --- the column caret --------------------------------------------------------------


def test_caret_under_part_of_the_line() -> None:
    lines = format_text(exc("E", "v", frame("    x = int('a') + 1", colno=8, end_colno=16)))
    assert lines.splitlines()[1:3] == ["  x = int('a') + 1", "      ^^^^^^^^"]


def test_no_caret_when_it_would_underline_the_whole_line() -> None:
    report = format_text(exc("E", "v", frame("    int('a')   ", colno=4, end_colno=12)))
    assert "^" not in report


def test_caret_of_a_multi_line_expression_runs_to_the_end_of_the_line() -> None:
    source = "    result = call(a,"
    report = format_text(exc("E", "v", frame(source, colno=13, end_colno=5, end_lineno=11)))
    assert report.splitlines()[1:3] == ["  result = call(a,", "           ^^^^^^^"]


def test_no_caret_without_columns() -> None:
    assert "^" not in format_text(exc("E", "v", frame("    x = int('a') + 1")))


# --- new sections ------------------------------------------------------------------


def test_repeated_frames_are_folded() -> None:
    report = format_text(exc("RecursionError", "deep", frame("  f()", name="f", repeated=996)))
    assert report.splitlines()[2] == "[Previous line repeated 996 more times]"


def test_one_repetition_is_singular() -> None:
    report = format_text(exc("E", "v", frame(repeated=1)))
    assert "[Previous line repeated 1 more time]" in report


def test_locals_are_listed_under_their_frame() -> None:
    local_vars = (
        LocalVariable("count", "3"),
        LocalVariable("password", REDACTED, redacted=True),
        LocalVariable("text", "'a\nb'"),
    )
    report = format_text(exc("E", "v", frame(locals=local_vars)))
    assert report.splitlines() == [
        "File '/srv/app/run.py', line 10 in main",
        "  int('a')",
        "    count = 3",
        f"    password = {REDACTED}",
        "    text = 'a",
        "    b'",
        "E: v",
    ]


def test_redacted_local_never_shows_its_value() -> None:
    report = format_text(exc("E", "v", frame(locals=(LocalVariable("tok", "hunter2", True),))))
    assert "hunter2" not in report
    assert f"tok = {REDACTED}" in report


def test_notes_follow_the_exception_line() -> None:
    report = format_text(exc("E", "v", frame(), notes=("first note", "second\nnote")))
    assert report.split("\n")[-4:] == ["E: v", "first note", "second", "note"]


def test_direct_cause_in_pythons_order() -> None:
    root = exc("KeyError", "'k'", frame(name="lookup"))
    top = exc("RuntimeError", "wrapped", frame(name="handler"), cause=root)
    assert format_text(top).split("\n") == [
        "File '/srv/app/run.py', line 10 in lookup",
        "  int('a')",
        "KeyError: 'k'",
        "",
        CAUSE,
        "",
        "File '/srv/app/run.py', line 10 in handler",
        "  int('a')",
        "RuntimeError: wrapped",
    ]


def test_context_chain_of_three() -> None:
    first = exc("A", "1", frame(name="one"))
    second = exc("B", "2", frame(name="two"), context=first)
    third = exc("C", "3", frame(name="three"), cause=second)
    lines = format_text(third).split("\n")
    assert [line for line in lines if line.endswith(("1", "2", "3"))] == ["A: 1", "B: 2", "C: 3"]
    assert lines.index(CONTEXT) < lines.index("B: 2") < lines.index(CAUSE)


def test_suppressed_context_is_not_shown() -> None:
    hidden = exc("KeyError", "gone", frame())
    top = exc("E", "v", frame(), context=hidden, suppress_context=True)
    assert "gone" not in format_text(top)


def test_cause_wins_over_context() -> None:
    top = exc("E", "v", frame(), cause=exc("C", "cause"), context=exc("X", "context"))
    report = format_text(top)
    assert "C: cause" in report
    assert "X: context" not in report


def test_cycle_link_ends_the_chain() -> None:
    looped = exc("A", "again", frame(), is_cycle=True)
    top = exc("E", "v", frame(), context=exc("B", "b", frame(), context=looped))
    report = format_text(top)
    assert "A: again" not in report
    assert report.count(CONTEXT) == 1


def test_omitted_chain_links_are_counted_above_the_oldest_link() -> None:
    top = exc("E", "v", frame(), cause=exc("C", "c", omitted_exceptions=7))
    lines = format_text(top).splitlines()
    assert lines[0] == "[7 earlier chained exceptions not collected]"
    assert format_text(exc(omitted_exceptions=2)).splitlines()[0] == (
        "[2 earlier chained exceptions not collected]"
    )


def test_group_members_are_boxed_and_nested() -> None:
    inner = exc(
        "ExceptionGroup",
        "inner (1 sub-exception)",
        frame(name="g2"),
        is_group=True,
        exceptions=(exc("TypeError", "t", frame(name="leaf")),),
    )
    group = exc(
        "ExceptionGroup",
        "outer (2 sub-exceptions)",
        frame(name="g1"),
        is_group=True,
        exceptions=(exc("ValueError", "one", frame(name="m1")), inner),
        omitted_exceptions=3,
    )
    assert format_text(group).split("\n") == [
        "File '/srv/app/run.py', line 10 in g1",
        "  int('a')",
        "ExceptionGroup: outer (2 sub-exceptions)",
        "  +---------------- 1 ----------------",
        "  | File '/srv/app/run.py', line 10 in m1",
        "  |   int('a')",
        "  | ValueError: one",
        "  +---------------- 2 ----------------",
        "  | File '/srv/app/run.py', line 10 in g2",
        "  |   int('a')",
        "  | ExceptionGroup: inner (1 sub-exception)",
        "  |   +---------------- 1 ----------------",
        "  |   | File '/srv/app/run.py', line 10 in leaf",
        "  |   |   int('a')",
        "  |   | TypeError: t",
        "  |   +------------------------------------",
        "  +---------------- ... ----------------",
        "  | and 3 more exceptions",
        "  +------------------------------------",
    ]


def test_group_member_with_its_own_chain() -> None:
    member = exc("ValueError", "member", frame(), cause=exc("OSError", "disk"))
    group = exc(
        "ExceptionGroup", "g (1 sub-exception)", frame(), is_group=True, exceptions=(member,)
    )
    lines = format_text(group).split("\n")
    assert f"  | {CAUSE}" in lines
    assert lines.index("  | OSError: disk") < lines.index("  | ValueError: member")


def test_omitted_outer_frames_are_counted_before_the_frames() -> None:
    report = format_text(exc("E", "v", frame(), omitted_frames=12, omitted_frames_at="outer"))
    assert report.splitlines()[0] == "[12 outer frames not collected]"


def test_omitted_inner_frames_are_counted_after_the_frames() -> None:
    report = format_text(exc("E", "v", frame(), omitted_frames=3, omitted_frames_at="inner"))
    assert report.splitlines()[-2:] == ["[3 inner frames not collected]", "E: v"]


def test_syntax_error_details() -> None:
    details = SyntaxErrorDetails(
        filename="/srv/app/bad.py",
        lineno=2,
        offset=9,
        end_lineno=2,
        end_offset=12,
        text="    x = (1 +\n",
        msg="invalid syntax",
    )
    report = format_text(
        exc("SyntaxError", "invalid syntax (bad.py, line 2)", frame(), syntax_error=details),
        trim_source_paths=[("/srv/app", ".")],
    )
    assert report.splitlines()[-4:] == [  # traceback.format_exception_only's lines
        '  File "./bad.py", line 2',
        "    x = (1 +",
        "        ^^^",
        "SyntaxError: invalid syntax (bad.py, line 2)",
    ]


def test_syntax_error_single_caret_without_end() -> None:
    details = SyntaxErrorDetails(filename="<string>", lineno=1, offset=4, text="foo(")
    report = format_text(exc("SyntaxError", "'(' was never closed", syntax_error=details))
    assert report.splitlines()[-3:-1] == ["    foo(", "       ^"]


def test_collection_notes_and_reporter_errors_come_last() -> None:
    data = exc(
        collection_notes=("str() of ValueError raised RuntimeError",),
        reporter_errors=("EmailReporter: connection refused\nsecond line",),
        extra_data={("normal", "x"): ["y"]},
    )
    assert format_text(data).split("\n")[-10:] == [
        "x: 'y'",
        "",
        "Collection notes",
        "----------------",
        "  str() of ValueError raised RuntimeError",
        "",
        "Reporter errors",
        "---------------",
        "  EmailReporter: connection refused",
        "  second line",
    ]


# --- end to end: real exceptions, collected, then formatted ---------------------------


def collect_from(
    func: Callable[..., object], *args: object, **options: object
) -> CollectedException:
    """Call ``func`` and collect what it raises."""
    try:
        func(*args)
    except Exception:
        return collect_exception(*sys.exc_info(), **options)  # type: ignore[arg-type]
    raise AssertionError(f"{func.__name__} did not raise")


class Supplement:
    """A ``__traceback_supplement__`` factory in the style Paste's tests use."""

    object = "test_object"
    source_url = "http://whatever.com"

    def __init__(self, *args: object) -> None:
        self.args = args

    def getInfo(self) -> str:
        return "This is some supplemental information"


def call_error() -> None:
    __traceback_supplement__ = (Supplement, "arg")
    raise AssertionError("I am an error")


def raise_error() -> None:
    for i in range(10):
        __traceback_info__ = i
        if i == 5:
            call_error()


def hide(value: object, inner: Callable[..., object], *args: object) -> object:
    __traceback_hide__ = value
    return inner(*args)


def pass_through(info: str, inner: Callable[..., object], *args: object) -> object:
    __traceback_info__ = info
    return inner(*args)


def test_paste_content() -> None:
    report = format_text(collect_from(raise_error))
    for expected in (
        "In object: ",
        "test_object",
        "URL: http://whatever.com",
        "This is some supplemental information",
        "in raise_error",
        "in call_error",
        "in collect_from",
        "AssertionError: I am an error",
    ):
        assert expected in report
    assert "\n5\nFile " in report  # the __traceback_info__ of raise_error


def test_paste_trim() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    report = format_text(collect_from(raise_error), trim_source_paths=[(here, ".")])
    assert here not in report
    assert "File './test_formatter_text.py'" in report


def test_paste_hide() -> None:
    report = format_text(collect_from(hide, True, raise_error))
    assert "in hide" not in report
    assert "inner(*args)" not in report
    assert "in raise_error" in report


def test_paste_hide_on_the_erroring_path_is_ignored() -> None:
    reports = [
        format_text(collect_from(pass_through, "a", hide, value, pass_through, "b", raise_error))
        for value in (False, "after")
    ]
    # "after" would hide the erroring frame, so every frame is shown: the same report.
    assert reports[0].splitlines() == reports[1].splitlines()
    assert "\nb\n" in reports[0]


def test_paste_hide_after() -> None:
    report = format_text(
        collect_from(
            pass_through, "AABB", hide, "after", pass_through, "CCDD", hide, "reset", raise_error
        )
    )
    assert "AABB" in report
    assert "CCDD" not in report
    assert "in raise_error" in report


def test_paste_hide_before() -> None:
    report = format_text(collect_from(pass_through, "AABB", hide, "before", raise_error))
    assert "AABB" not in report
    assert "in raise_error" in report


def test_real_one_frame_error_is_three_lines() -> None:
    try:
        int("a")
    except ValueError:
        data = collect_exception(*sys.exc_info())
    lines = format_text(data).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("File ")
    assert lines[0].endswith(" in test_real_one_frame_error_is_three_lines")
    assert lines[1:] == ['  int("a")', "ValueError: invalid literal for int() with base 10: 'a'"]


def test_real_caret_under_the_failing_call() -> None:
    def compute() -> int:
        return int("a") + 1

    lines = format_text(collect_from(compute)).splitlines()
    index = lines.index('  return int("a") + 1')
    assert lines[index + 1] == "         ^^^^^^^^"


def test_real_chain_direct_cause() -> None:
    def fail() -> None:
        try:
            {}["key"]
        except KeyError as error:
            raise RuntimeError("lookup failed") from error

    lines = format_text(collect_from(fail)).split("\n")
    assert (
        lines.index("KeyError: 'key'")
        < lines.index(CAUSE)
        < lines.index("RuntimeError: lookup failed")
    )
    assert CONTEXT not in lines


def test_real_chain_context() -> None:
    def fail() -> None:
        try:
            {}["key"]
        except KeyError:
            raise RuntimeError("while handling")  # noqa: B904 - the implicit context is the point

    lines = format_text(collect_from(fail)).split("\n")
    assert lines.index("KeyError: 'key'") < lines.index(CONTEXT)
    assert lines[-1] == "RuntimeError: while handling"


def test_real_suppressed_context() -> None:
    def fail() -> None:
        try:
            {}["key"]
        except KeyError:
            raise RuntimeError("clean") from None

    report = format_text(collect_from(fail))
    assert "KeyError" not in report
    assert CONTEXT not in report


def test_real_nested_groups_and_notes() -> None:
    def fail() -> None:
        inner = ExceptionGroup("inner", [TypeError("deep")])
        error = ValueError("shallow")
        error.add_note("a note on the member")
        raise ExceptionGroup("outer", [error, inner])

    lines = format_text(collect_from(fail)).split("\n")
    assert "ExceptionGroup: outer (2 sub-exceptions)" in lines
    assert "  | ValueError: shallow" in lines
    assert "  | a note on the member" in lines
    assert "  | ExceptionGroup: inner (1 sub-exception)" in lines
    assert "  |   | TypeError: deep" in lines
    assert lines[-1] == "  +------------------------------------"


def test_real_recursion_is_folded_and_small() -> None:
    def recurse(depth: int) -> int:
        return recurse(depth + 1)

    report = format_text(collect_from(recurse, 0))
    assert "[Previous line repeated " in report
    assert len(report.splitlines()) < 20
    assert report.splitlines()[-1].startswith("RecursionError: maximum recursion depth")


def test_real_locals_with_redaction() -> None:
    def fail() -> None:
        count = 3
        password = "hunter2"
        raise ValueError(count, password)

    report = format_text(collect_from(fail, collect_locals=True))
    assert "    count = 3" in report
    assert f"    password = {REDACTED}" in report
    assert "hunter2" not in report.split("ValueError")[0]


def test_real_locals_absent_unless_collected() -> None:
    def fail() -> None:
        count = 3
        raise ValueError(count)

    assert "count = 3" not in format_text(collect_from(fail))


def test_real_syntax_error() -> None:
    report = format_text(collect_from(compile, "x = (1 +\n", "<bad>", "exec"))
    lines = report.splitlines()
    assert lines[-4:-1] == ['  File "<bad>", line 1', "    x = (1 +", "        ^"]
    assert lines[-1].startswith("SyntaxError: ")


def test_real_code_without_source() -> None:
    def fail() -> None:
        exec("raise KeyError('from exec')")  # noqa: S102

    lines = format_text(collect_from(fail)).splitlines()
    assert lines[-2] == "File '<string>', line 1 in <module>"
    assert lines[-1] == "KeyError: 'from exec'"


def test_real_supplement_extra_data_sections() -> None:
    class WithExtra(Supplement):
        def extraData(self) -> dict[object, object]:
            return {("important", "Top"): "first", "Environ": {"PATH_INFO": "/x"}}

    def fail() -> None:
        __traceback_supplement__ = (WithExtra,)
        raise ValueError("v")

    lines = format_text(collect_from(fail)).split("\n")
    assert lines[0].startswith("In object: ")
    assert lines[1:3] == ["URL: http://whatever.com", "Top: 'first'"]
    assert lines[-4:] == ["", "Environ", "-------", "  PATH_INFO: '/x'"]
    assert "Top" not in format_text(collect_from(fail), show_extra_data=False)


def test_real_group_members_beyond_the_bound_are_counted() -> None:
    def fail() -> None:
        raise ExceptionGroup("many", [ValueError(index) for index in range(MAX_GROUP_WIDTH + 4)])

    lines = format_text(collect_from(fail)).split("\n")
    assert f"  +---------------- {MAX_GROUP_WIDTH} ----------------" in lines
    assert "  | and 4 more exceptions" in lines


def test_real_limit_counts_the_frames_left_out() -> None:
    def level3() -> None:
        raise ValueError("deep")

    def level2() -> None:
        level3()

    def level1() -> None:
        level2()

    report = format_text(collect_from(level1, limit=2))
    assert "[2 inner frames not collected]" in report
    assert "in level3" not in report


def test_real_long_chain_is_bounded() -> None:
    def fail() -> None:
        error: Exception = ValueError("first")
        for index in range(MAX_CHAIN_DEPTH + 10):
            try:
                raise error
            except Exception as caught:
                error = RuntimeError(f"link {index}")
                error.__cause__ = caught
        raise error

    report = format_text(collect_from(fail))
    assert report.count(CAUSE) <= MAX_CHAIN_DEPTH
    assert "earlier chained exceptions not collected]" in report
    assert report.splitlines()[-1] == f"RuntimeError: link {MAX_CHAIN_DEPTH + 9}"


def test_include_reusable_does_not_change_the_text_report() -> None:
    # Paste: include_reusable only concerns the HTML formatter's CSS and script.
    data = exc("E", "v", frame(), extra_data={("normal", "title"): ["x"]})
    assert format_text(data, include_reusable=False) == format_text(data)
    assert TextFormatter(include_reusable=False).include_reusable is False


# --- Python 3.11's caret anchors ----------------------------------------------------


def test_caret_anchors_of_a_binary_operation() -> None:
    report = format_text(exc("E", "v", frame("    return a / b", colno=11, end_colno=16)))
    assert report.splitlines()[1:3] == ["  return a / b", "         ~~^~~"]


def test_caret_anchors_of_a_two_character_operator() -> None:
    report = format_text(exc("E", "v", frame("    y = a ** b", colno=8, end_colno=14)))
    assert report.splitlines()[1:3] == ["  y = a ** b", "      ~~^^~~"]


def test_caret_anchors_of_a_subscript() -> None:
    report = format_text(exc("E", "v", frame('    v = data["key"]', colno=8, end_colno=19)))
    assert report.splitlines()[1:3] == ['  v = data["key"]', "      ~~~~^^^^^^^"]


def test_no_anchored_caret_for_the_whole_line() -> None:
    # a line that is all one expression gets no caret line, anchors or not
    # (Paste's reporter tests count the lines of such a report)
    assert "^" not in format_text(exc("E", "v", frame("    a[0]", colno=4, end_colno=8)))
    assert "~" not in format_text(exc("E", "v", frame("    1 / 0", colno=4, end_colno=9)))


def test_caret_lines_match_pythons_traceback() -> None:
    import traceback

    def binop() -> float:
        zero = 0
        return 1 + 1 / zero

    def subscript() -> int:
        table: dict[str, int] = {}
        return table["missing"] + 1

    def call() -> int:
        return int("a") + 1

    for func in (binop, subscript, call):
        try:
            func()
        except Exception as error:
            python = traceback.format_exception(error)
            ours = format_text(collect_exception(type(error), error, error.__traceback__))
        expected = [
            line[2:] for line in "".join(python).splitlines() if set(line.strip()) <= set("~^")
        ]
        got = [
            line for line in ours.splitlines() if line.strip() and set(line.strip()) <= set("~^")
        ]
        if sys.version_info[:2] == (3, 11):
            assert got == expected, func.__name__
        assert any("^" in line for line in got), func.__name__


def test_one_report_is_formatted_once_per_set_of_options(monkeypatch: pytest.MonkeyPatch) -> None:
    import paste_exc.formatter as formatter_module

    calls: list[object] = []
    original = formatter_module.TextFormatter.format_collected_data

    def counting(self: formatter_module.TextFormatter, exc_data: CollectedException) -> str:
        calls.append(exc_data)
        return original(self, exc_data)

    monkeypatch.setattr(formatter_module.TextFormatter, "format_collected_data", counting)
    try:
        raise ValueError("once")
    except ValueError:
        data = collect_exception(*sys.exc_info())
    first = format_text(data, show_hidden_frames=True)
    again = format_text(data, show_hidden_frames=True)
    other = format_text(data)
    assert first == again
    assert "ValueError: once" in other
    assert len(calls) == 2
    twin = dataclasses.replace(data)
    assert format_text(twin, show_hidden_frames=True) == first
    assert len(calls) == 3
