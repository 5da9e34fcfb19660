"""The ``__traceback_hide__`` rules: one table, one function, every formatter."""

from __future__ import annotations

import sys

import pytest
from test_collector_hostile import ClassAndBoolRaising, HashRaisingStr

from paste_exc.collect.magic import hide_value
from paste_exc.collector import CollectedException, ExceptionFrame, collect_exception
from paste_exc.format.visibility import frame_visibility, partition_frames
from paste_exc.formatter import TextFormatter, filter_frames, format_text


def make_frames(*hides: object) -> list[ExceptionFrame]:
    """One frame per hide value, named f0, f1, ...; the last is the erroring one."""
    return [
        ExceptionFrame(name=f"f{index}", traceback_hide=hide)  # type: ignore[arg-type]
        for index, hide in enumerate(hides)
    ]


def shown_names(*hides: object, show_hidden: bool = False) -> list[str | None]:
    return [frame.name for frame in filter_frames(make_frames(*hides), show_hidden)]


# Each row: the hide values of five frames (the last one erroring) and the
# names left visible.
ROWS = [
    pytest.param((None, None, None, None, None), ["f0", "f1", "f2", "f3", "f4"], id="none"),
    pytest.param((None, False, None, False, None), ["f0", "f1", "f2", "f3", "f4"], id="false"),
    pytest.param((None, True, None, None, None), ["f0", "f2", "f3", "f4"], id="true"),
    pytest.param((None, "yes please", 1, None, None), ["f0", "f3", "f4"], id="other-truthy"),
    pytest.param((None, None, "before", None, None), ["f2", "f3", "f4"], id="before"),
    pytest.param((None, None, "before_and_this", None, None), ["f3", "f4"], id="before_and_this"),
    pytest.param((None, "after", None, None, "reset"), ["f0", "f1", "f4"], id="after"),
    pytest.param(
        (None, "after_and_this", None, "reset", None), ["f0", "f3", "f4"], id="after_and_this"
    ),
    pytest.param((None, "after", None, "reset", None), ["f0", "f1", "f3", "f4"], id="reset"),
    pytest.param(
        (None, "after", None, "reset_and_this", None), ["f0", "f1", "f4"], id="reset_and_this"
    ),
    pytest.param((None, "after", None, "before", None), ["f3", "f4"], id="before-ends-after"),
    pytest.param((True, None, True, None, None), ["f1", "f3", "f4"], id="several-true"),
    pytest.param(("after", None, "after", None, "reset"), ["f0", "f2", "f4"], id="after-twice"),
]


@pytest.mark.parametrize(("hides", "expected"), ROWS)
def test_hide_rule_rows(hides: tuple[object, ...], expected: list[str]) -> None:
    assert shown_names(*hides) == expected


@pytest.mark.parametrize(
    "hides",
    [
        pytest.param((None, None, True), id="erroring-frame-true"),
        pytest.param((None, "after", None), id="erroring-frame-after-an-after"),
        pytest.param((None, None, "before_and_this"), id="erroring-frame-before_and_this"),
        pytest.param((None, None, "reset_and_this"), id="erroring-frame-reset_and_this"),
        pytest.param((None, "after_and_this"), id="erroring-frame-after_and_this"),
    ],
)
def test_erroring_frame_hidden_shows_every_frame(hides: tuple[object, ...]) -> None:
    assert shown_names(*hides) == [f"f{index}" for index in range(len(hides))]


def test_erroring_frame_with_after_is_shown_and_rules_apply_before_it() -> None:
    # "after" on the erroring frame hides nothing (nothing comes after it).
    assert shown_names(True, None, "after") == ["f1", "f2"]


def test_show_hidden_frames_shows_everything() -> None:
    hides = (True, "before", "after_and_this", None)
    assert shown_names(*hides, show_hidden=True) == ["f0", "f1", "f2", "f3"]


def test_no_frames() -> None:
    assert filter_frames([]) == []
    assert frame_visibility([]) == []
    assert partition_frames([]) == ([], 0)


def test_visibility_flags_and_hidden_count() -> None:
    frames = make_frames(None, True, "after", None, "reset_and_this", None)
    assert frame_visibility(frames) == [True, False, True, False, False, True]
    shown, hidden = partition_frames(frames)
    assert [frame.name for frame in shown] == ["f0", "f2", "f5"]
    assert hidden == 3


def test_visibility_counts_by_position_not_equality() -> None:
    # Equal frames (same data) are still distinct positions in the traceback.
    frames = [ExceptionFrame(name="same", traceback_hide=True), ExceptionFrame(name="same")]
    assert frame_visibility(frames) == [False, True]


def test_hostile_truth_value_counts_as_hide() -> None:
    class Hostile:
        def __bool__(self) -> bool:
            raise RuntimeError("no truth for you")

    frames = make_frames(Hostile(), None)
    assert frame_visibility(frames) == [False, True]


def test_formatter_method_uses_the_same_rules() -> None:
    frames = make_frames(None, "before", None)
    assert TextFormatter().filter_frames(frames) == filter_frames(frames)
    assert TextFormatter(show_hidden_frames=True).filter_frames(frames) == frames


