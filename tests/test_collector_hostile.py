"""The collector never raises, never keeps anything alive, whatever it is given."""

from __future__ import annotations

import gc
import pickle
import types
import weakref
from collections.abc import Callable
from typing import Any

from conftest import capture as shared_capture
from hypothesis import given, settings
from hypothesis import strategies as st

from paste_exc.collector import CollectedException, collect_exception, collected_data


def capture(func: Callable[[], object], **options: Any) -> CollectedException:
    return shared_capture(func, keep_helper_frame=True, **options)


class RaisingStrError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("str is broken")


class NonStringStrError(Exception):
    def __str__(self) -> str:
        return 12345  # type: ignore[return-value]


class HugeError(Exception):
    def __str__(self) -> str:
        return "y" * 5_000_000


class RaisingRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr is broken")


class Meta(type):
    def __repr__(cls) -> str:
        raise RuntimeError("metaclass repr")


class MetaError(Exception, metaclass=Meta):
    pass


def raise_it(error: BaseException) -> Callable[[], None]:
    def fail() -> None:
        raise error

    return fail


def test_raising_str() -> None:
    data = capture(raise_it(RaisingStrError()))
    assert data.exception_value == (
        "<unprintable RaisingStrError object: __str__ raised RuntimeError>"
    )
    assert data.exception_type == "RaisingStrError"
    assert any("str() of the RaisingStrError failed" in note for note in data.collection_notes)


def test_non_string_str() -> None:
    data = capture(raise_it(NonStringStrError()))
    assert "returned non-string" in data.exception_value


def test_huge_str_is_truncated() -> None:
    data = capture(raise_it(HugeError()))
    assert len(data.exception_value) < 10_100
    assert data.exception_value.endswith("[4990000 more characters]")
    assert len(data.exception_formatted) < 10_200


def test_undecodable_text() -> None:
    message = b"caf\xe9 \xff".decode("utf-8", "surrogateescape")
    data = capture(raise_it(ValueError(message)))
    data.exception_value.encode("utf-8")
    data.exception_formatted.encode("utf-8")
    assert "\\udce9" in data.exception_value


def test_bytes_message() -> None:
    data = capture(raise_it(ValueError(b"\xff\xfe")))
    assert data.exception_value == "b'\\xff\\xfe'"


def test_metaclass_with_raising_repr() -> None:
    data = capture(raise_it(MetaError("m")))
    assert data.exception_type == "MetaError"
    assert data.identification_code.startswith("E-")


def test_raising_repr_in_locals() -> None:
    def fail() -> None:
        hostile = RaisingRepr()  # noqa: F841
        raise ValueError

    frame = capture(fail, collect_locals=True).frames[-1]
    assert frame.locals is not None
    assert frame.locals[0].value == (
        "<unrepresentable RaisingRepr object: __repr__ raised RuntimeError>"
    )


def test_hostile_notes() -> None:
    class BadNotes:
        def __iter__(self) -> object:
            raise RuntimeError("no iteration")

    error = ValueError("v")
    error.__notes__ = BadNotes()  # type: ignore[attr-defined]
    data = capture(raise_it(error))
    assert data.notes == ()
    assert any("__notes__" in note for note in data.collection_notes)


def test_not_a_traceback() -> None:
    data = collect_exception(ValueError, ValueError("v"), "not a traceback")  # type: ignore[arg-type]
    assert data.frames == ()
    assert any("not a traceback" in note for note in data.collection_notes)


def test_value_without_type() -> None:
    data = collect_exception(None, KeyError("k"), None)
    assert data.exception_type == "KeyError"


