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
from paste.exceptions import collector as paste_collector, formatter as paste_formatter

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


# -- extra data: kept as Paste keeps plain values -------------------------------------


class Thing:
    """Not plain data: kept as its repr."""

    def __repr__(self) -> str:
        return "<Thing 42>"


PLAIN_EXTRA: dict[Any, Any] = {
    "plain title": "a string",
    ("important", "count"): 5,
    ("normal", "ratio"): 2.5,
    ("normal", "flag"): True,
    ("supplemental", "nothing"): None,
    ("extra", "numbers"): [1, 2, 3],
    ("extra", "pair"): ("a", 1),
    ("extra", "nested"): {"k": "v", "n": 1, "inner": [1, (2, 3)], "none": None},
    ("normal", "multi"): "line one\nline two",
    ("normal", "long items"): ["x" * 50, "y" * 50, "z" * 50],
}


class PlainSupplement:
    object = "the object"
    source_url = "http://example.org/page"

    def extraData(self) -> dict[Any, Any]:
        return PLAIN_EXTRA


class ObjectSupplement:
    object = Thing()

    def extraData(self) -> dict[Any, Any]:
        return {("normal", "thing"): Thing(), ("normal", "mixed"): [1, Thing(), {"t": Thing()}]}


def supplemented(factory: Any) -> tuple[Any, Any, TracebackType]:
    def fails() -> None:
        __traceback_supplement__ = (factory,)
        raise ValueError("with a supplement")

    return raised(fails)


def test_plain_extra_data_is_kept_as_paste_keeps_it() -> None:
    exc_info = supplemented(PlainSupplement)
    ours = collector.collect_exception(*exc_info)
    theirs = paste_collector.collect_exception(*exc_info)
    assert ours.extra_data == theirs.extra_data
    assert ours.extra_data["plain title"] == ["a string"]
    assert ours.extra_data[("extra", "pair")] == [("a", 1)]
    assert type(ours.extra_data[("extra", "numbers")][0]) is list


def test_plain_extra_data_is_a_copy() -> None:
    mutable: dict[Any, Any] = {("extra", "list"): [1, 2], ("extra", "dict"): {"a": 1}}

    class Supp:
        def extraData(self) -> dict[Any, Any]:
            return mutable

    data = collector.collect_exception(*supplemented(Supp))
    mutable[("extra", "list")].append(3)
    mutable[("extra", "dict")]["b"] = 2
    assert data.extra_data[("extra", "list")] == [[1, 2]]
    assert data.extra_data[("extra", "dict")] == [{"a": 1}]


def test_other_values_become_their_bounded_repr() -> None:
    data = collector.collect_exception(*supplemented(ObjectSupplement))
    (thing,) = data.extra_data[("normal", "thing")]
    assert thing == "<Thing 42>"
    assert isinstance(thing, collector.ExtraRepr)
    (mixed,) = data.extra_data[("normal", "mixed")]
    assert mixed == [1, "<Thing 42>", {"t": "<Thing 42>"}]


def test_a_huge_or_deep_value_is_bounded() -> None:
    deep: list[Any] = []
    cursor = deep
    for _ in range(50):
        cursor.append([])
        cursor = cursor[0]

    class Supp:
        def extraData(self) -> dict[Any, Any]:
            return {"huge": list(range(100_000)), "deep": deep, "long": "x" * 10**6}

    data = collector.collect_exception(*supplemented(Supp))
    (huge,) = data.extra_data["huge"]
    assert isinstance(huge, collector.ExtraRepr)
    assert len(huge) < 2000
    assert "[[[[" in repr(data.extra_data["deep"])
    assert len(data.extra_data["long"][0]) < 20_000


def test_secrets_in_plain_extra_data_are_redacted() -> None:
    class Supp:
        def extraData(self) -> dict[Any, Any]:
            return {
                ("extra", "env"): {"password": "hunter2", "HTTP_COOKIE": "s=1", "ok": "fine"},
                ("extra", "api_key"): "abc123",
                ("extra", "url"): ["http://x/?token=sekrit"],
            }

    data = collector.collect_exception(*supplemented(Supp))
    text = repr(data.extra_data)
    for secret in ("hunter2", "s=1", "abc123", "sekrit"):
        assert secret not in text
    assert data.extra_data[("extra", "env")][0]["ok"] == "fine"


def report_lines(text: str) -> list[str]:
    return text.split("\n")


class TupleKeysSupplement:
    """Paste's formatter sorts names within an importance: only tuple keys (or only plain
    ones) there, and no important extra data beside the object and URL (see below)."""

    object = "the object"
    source_url = "http://example.org/page"

    def extraData(self) -> dict[Any, Any]:
        return {
            key: value
            for key, value in PLAIN_EXTRA.items()
            if isinstance(key, tuple) and key[0] != "important"
        }


class PlainKeysSupplement:
    def extraData(self) -> dict[Any, Any]:
        return {"first": "a", "second": [1, 2], "third": {"k": None}, "fourth": Thing()}


@pytest.mark.parametrize("factory", [TupleKeysSupplement, PlainKeysSupplement, ObjectSupplement])
def test_the_text_report_shows_extra_data_as_pastes(factory: Any) -> None:
    exc_info = supplemented(factory)
    ours = formatter_text(collector.collect_exception(*exc_info))
    theirs = paste_formatter.format_text(paste_collector.collect_exception(*exc_info))
    assert ours == theirs


def formatter_text(data: CollectedException) -> str:
    from paste_exc.formatter import format_text

    return format_text(data)


