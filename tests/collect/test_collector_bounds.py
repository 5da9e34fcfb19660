"""Bounds: limits, folded recursion, truncated strings."""

from __future__ import annotations

import pickle
import sys
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import pytest
from conftest import capture

from paste_exc import collector
from paste_exc.collector import collect_exception, hash_identifier
from paste_exc.format.documents import render_debug_page
from paste_exc.formatter import format_text


def chain_of_calls(depth: int) -> None:
    if depth:
        chain_of_calls(depth - 1)
    else:
        raise ValueError("bottom")


def recurse(depth: int) -> int:
    return recurse(depth + 1)


def ping(depth: int) -> int:
    return pong(depth + 1)


def pong(depth: int) -> int:
    return ping(depth + 1)


@pytest.fixture
def deep_stack() -> Iterator[None]:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000 + 200)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


@pytest.fixture
def no_tracebacklimit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "tracebacklimit", raising=False)


def test_positive_limit_keeps_outermost(no_tracebacklimit: None) -> None:
    data = capture(lambda: chain_of_calls(5), limit=2)
    assert len(data.frames) == 2
    assert data.frames[0].name == "<lambda>"
    assert data.omitted_frames == 5
    assert data.omitted_frames_at == "inner"


def test_negative_limit_keeps_innermost(no_tracebacklimit: None) -> None:
    data = capture(lambda: chain_of_calls(5), limit=-2)
    assert [frame.name for frame in data.frames] == ["chain_of_calls", "chain_of_calls"]
    assert data.omitted_frames == 5
    assert data.omitted_frames_at == "outer"


def test_zero_limit_keeps_no_frame(no_tracebacklimit: None) -> None:
    data = capture(lambda: chain_of_calls(1), limit=0)
    assert data.frames == ()
    assert data.omitted_frames == 3


def test_sys_tracebacklimit_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "tracebacklimit", 1, raising=False)
    data = capture(lambda: chain_of_calls(3))
    assert len(data.frames) == 1
    assert data.omitted_frames == 4


def test_limit_argument_beats_sys_tracebacklimit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "tracebacklimit", 1, raising=False)
    data = capture(lambda: chain_of_calls(3), limit=3)
    assert sum(1 + frame.repeated for frame in data.frames) == 3
    assert data.omitted_frames == 2


def test_no_limit_keeps_everything_small(no_tracebacklimit: None) -> None:
    data = capture(lambda: chain_of_calls(10))
    assert data.omitted_frames == 0
    assert data.omitted_frames_at == ""


def test_identical_frames_are_folded(no_tracebacklimit: None) -> None:
    data = capture(lambda: chain_of_calls(30))
    names = [frame.name for frame in data.frames]
    # The first call (from the lambda) is on the "if depth" branch line; the
    # recursive calls are shown three times, as Python shows them, the third
    # counting the others; the raising frame stands alone.
    assert names == ["<lambda>", *["chain_of_calls"] * 4]
    assert [frame.repeated for frame in data.frames] == [0, 0, 0, 27, 0]


