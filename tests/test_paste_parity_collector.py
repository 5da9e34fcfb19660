"""Paste parity in the collector: the frames a limit keeps, folding, extra data.

Paste 3.10.1's collector runs in the same process as the oracle; Python's own
:mod:`traceback` is the oracle for what folding may hide.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType
from typing import Any

import pytest
from paste.exceptions import collector as paste_collector

from paste_exc import collector
from paste_exc.collector import CollectedException


@pytest.fixture(autouse=True)
def no_tracebacklimit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "tracebacklimit", raising=False)


def recurse(depth: int) -> None:
    if depth:
        recurse(depth - 1)
    raise ValueError("bottom")


def chain(depth: int) -> None:
    """Calls from five lines in turn: a cycle too long to fold, so nothing is folded."""
    if depth == 0:
        raise ValueError("bottom")
    match depth % 5:
        case 0:
            chain(depth - 1)
        case 1:
            chain(depth - 1)
        case 2:
            chain(depth - 1)
        case 3:
            chain(depth - 1)
        case _:
            chain(depth - 1)


def raised(func: Any, *args: Any) -> tuple[Any, Any, TracebackType]:
    try:
        func(*args)
    except ValueError:
        return sys.exc_info()  # type: ignore[return-value]
    raise AssertionError("did not raise")


def places(frames: Any) -> list[tuple[str, int]]:
    return [(frame.name, frame.lineno) for frame in frames]


def unfolded(data: CollectedException) -> list[tuple[str, int]]:
    """Our frames with each folded run written out again: the entries they stand for."""
    result = []
    for frame in data.frames:
        result.extend([(frame.name, frame.lineno)] * (1 + frame.repeated))
    return result


def python_lines(exc_info: tuple[Any, Any, Any], limit: int | None = None) -> list[str]:
    """The frame lines Python prints: ``name:lineno`` and its repeat markers."""
    lines = []
    for line in traceback.format_tb(exc_info[2], limit):
        first = line.splitlines()[0]
        if first.startswith("  File "):
            name = first.rsplit(" in ", 1)[1]
            lineno = first.split(", line ", 1)[1].split(",")[0]
            lines.append(f"{name}:{lineno}")
        elif first.startswith("  [Previous line repeated"):
            lines.append(first.strip())
    return lines


def our_lines(data: CollectedException) -> list[str]:
    lines = []
    for frame in data.frames:
        lines.append(f"{frame.name}:{frame.lineno}")
        if frame.repeated:
            times = "time" if frame.repeated == 1 else "times"
            lines.append(f"[Previous line repeated {frame.repeated} more {times}]")
    return lines


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 4, 5, 12])
@pytest.mark.parametrize("limit", [0, 1, 2, 3, 4, 5, 7, 30, None])
def test_a_limit_keeps_pastes_outermost_frames(depth: int, limit: int | None) -> None:
    for func in (chain, recurse):
        exc_info = raised(func, depth)
        theirs = paste_collector.collect_exception(*exc_info, limit=limit)
        ours = collector.collect_exception(*exc_info, limit=limit)
        assert unfolded(ours) == places(theirs.frames)
        if func is chain:  # nothing to fold: the very same frames
            assert places(ours.frames) == places(theirs.frames)
        assert ours.identification_code == theirs.identification_code


def test_a_limit_counts_the_frames_left_out() -> None:
    exc_info = raised(chain, 6)
    data = collector.collect_exception(*exc_info, limit=3)
    assert len(data.frames) == 3
    assert data.omitted_frames == len(traceback.extract_tb(exc_info[2])) - 3
    assert data.omitted_frames_at == "inner"


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5, 6, 10, 50])
def test_folding_never_hides_what_python_prints(depth: int) -> None:
    exc_info = raised(recurse, depth)
    data = collector.collect_exception(*exc_info)
    assert our_lines(data) == python_lines(exc_info)


@pytest.mark.parametrize("limit", [2, 3, 4, 5, 8])
def test_folding_within_a_limit_is_pythons(limit: int) -> None:
    exc_info = raised(recurse, 20)
    data = collector.collect_exception(*exc_info, limit=limit)
    assert our_lines(data) == python_lines(exc_info, limit)


def test_a_run_of_three_is_not_folded() -> None:
    data = collector.collect_exception(*raised(recurse, 3))
    assert [frame.repeated for frame in data.frames] == [0, 0, 0, 0, 0]


def test_a_run_of_four_shows_three_then_the_count() -> None:
    data = collector.collect_exception(*raised(recurse, 4))
    names = [frame.name for frame in data.frames]
    assert names == ["raised", "recurse", "recurse", "recurse", "recurse"]
    assert [frame.repeated for frame in data.frames] == [0, 0, 0, 1, 0]


def test_a_deep_recursion_stays_small() -> None:
    def deep(depth: int) -> None:
        deep(depth + 1)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(3000)
    try:
        try:
            deep(0)
        except RecursionError:
            exc_info = sys.exc_info()
    finally:
        sys.setrecursionlimit(limit)
    data = collector.collect_exception(*exc_info)
    entries = len(traceback.extract_tb(exc_info[2]))
    assert entries > 1000
    assert len(data.frames) <= 5
    assert sum(1 + frame.repeated for frame in data.frames) == entries