def test_frame_without_source_file(tmp_path: Any) -> None:
    path = tmp_path / "gone.py"
    path.write_text("def f():\n    raise ValueError('gone')\n")
    namespace: dict[str, Any] = {"__name__": "gone"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102
    path.unlink()
    frame = capture(namespace["f"]).frames[-1]
    assert frame.filename == str(path)
    assert frame.lineno == 2
    assert frame.context_lines == ()


def test_limit_that_is_not_an_int_is_ignored() -> None:
    try:
        raise ValueError
    except ValueError as error:
        data = collect_exception(type(error), error, error.__traceback__, limit="x")  # type: ignore[arg-type]
    assert len(data.frames) == 1
    assert any("limit" in note for note in data.collection_notes)


# -- keeps nothing alive -----------------------------------------------------------------------


class Marker:
    """A local object whose death we watch (exceptions cannot be weakly referenced)."""

    def __repr__(self) -> str:
        return "Marker()"


class MarkerSupplement:
    def __init__(self, marker: Marker) -> None:
        self.object = marker
        self.marker = marker

    def getInfo(self) -> Marker:
        return self.marker

    def extraData(self) -> dict[str, object]:
        return {"marker": self.marker, "list": [self.marker]}


def _collect_with_marker() -> tuple[weakref.ref[Marker], CollectedException, CollectedException]:
    marker = Marker()
    reference = weakref.ref(marker)

    def inner(obj: Marker) -> None:
        __traceback_supplement__ = (MarkerSupplement, obj)
        __traceback_info__ = obj
        __traceback_log__ = obj  # noqa: F841
        raise ValueError(obj)

    try:
        try:
            inner(marker)
        except ValueError:
            raise KeyError(marker)  # noqa: B904
    except KeyError as error:
        data = collect_exception(type(error), error, error.__traceback__, collect_locals=True)
        cached = collected_data(error, collect_locals=True)
    return reference, data, cached


def test_nothing_is_kept_alive() -> None:
    reference, data, cached = _collect_with_marker()
    gc.collect()
    assert reference() is None
    assert data.context is not None
    assert "Marker()" in data.context.exception_value
    assert cached.exception_type == "KeyError"


def _walk(obj: object, seen: set[int]) -> None:
    if id(obj) in seen:
        return
    seen.add(id(obj))
    forbidden = (types.FrameType, types.TracebackType, BaseException, Marker, types.CodeType)
    assert not isinstance(obj, forbidden), obj
    if isinstance(obj, str | int | float | bool | type(None)):
        return
    for child in gc.get_referents(obj):
        if isinstance(child, type):
            continue
        _walk(child, seen)


def test_result_reaches_no_live_object() -> None:
    _, data, _ = _collect_with_marker()
    _walk(data, set())


# -- hypothesis: hostile exceptions -------------------------------------------------------------

results = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=50),
    st.integers(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)
errors = st.sampled_from([RuntimeError, TypeError, RecursionError, KeyError, UnicodeError])


@settings(max_examples=60, deadline=None)
@given(
    str_result=results,
    repr_result=results,
    str_raises=st.one_of(st.none(), errors),
    args=st.lists(st.one_of(st.text(max_size=50), st.binary(max_size=20)), max_size=3),
    info=results,
    collect_locals=st.booleans(),
)
def test_hostile_exceptions_never_break_collection(
    str_result: object,
    repr_result: object,
    str_raises: type[Exception] | None,
    args: list[object],
    info: object,
    collect_locals: bool,
) -> None:
    class Hostile(Exception):
        def __str__(self) -> str:
            if str_raises is not None:
                raise str_raises("str")
            return str_result  # type: ignore[return-value]

        def __repr__(self) -> str:
            return repr_result  # type: ignore[return-value]

    def fail() -> None:
        __traceback_info__ = info
        __traceback_supplement__ = (lambda: Hostile(),)
        local = Hostile(*args)  # noqa: F841
        raise Hostile(*args)

    data = capture(fail, collect_locals=collect_locals)
    assert data.exception_type == "Hostile"
    assert isinstance(data.exception_value, str)
    data.exception_value.encode("utf-8")
    assert pickle.loads(pickle.dumps(data)) == data  # noqa: S301
