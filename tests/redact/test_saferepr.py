"""Tests of the guarded, bounded str()/repr() helpers."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from webtest import TestApp

from paste_exc import ErrorMiddleware
from paste_exc.redact.saferepr import safe_repr, safe_str, truncate_text


class RaisingStr:
    def __str__(self) -> str:
        raise RuntimeError("boom")


class NonStringStr:
    def __str__(self) -> str:
        return 42  # type: ignore[return-value]


class RaisingRepr:
    def __repr__(self) -> str:
        raise KeyError("no")


class NonStringRepr:
    def __repr__(self) -> str:
        return b"bytes"  # type: ignore[return-value]


class HugeRepr:
    def __repr__(self) -> str:
        return "x" * 1_000_000


class HostileStrSubclass(str):
    def __str__(self) -> str:
        raise RuntimeError("str subclass")


def _raising_len(self: object) -> int:
    raise RuntimeError("len")


# Named like the builtin on purpose: reprlib picks its method by the type's name.
FakeList = type("list", (list,), {"__len__": _raising_len})


def test_truncate_text_keeps_short_text() -> None:
    assert truncate_text("abc", 3) == "abc"


def test_truncate_text_says_how_much_was_cut() -> None:
    assert truncate_text("abcdef", 3) == "abc… [3 more characters]"


def test_safe_str_placeholder_for_raising_str() -> None:
    assert safe_str(RaisingStr()) == (
        "<unprintable RaisingStr object: __str__ raised RuntimeError>"
    )


def test_safe_str_placeholder_for_non_string_str() -> None:
    assert safe_str(NonStringStr()) == (
        "<unprintable NonStringStr object: __str__ returned non-string>"
    )


def test_safe_repr_placeholder_for_raising_repr() -> None:
    assert safe_repr(RaisingRepr()) == (
        "<unrepresentable RaisingRepr object: __repr__ raised KeyError>"
    )


def test_safe_repr_placeholder_for_non_string_repr() -> None:
    assert "returned non-string" in safe_repr(NonStringRepr())


def test_safe_repr_bounds_huge_repr() -> None:
    text = safe_repr(HugeRepr(), limit=100)
    assert text.startswith("x" * 100)
    assert text.endswith("more characters]")
    assert len(text) < 150


def test_safe_repr_abbreviates_big_containers() -> None:
    text = safe_repr(list(range(10_000)))
    assert "..." in text
    assert len(text) < 1000


def test_safe_repr_guards_elements_of_containers() -> None:
    text = safe_repr([1, RaisingRepr()])
    assert text == "[1, <unrepresentable RaisingRepr object: __repr__ raised KeyError>]"


def test_safe_repr_survives_class_named_like_a_builtin() -> None:
    hostile = FakeList([1, 2])
    assert isinstance(safe_repr(hostile), str)


def test_safe_str_of_hostile_str_subclass_is_plain_text() -> None:
    text = safe_str(HostileStrSubclass("hello"))
    assert text == "hello"
    assert type(text) is str


def test_safe_str_escapes_lone_surrogates() -> None:
    text = safe_str("bad \udcff byte")
    text.encode("utf-8")
    assert "\\udcff" in text


def test_safe_str_of_bytes_is_their_repr() -> None:
    assert safe_str(b"\xff\xfe") == "b'\\xff\\xfe'"


def test_safe_repr_of_recursive_list() -> None:
    loop: list[object] = []
    loop.append(loop)
    assert isinstance(safe_repr(loop), str)


def _hostile(result: object, raises: bool) -> object:
    class Hostile:
        def __str__(self) -> str:
            if raises:
                raise ValueError("str")
            return result  # type: ignore[return-value]

        def __repr__(self) -> str:
            if raises:
                raise ValueError("repr")
            return result  # type: ignore[return-value]

    return Hostile()


@given(
    result=st.one_of(st.text(), st.binary(), st.integers(), st.none(), st.floats()),
    raises=st.booleans(),
    limit=st.integers(min_value=0, max_value=2000),
)
def test_hostile_objects_never_raise(result: object, raises: bool, limit: int) -> None:
    obj = _hostile(result, raises)
    for text in (safe_str(obj, limit), safe_repr(obj, limit)):
        assert type(text) is str
        text.encode("utf-8")
        assert (
            len(text) <= max(limit, 10) + 40 or text.startswith("<unp") or text.startswith("<unr")
        )


@given(st.text())
def test_any_text_is_bounded_and_encodable(text: str) -> None:
    result = safe_str(text, 50)
    result.encode("utf-8")
    assert len(result) <= 50 + len("… [ more characters]") + 10


class _Exiting:
    """A value whose repr and str raise what a method has no business raising."""

    def __init__(self, exit_with: type[BaseException]) -> None:
        self.exit_with = exit_with

    def __repr__(self) -> str:
        raise self.exit_with("from __repr__")

    def __str__(self) -> str:
        raise self.exit_with("from __str__")


@pytest.mark.parametrize("exit_with", [SystemExit, GeneratorExit])
def test_a_repr_that_exits_ends_only_that_repr(exit_with: type[BaseException]) -> None:
    assert "__repr__ raised" in safe_repr(_Exiting(exit_with))
    assert "__str__ raised" in safe_str(_Exiting(exit_with))
    assert "__repr__ raised" in safe_repr([1, _Exiting(exit_with)])  # an item too


def test_keyboard_interrupt_in_a_repr_still_stops() -> None:
    with pytest.raises(KeyboardInterrupt):
        safe_repr(_Exiting(KeyboardInterrupt))


def test_a_local_that_exits_in_its_repr_still_gets_a_debug_page() -> None:
    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        hostile = _Exiting(SystemExit)  # noqa: F841 (shown on the debug page)
        raise LookupError("no umbrella")

    def unlocked(environ: dict[str, object], start_response: object) -> object:
        environ["paste.throw_errors"] = False
        return ErrorMiddleware(app, debug=True, debug_allow="*")(environ, start_response)

    page = TestApp(unlocked).get("/", status=500, expect_errors=True)
    assert "no umbrella" in page.text
    assert "__repr__ raised SystemExit" in page.text