def test_ten_thousand_frame_recursion_gives_a_small_report(
    deep_stack: None, no_tracebacklimit: None, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        recurse(0)
    except RecursionError as error:
        started = time.perf_counter()
        data = collect_exception(type(error), error, error.__traceback__)
        elapsed = time.perf_counter() - started
        raw_frames = 0
        tb = error.__traceback__
        while tb is not None:
            raw_frames += 1
            tb = tb.tb_next
    size = len(pickle.dumps(data))
    assert raw_frames > 9_000
    assert len(data.frames) == 4
    assert data.frames[-1].repeated == raw_frames - 4
    assert size < 20_000
    with capsys.disabled():
        print(
            f"\n[collector] RecursionError with {raw_frames} frames: "
            f"{elapsed * 1000:.1f} ms, {len(data.frames)} frames kept, "
            f"pickled {size} bytes"
        )


def count_entries(tb: TracebackType | None) -> int:
    count = 0
    while tb is not None:
        count += 1
        tb = tb.tb_next
    return count


def test_mutual_recursion_is_folded_to_one_cycle(deep_stack: None, no_tracebacklimit: None) -> None:
    try:
        ping(0)
    except RecursionError as error:
        data = collect_exception(type(error), error, error.__traceback__)
        raw_frames = count_entries(error.__traceback__)
    assert raw_frames > 9_000
    names = [frame.name for frame in data.frames]
    # Where the interpreter's limit strikes decides whether the stack ends in
    # ping or in pong: an unpaired last ping stays after the folded cycle.
    tail = names[7:]
    assert names[:7] == ["test_mutual_recursion_is_folded_to_one_cycle", *["ping", "pong"] * 3]
    assert tail in ([], ["ping"])
    # The cycle is shown three times; the last frame of the third counts the
    # further occurrences of the whole cycle (two entries each).
    assert [frame.repeated for frame in data.frames[1:6]] == [0] * 5
    assert 1 + 2 * (3 + data.frames[6].repeated) + len(tail) == raw_frames
    assert data.omitted_frames == 0
    note = f"a cycle of 2 frames (ping → pong) occurred {data.frames[6].repeated + 3:,} times"
    assert any(text.startswith(note) for text in data.collection_notes)
    assert len(pickle.dumps(data)) < 20_000


def staircase(depth: int) -> None:
    """Recurse from five different lines: a cycle too long to fold."""
    if depth == 0:
        raise ValueError("bottom")
    match depth % 5:
        case 0:
            staircase(depth - 1)
        case 1:
            staircase(depth - 1)
        case 2:
            staircase(depth - 1)
        case 3:
            staircase(depth - 1)
        case _:
            staircase(depth - 1)


def test_deep_unfoldable_stack_is_bounded_by_the_default_limit(
    no_tracebacklimit: None,
) -> None:
    try:
        staircase(900)
    except ValueError as error:
        data = collect_exception(type(error), error, error.__traceback__)
        raw_frames = count_entries(error.__traceback__)
        innermost = error.__traceback__
        while innermost.tb_next is not None:
            innermost = innermost.tb_next
    assert len(data.frames) == collector.DEFAULT_LIMIT
    assert data.omitted_frames == raw_frames - collector.DEFAULT_LIMIT
    assert data.omitted_frames_at == "outer"
    assert data.frames[-1].name == "staircase"
    assert data.frames[-1].lineno == innermost.tb_lineno
    assert not data.collection_notes


def ping_until(depth: int) -> None:
    if depth:
        return pong_until(depth - 1)
    raise ValueError("bottom")


def pong_until(depth: int) -> None:
    return ping_until(depth - 1)


def tick(depth: int) -> None:
    if depth:
        return tack(depth - 1)
    raise ValueError("bottom")


def tack(depth: int) -> None:
    return toe(depth - 1)


def toe(depth: int) -> None:
    return tick(depth - 1)


def test_cycle_occurring_three_times_is_kept() -> None:
    data = capture(lambda: ping_until(6))
    names = [frame.name for frame in data.frames]
    assert names == ["<lambda>", *["ping_until", "pong_until"] * 3, "ping_until"]
    assert all(frame.repeated == 0 for frame in data.frames)
    assert not data.collection_notes


def test_cycle_occurring_four_times_is_folded() -> None:
    data = capture(lambda: ping_until(8))
    names = [frame.name for frame in data.frames]
    assert names == ["<lambda>", *["ping_until", "pong_until"] * 3, "ping_until"]
    assert [frame.repeated for frame in data.frames] == [0, 0, 0, 0, 0, 0, 1, 0]
    assert data.frames[-1].lineno == ping_until.__code__.co_firstlineno + 3


def test_cycle_of_three_frames_is_folded() -> None:
    data = capture(lambda: tick(30))
    names = [frame.name for frame in data.frames]
    assert names == ["<lambda>", *["tick", "tack", "toe"] * 3, "tick"]
    assert data.frames[9].repeated == 7
    assert any("a cycle of 3 frames (tick → tack → toe)" in n for n in data.collection_notes)


def test_identification_code_counts_every_entry_of_a_folded_cycle() -> None:
    try:
        ping_until(40)
    except ValueError as error:
        data = collect_exception(type(error), error, error.__traceback__)
        parts: list[str] = []
        tb = error.__traceback__
        while tb is not None:
            parts += [tb.tb_frame.f_globals["__name__"], tb.tb_frame.f_code.co_name]
            tb = tb.tb_next
    expected = hash_identifier(
        " ".join([*parts, str(ValueError)]), length=5, upper=True, prefix="E-"
    )
    assert len(parts) == 2 * 42
    assert data.identification_code == expected


def test_folded_cycle_renders_in_text_and_html() -> None:
    data = capture(lambda: ping_until(8))
    text = format_text(data)
    assert "[Previous line repeated 1 more time]" in text
    assert "a cycle of 2 frames (ping_until → pong_until) occurred 4 times" in text
    html = render_debug_page(data).body
    assert "repeated 1 more time." in html
    assert "a cycle of 2 frames (ping_until → pong_until) occurred 4 times" in html


def test_identification_code_of_recursion_is_stable(
    deep_stack: None, no_tracebacklimit: None
) -> None:
    codes = set()
    for _ in range(2):
        try:
            recurse(0)
        except RecursionError as error:
            codes.add(
                collect_exception(type(error), error, error.__traceback__).identification_code
            )
    assert len(codes) == 1


def test_long_traceback_info_is_truncated() -> None:
    def fail() -> None:
        __traceback_info__ = "z" * 100_000
        raise ValueError

    info = capture(fail).frames[-1].traceback_info
    assert info is not None
    assert len(info) < collector.INFO_LIMIT + 50
    assert info.endswith(f"[{100_000 - collector.INFO_LIMIT} more characters]")


def test_long_local_repr_is_truncated() -> None:
    def fail() -> None:
        big = "q" * 100_000  # noqa: F841
        raise ValueError

    frame = capture(fail, collect_locals=True).frames[-1]
    assert frame.locals is not None
    assert len(frame.locals[0].value) < collector.REPR_LIMIT + 50
    assert "more characters]" in frame.locals[0].value


def test_long_source_lines_are_truncated() -> None:
    source = "def f():\n    x = '" + "w" * 5000 + "'; raise ValueError(x[:3])\n"
    namespace: dict[str, Any] = {"__name__": "long_line"}
    import linecache

    filename = "<long-line-test>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102
        frame = capture(namespace["f"]).frames[-1]
    finally:
        linecache.cache.pop(filename, None)
    assert frame.context_lines
    assert all(len(line) < collector.SOURCE_LINE_LIMIT + 50 for line in frame.context_lines)


def test_many_notes_are_bounded() -> None:
    def fail() -> None:
        error = ValueError()
        for index in range(500):
            error.add_note(f"note {index}")
        raise error

    assert len(capture(fail).notes) == collector.MAX_NOTES
