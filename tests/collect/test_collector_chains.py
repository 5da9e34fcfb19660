"""Tests of chained exceptions, exception groups, notes, SyntaxError and ImportError."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from conftest import capture as shared_capture

from paste_exc import collector
from paste_exc.collector import CollectedException, collect_exception


def capture(func: Callable[[], object], **options: Any) -> CollectedException:
    return shared_capture(func, keep_helper_frame=True, **options)


def low_level() -> None:
    raise KeyError("low")


def test_explicit_cause() -> None:
    def fail() -> None:
        try:
            low_level()
        except KeyError as error:
            raise ValueError("high") from error

    data = capture(fail)
    assert data.cause is not None
    assert data.cause.exception_type == "KeyError"
    assert data.cause.frames[-1].name == "low_level"
    assert data.context is None
    assert data.suppress_context is True


def test_implicit_context() -> None:
    def fail() -> None:
        try:
            low_level()
        except KeyError:
            raise ValueError("while handling")  # noqa: B904

    data = capture(fail)
    assert data.cause is None
    assert data.context is not None
    assert data.context.exception_value == "'low'"
    assert data.context.frames[-1].name == "low_level"
    assert data.suppress_context is False


def test_suppressed_context() -> None:
    def fail() -> None:
        try:
            low_level()
        except KeyError:
            raise ValueError("clean") from None

    data = capture(fail)
    assert data.cause is None
    assert data.context is None
    assert data.suppress_context is True


def test_three_link_chain_in_python_order() -> None:
    def fail() -> None:
        try:
            try:
                low_level()
            except KeyError as error:
                raise TypeError("middle") from error
        except TypeError:
            raise ValueError("top")  # noqa: B904

    data = capture(fail)
    assert data.exception_type == "ValueError"
    assert data.context is not None
    assert data.context.exception_type == "TypeError"
    assert data.context.cause is not None
    assert data.context.cause.exception_type == "KeyError"


def test_cycle_is_marked_not_followed() -> None:
    first = ValueError("first")
    second = KeyError("second")
    first.__context__ = second
    second.__context__ = first

    def fail() -> None:
        raise first

    data = capture(fail)
    assert data.context is not None
    assert data.context.exception_type == "KeyError"
    marker = data.context.context
    assert marker is not None
    assert marker.is_cycle
    assert marker.exception_type == "ValueError"
    assert marker.context is None


def test_self_cause_is_a_cycle() -> None:
    error = ValueError("me")
    error.__cause__ = error

    def fail() -> None:
        raise error

    data = capture(fail)
    assert data.cause is not None
    assert data.cause.is_cycle


def test_long_chain_is_bounded() -> None:
    def fail() -> None:
        error: BaseException = ValueError(0)
        for index in range(1, 500):
            new = ValueError(index)
            new.__cause__ = error
            error = new
        raise error

    data = capture(fail)
    depth = 0
    link: CollectedException | None = data
    last = data
    while link is not None:
        depth += 1
        last = link
        link = link.cause
    assert depth == collector.MAX_CHAIN_DEPTH + 1
    assert last.omitted_exceptions == 1


def group_member(index: int) -> Exception:
    try:
        raise ValueError(f"member {index}")
    except ValueError as error:
        return error


def test_exception_group_members_have_their_own_frames() -> None:
    def fail() -> None:
        raise ExceptionGroup("several", [group_member(1), group_member(2)])

    data = capture(fail)
    assert data.is_group
    assert data.exception_type == "ExceptionGroup"
    assert [member.exception_value for member in data.exceptions] == ["member 1", "member 2"]
    assert all(member.frames[-1].name == "group_member" for member in data.exceptions)
    assert data.exception_formatted.startswith("ExceptionGroup: several (2 sub-exceptions)")


def test_nested_groups() -> None:
    def fail() -> None:
        inner = ExceptionGroup("inner", [group_member(1)])
        raise ExceptionGroup("outer", [inner, group_member(2)])

    data = capture(fail)
    inner = data.exceptions[0]
    assert inner.is_group
    assert inner.exceptions[0].exception_value == "member 1"
    assert data.exceptions[1].is_group is False


def test_base_exception_group() -> None:
    def fail() -> None:
        raise BaseExceptionGroup("base", [KeyboardInterrupt(), ValueError("v")])

    data = capture(fail)
    assert data.is_group
    assert data.exception_type == "BaseExceptionGroup"
    assert [member.exception_type for member in data.exceptions] == [
        "KeyboardInterrupt",
        "ValueError",
    ]


def test_wide_group_is_bounded() -> None:
    def fail() -> None:
        raise ExceptionGroup("wide", [ValueError(i) for i in range(40)])

    data = capture(fail)
    assert len(data.exceptions) == collector.MAX_GROUP_WIDTH
    assert data.omitted_exceptions == 40 - collector.MAX_GROUP_WIDTH


def test_deep_group_nesting_is_bounded() -> None:
    def fail() -> None:
        group: BaseException = ValueError("leaf")
        for _ in range(30):
            group = ExceptionGroup("level", [group])
        raise group

    data = capture(fail)
    depth = 0
    node = data
    while node.exceptions:
        depth += 1
        node = node.exceptions[0]
    assert depth == collector.MAX_GROUP_DEPTH
    assert node.omitted_exceptions == 1


def test_group_member_with_a_cause() -> None:
    def fail() -> None:
        try:
            low_level()
        except KeyError as error:
            member = ValueError("member")
            member.__cause__ = error
        raise ExceptionGroup("g", [member])

    data = capture(fail)
    member = data.exceptions[0]
    assert member.cause is not None
    assert member.cause.exception_type == "KeyError"


def test_notes() -> None:
    def fail() -> None:
        error = ValueError("with notes")
        error.add_note("first note")
        error.add_note("second note")
        raise error

    data = capture(fail)
    assert data.notes == ("first note", "second note")
    assert data.exception_formatted == "ValueError: with notes\nfirst note\nsecond note\n"


def test_non_string_notes() -> None:
    def fail() -> None:
        error = ValueError("x")
        error.__notes__ = [42, b"b"]
        raise error

    assert capture(fail).notes == ("42", "b'b'")


def test_syntax_error_details() -> None:
    def fail() -> None:
        compile("x = (1 +\n", "broken.py", "exec")

    data = capture(fail)
    details = data.syntax_error
    assert details is not None
    assert details.filename == "broken.py"
    assert details.lineno == 1
    assert details.text is not None
    assert details.offset is not None
    assert details.msg
    assert data.exception_formatted.startswith('  File "broken.py", line 1\n')
    assert "^" in data.exception_formatted


def test_syntax_error_formatting_matches_python() -> None:
    import traceback

    try:
        compile("a = 1 +* 2\n", "f.py", "exec")
    except SyntaxError as error:
        expected = "".join(traceback.format_exception_only(type(error), error))
        data = collect_exception(type(error), error, error.__traceback__)
    assert data.exception_formatted == expected


def test_import_error_adds_sys_path() -> None:
    def fail() -> None:
        raise ImportError("no such thing")

    data = capture(fail)
    assert data.extra_data[("important", "sys.path")] == [list(sys.path)]  # as Paste: a list


def test_module_not_found_adds_sys_path() -> None:
    def fail() -> None:
        import paste_exc_does_not_exist  # type: ignore[import-not-found]  # noqa: F401

    data = capture(fail)
    assert data.exception_type == "ModuleNotFoundError"
    assert data.extra_data[("important", "sys.path")] == [list(sys.path)]  # as Paste: a list


def test_other_errors_have_no_sys_path() -> None:
    def fail() -> None:
        raise ValueError

    assert ("important", "sys.path") not in capture(fail).extra_data