# --- end to end: real frames setting __traceback_hide__ ------------------------------


# Five distinct functions (not one recursive one: identical consecutive frames
# would be folded). Each sets ``__traceback_hide__`` from ``hides`` and tags
# itself ``layerN`` through ``__traceback_info__``; the last one raises.


def _layer0(hides: tuple[object, ...], base: int) -> None:
    __traceback_hide__ = hides[0 - base]
    __traceback_info__ = f"layer{0 - base}"
    _layer1(hides, base)


def _layer1(hides: tuple[object, ...], base: int) -> None:
    __traceback_hide__ = hides[1 - base]
    __traceback_info__ = f"layer{1 - base}"
    _layer2(hides, base)


def _layer2(hides: tuple[object, ...], base: int) -> None:
    __traceback_hide__ = hides[2 - base]
    __traceback_info__ = f"layer{2 - base}"
    _layer3(hides, base)


def _layer3(hides: tuple[object, ...], base: int) -> None:
    __traceback_hide__ = hides[3 - base]
    __traceback_info__ = f"layer{3 - base}"
    _layer4(hides, base)


def _layer4(hides: tuple[object, ...], base: int) -> None:
    __traceback_hide__ = hides[4 - base]
    __traceback_info__ = f"layer{4 - base}"
    raise ValueError("bottom")


_LAYERS = (_layer0, _layer1, _layer2, _layer3, _layer4)


def run_layers(hides: tuple[object, ...]) -> CollectedException:
    """Run ``len(hides)`` (at most five) nested layers and collect what the last raises."""
    base = len(_LAYERS) - len(hides)
    try:
        _LAYERS[base](hides, base)
    except ValueError:
        return collect_exception(*sys.exc_info())
    raise AssertionError("the layers did not raise")


def shown_layers(report: str) -> list[str]:
    return [line.replace("layer", "f") for line in report.splitlines() if line.startswith("layer")]


@pytest.mark.parametrize(("hides", "expected"), ROWS)
def test_hide_rule_rows_end_to_end(hides: tuple[object, ...], expected: list[str]) -> None:
    data = run_layers(hides)
    assert shown_layers(format_text(data)) == expected
    assert [frame.traceback_info for frame in filter_frames(data.frames)][-len(expected) :] == [
        name.replace("f", "layer") for name in expected
    ]


def test_erroring_frame_fallback_end_to_end() -> None:
    data = run_layers((None, "after", None, None))
    report = format_text(data)
    assert shown_layers(report) == ["f0", "f1", "f2", "f3"]
    assert "in run_layers" in report


def test_before_hides_the_outer_frames_end_to_end() -> None:
    report = format_text(run_layers(("before_and_this", None)))
    assert shown_layers(report) == ["f1"]
    assert "in run_layers" not in report
    assert "in _layer3" not in report


def test_hide_rules_apply_to_each_chain_link() -> None:
    def hidden_helper() -> None:
        __traceback_hide__ = True
        raise KeyError("inner")

    def outer() -> None:
        try:
            hidden_helper()
        except KeyError as error:
            raise RuntimeError("outer") from error

    try:
        outer()
    except RuntimeError:
        data = collect_exception(*sys.exc_info())
    # The erroring frame of the cause is the hidden helper: the cause shows every frame.
    report = format_text(data)
    assert "in hidden_helper" in report
    assert data.cause is not None
    assert filter_frames(data.cause.frames) == list(data.cause.frames)


def test_show_hidden_frames_end_to_end() -> None:
    data = run_layers((True, None))
    assert shown_layers(format_text(data)) == ["f1"]
    assert shown_layers(format_text(data, show_hidden_frames=True)) == ["f0", "f1"]


HIDE_INPUTS = [
    None,
    True,
    False,
    0,
    1,
    "",
    "yes please",
    "before",
    "before_and_this",
    "after",
    "after_and_this",
    "reset",
    "reset_and_this",
    HashRaisingStr("before_and_this"),
    HashRaisingStr("after"),
    HashRaisingStr("other"),
    ClassAndBoolRaising(),
]


@pytest.mark.parametrize("index", range(len(HIDE_INPUTS)))  # by index: pytest inspects values
def test_formatters_read_a_hide_value_as_the_collector_does(index: int) -> None:
    value = HIDE_INPUTS[index]
    # One normaliser: a frame built by a decorator or by hand, holding the raw
    # value, is shown exactly as if the collector had read that value.
    collected = hide_value(value)
    raw = make_frames(None, value, None, None)
    normal = make_frames(None, collected, None, None)
    assert frame_visibility(raw) == frame_visibility(normal)
    assert type(collected) in (bool, str)


def test_a_hostile_hide_value_in_a_built_frame_does_not_break_the_report() -> None:
    frames = tuple(make_frames(None, HashRaisingStr("before_and_this"), None))
    report = format_text(CollectedException(frames=frames, exception_type="E"))
    assert "f0" not in report
    assert "f1" not in report
    assert "f2" in report