def test_in_object_and_url_lines_are_pastes() -> None:
    exc_info = supplemented(PlainSupplement)
    ours = report_lines(formatter_text(collector.collect_exception(*exc_info)))
    assert ours[0] == "In object: 'the object'"
    assert ours[1] == "URL: http://example.org/page"


def test_important_data_is_ordered_as_paste_orders_it() -> None:
    class Supp:
        object = Thing()
        source_url = "http://example.org/"

        def extraData(self) -> dict[Any, Any]:
            return {("important", "alpha"): 1, ("important", "zeta"): 2}

    lines = report_lines(formatter_text(collector.collect_exception(*supplemented(Supp))))
    # Paste sorts the important entries by name: the supplement's string names
    # first (Python 2 put a str before a tuple; Paste on Python 3 raises
    # TypeError here), then the (importance, title) keys.
    assert lines[:4] == ["In object: <Thing 42>", "URL: http://example.org/", "alpha: 1", "zeta: 2"]
    with pytest.raises(TypeError):
        paste_formatter.format_text(paste_collector.collect_exception(*supplemented(Supp)))


def test_important_data_alone_is_ordered_as_pastes() -> None:
    class Supp:
        def extraData(self) -> dict[Any, Any]:
            return {("important", "zeta"): 2, ("important", "alpha"): 1, ("important", "m"): 3}

    exc_info = supplemented(Supp)
    ours = report_lines(formatter_text(collector.collect_exception(*exc_info)))
    theirs = report_lines(paste_formatter.format_text(paste_collector.collect_exception(*exc_info)))
    assert ours[:3] == theirs[:3] == ["alpha: 1", "m: 3", "zeta: 2"]


def test_the_html_report_shows_reprs_as_pastes() -> None:
    import html as html_module

    from paste_exc.formatter import format_html

    data = collector.collect_exception(*supplemented(ObjectSupplement))
    page = html_module.unescape(format_html(data))
    assert "&lt;Thing 42&gt;" not in page
    assert "'<Thing 42>'" not in page
    assert "[1, <Thing 42>, {'t': <Thing 42>}]" in page


def test_extra_data_in_json_keeps_plain_values() -> None:
    import json

    data = collector.collect_exception(*supplemented(PlainSupplement))
    entries = json.loads(json.dumps(data.as_json_dict()))["extra_data"]
    by_title = {entry["title"]: entry for entry in entries}
    assert by_title["plain title"] == {
        "importance": "normal",
        "title": "plain title",
        "values": ["a string"],
    }
    assert by_title["count"]["values"] == [5]
    assert by_title["nested"]["values"] == [{"k": "v", "n": 1, "inner": [1, [2, 3]], "none": None}]


def test_extra_data_survives_pickling() -> None:
    import pickle

    data = collector.collect_exception(*supplemented(ObjectSupplement))
    copy = pickle.loads(pickle.dumps(data))  # noqa: S301 (our own bytes)
    (thing,) = copy.extra_data[("normal", "thing")]
    assert isinstance(thing, collector.ExtraRepr)
    assert copy.extra_data == data.extra_data


def test_import_error_sys_path_is_pastes() -> None:
    def fails() -> None:
        raise ImportError("no module")

    try:
        fails()
    except ImportError:
        exc_info = sys.exc_info()
    ours = collector.collect_exception(*exc_info).extra_data[("important", "sys.path")]
    theirs = paste_collector.collect_exception(*exc_info).extra_data[("important", "sys.path")]
    assert ours == theirs
    assert ours[0] is not sys.path  # a copy


class HostileKey(tuple):  # type: ignore[type-arg]
    def __getitem__(self, index: Any) -> Any:
        raise RuntimeError("no item")


class HostileList(list):  # type: ignore[type-arg]
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class HostileStr(str):
    """Hashable while the dict holding it is built; hostile once it is read."""

    armed = False

    def __hash__(self) -> int:
        if HostileStr.armed:
            raise RuntimeError("no hash")
        return str.__hash__(self)

    def lower(self) -> str:  # type: ignore[override]
        raise RuntimeError("no lower")


def test_hostile_extra_data_costs_only_its_piece() -> None:
    class Supp:
        def extraData(self) -> dict[Any, Any]:
            return {
                HostileKey(("a", "b")): 1,
                ("normal", "list"): HostileList([1]),
                ("normal", "inner"): {"ok": 1, "bad": HostileList([2])},
                ("normal", "fine"): "kept",
            }

    data = collector.collect_exception(*supplemented(Supp))
    assert data.extra_data[("normal", "fine")] == ["kept"]
    assert data.extra_data[("normal", "inner")][0]["ok"] == 1
    assert "could not be read" in str(data.extra_data["entry 0"][0])
    text = formatter_text(data)
    assert "fine: 'kept'" in text
    assert data.frames[-1].supplement_exception is None


def test_a_hostile_string_key_inside_a_value_keeps_the_rest() -> None:
    class Supp:
        def extraData(self) -> dict[Any, Any]:
            value = {("normal", "map"): {HostileStr("k"): 1}, ("normal", "other"): 2}
            HostileStr.armed = True
            return value

    try:
        data = collector.collect_exception(*supplemented(Supp))
    finally:
        HostileStr.armed = False
    assert data.extra_data[("normal", "other")] == [2]
    assert isinstance(data.extra_data[("normal", "map")][0], collector.ExtraRepr | dict)
    formatter_text(data)
