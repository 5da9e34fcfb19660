"""The collector never raises, never keeps anything alive, whatever it is given."""

from __future__ import annotations

import gc
import pickle
import types
import weakref
from collections.abc import Callable
from typing import Any

from conftest import capture as shared_capture
from hypothesis import given, settings, strategies as st

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


# -- a hostile value costs only the piece it sits in ---------------------------------------------


class HashRaisingStr(str):
    """A str subclass that cannot be hashed (nor compared)."""

    def __hash__(self) -> int:
        raise RuntimeError("no hash")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no eq")


class ClassAndBoolRaising:
    """Neither its class nor its truth can be read."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # type: ignore[override]
        raise RuntimeError("no class")

    def __bool__(self) -> bool:
        raise RuntimeError("no bool")


class BoolRaising:
    def __bool__(self) -> bool:
        raise RuntimeError("no bool")

    def __str__(self) -> str:
        return "bool-raising"


class ClassRaisingError(ValueError):
    """An exception whose ``__class__`` property raises (isinstance() asks for it)."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # type: ignore[override]
        raise RuntimeError("no class")


def outermost(func: Callable[[], object]) -> None:
    middle(func)


def middle(func: Callable[[], object]) -> None:
    func()


def assert_whole(data: CollectedException, innermost: str, type_name: str) -> None:
    """Every frame is kept, the exception line too, and collection did not fail."""
    names = [frame.name for frame in data.frames]
    assert names[-3:] == ["outermost", "middle", innermost], names
    assert data.exception_type == type_name
    label = data.exception_formatted.splitlines()[-1 - len(data.notes)]
    assert label.partition(":")[0].endswith(type_name), data.exception_formatted
    assert not any(note.startswith("collection failed") for note in data.collection_notes)


def test_hide_value_whose_hash_raises_costs_only_its_frame() -> None:
    def hiding() -> None:
        __traceback_hide__ = HashRaisingStr("before_and_this")
        raise ValueError("hidden")

    data = capture(lambda: outermost(hiding))
    assert_whole(data, "hiding", "ValueError")
    assert data.exception_value == "hidden"
    assert data.frames[-1].traceback_hide == "before_and_this"


def test_hide_value_that_is_not_a_str_and_whose_class_raises() -> None:
    def hiding() -> None:
        __traceback_hide__ = ClassAndBoolRaising()
        raise ValueError("hidden")

    data = capture(lambda: outermost(hiding))
    assert_whole(data, "hiding", "ValueError")
    assert data.frames[-1].traceback_hide is True
    assert any("__traceback_hide__" in note for note in data.collection_notes)


def test_module_name_that_raises_on_bool_costs_only_its_frame() -> None:
    namespace: dict[str, Any] = {"__name__": BoolRaising()}
    exec("def in_module():\n    raise ValueError('from a module')\n", namespace)  # noqa: S102
    data = capture(lambda: outermost(namespace["in_module"]))
    assert_whole(data, "in_module", "ValueError")
    assert data.frames[-1].modname == "bool-raising"
    assert data.frames[-2].modname == __name__
    assert data.identification_code.startswith("E-")


def test_module_name_whose_str_raises_shows_a_placeholder() -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no str")

        def __bool__(self) -> bool:
            raise RuntimeError("no bool")

    namespace: dict[str, Any] = {"__name__": Unprintable(), "__file__": Unprintable()}
    exec("def in_module():\n    raise ValueError('m')\n", namespace)  # noqa: S102
    data = capture(lambda: outermost(namespace["in_module"]))
    assert_whole(data, "in_module", "ValueError")
    modname = data.frames[-1].modname
    assert modname is not None
    assert modname.startswith("<unprintable ")
    assert modname.endswith("Unprintable object: __str__ raised RuntimeError>")


def test_exception_whose_class_property_raises_keeps_every_frame() -> None:
    def failing() -> None:
        raise ClassRaisingError("classless")

    data = capture(lambda: outermost(failing))
    assert_whole(data, "failing", "ClassRaisingError")
    assert data.exception_value == "classless"
    assert data.exception_formatted.endswith(".ClassRaisingError: classless\n")


def test_chain_link_whose_class_raises_keeps_the_main_exception() -> None:
    def failing() -> None:
        try:
            raise ClassRaisingError("first")
        except ValueError:
            raise KeyError("second")  # noqa: B904

    data = capture(lambda: outermost(failing))
    assert_whole(data, "failing", "KeyError")
    assert data.context is not None
    assert data.context.exception_type == "ClassRaisingError"
    assert data.context.frames[-1].name == "failing"


def test_hostile_cause_and_context_properties_cost_only_the_link() -> None:
    class LinkRaising(ValueError):
        @property  # type: ignore[misc]
        def __cause__(self) -> BaseException:  # type: ignore[override]
            raise RuntimeError("no cause")

        @property  # type: ignore[misc]
        def __context__(self) -> BaseException:  # type: ignore[override]
            raise RuntimeError("no context")

        @property  # type: ignore[misc]
        def __suppress_context__(self) -> bool:  # type: ignore[override]
            raise RuntimeError("no suppress")

    def failing() -> None:
        raise LinkRaising("linked")

    data = capture(lambda: outermost(failing))
    assert_whole(data, "failing", "LinkRaising")
    assert data.cause is None
    assert data.context is None
    assert any("__cause__" in note for note in data.collection_notes)


def test_hostile_group_members_cost_only_themselves() -> None:
    class Member(ValueError):
        @property  # type: ignore[misc]
        def __traceback__(self) -> None:  # type: ignore[override]
            raise RuntimeError("no traceback")

    class Opaque:
        @property  # type: ignore[misc]
        def __class__(self) -> type:  # type: ignore[override]
            raise RuntimeError("no class")

    class Group(ExceptionGroup):  # type: ignore[type-arg]
        @property
        def exceptions(self) -> tuple[object, ...]:  # type: ignore[override]
            return (Opaque(), Member("member"), KeyError("fine"))

    def failing() -> None:
        raise Group("group", [ValueError("x")])

    data = capture(lambda: outermost(failing))
    assert_whole(data, "failing", "Group")
    assert data.is_group
    assert [member.exception_type for member in data.exceptions] == ["Member", "KeyError"]
    assert data.omitted_exceptions == 1


def test_hostile_syntax_error_attributes_cost_only_the_details() -> None:
    class BadSyntax(SyntaxError):
        @property  # type: ignore[misc]
        def filename(self) -> str:  # type: ignore[override]
            raise RuntimeError("no filename")

    def failing() -> None:
        raise BadSyntax("bad", ("f.py", 1, 1, "x", 1, 2))

    data = capture(lambda: outermost(failing))
    assert_whole(data, "failing", "BadSyntax")
    assert data.syntax_error is not None
    assert data.syntax_error.lineno == 1


def test_hostile_supplement_and_reporter_specs_cost_only_themselves() -> None:
    class Opaque:
        @property  # type: ignore[misc]
        def __class__(self) -> type:  # type: ignore[override]
            raise RuntimeError("no class")

    class BadTuple(tuple):  # type: ignore[type-arg]
        def __len__(self) -> int:
            raise RuntimeError("no len")

        def __iter__(self) -> Any:
            raise RuntimeError("no iter")

    def failing() -> None:
        __traceback_supplement__ = BadTuple((object,))
        __traceback_reporter__ = Opaque()  # noqa: F841
        __traceback_info__ = Opaque()
        raise ValueError("supplemented")

    data = capture(lambda: outermost(failing))
    assert_whole(data, "failing", "ValueError")
    assert data.frames[-1].supplement_exception is not None
    assert data.frames[-1].traceback_info is not None


def test_hostile_values_leave_every_output_whole() -> None:
    from paste_exc.format.documents import render_debug_page, render_problem
    from paste_exc.formatter import format_text

    def failing() -> None:
        __traceback_hide__ = HashRaisingStr("x")
        raise ClassRaisingError("classless")

    data = capture(lambda: outermost(failing))
    text = format_text(data, show_hidden_frames=True)
    assert "in outermost" in text
    assert "in middle" in text
    assert "in failing" in text
    assert "ClassRaisingError: classless" in text
    assert "in failing" in render_debug_page(data).body.replace("<b>", "")
    assert "failing" in render_problem(data, debug=True).body


# -- hypothesis: a hostile object in every place the collector reads -----------------------------


def hostile_object(kind: str, error: type[Exception]) -> object:
    """An object that raises *error* from the protocol named by *kind*."""

    def fail(*args: object, **kwargs: object) -> Any:
        raise error("hostile")

    if kind == "class":
        return type("ClassRaising", (), {"__class__": property(fail)})()
    if kind == "bool":
        return type("BoolRaising", (), {"__bool__": fail, "__len__": fail})()
    if kind == "str":
        return type("StrRaising", (), {"__str__": fail, "__repr__": fail, "__format__": fail})()
    if kind == "hash_str":
        return type("HashStr", (str,), {"__hash__": fail, "__eq__": fail, "__ne__": fail})("after")
    if kind == "method_str":
        methods = dict.fromkeys(("__str__", "__len__", "startswith", "strip", "encode"), fail)
        return type("MethodStr", (str,), methods)("reset")
    if kind == "iter":
        methods = dict.fromkeys(("__iter__", "__len__", "__getitem__", "__bool__"), fail)
        return type("IterRaising", (), methods)()
    if kind == "getattribute":
        return type("AttrRaising", (), {"__getattribute__": fail})()
    if kind == "tuple":
        methods = dict.fromkeys(("__iter__", "__len__", "__getitem__", "__bool__"), fail)
        return type("TupleRaising", (tuple,), methods)((object, 1))
    if kind == "list":
        methods = dict.fromkeys(("__iter__", "__len__", "__getitem__", "__bool__"), fail)
        return type("ListRaising", (list,), methods)([object])
    if kind == "int":
        methods = dict.fromkeys(("__index__", "__int__", "__bool__", "__str__", "__repr__"), fail)
        return type("IntRaising", (int,), methods)(3)
    if kind == "callable":
        return type("CallRaising", (), {"__call__": fail, "__repr__": fail})()
    # an exception that is hostile itself
    members = dict.fromkeys(("__str__", "__repr__"), fail)
    members["__class__"] = property(fail)
    return type("HostileError", (Exception,), members)("inner")


HOSTILE_KINDS = (
    "class",
    "bool",
    "str",
    "hash_str",
    "method_str",
    "iter",
    "getattribute",
    "tuple",
    "list",
    "int",
    "callable",
    "exception",
)
#: The magic variables, read from a frame's locals.
LOCAL_PLACES = tuple(
    f"local:__traceback_{name}__"
    for name in ("hide", "info", "supplement", "reporter", "log", "decorator")
)
#: Module globals (and magic variables read from globals).
GLOBAL_PLACES = tuple(
    f"global:{name}"
    for name in (
        "__name__",
        "__file__",
        "__loader__",
        "__spec__",
        "__revision__",
        "__traceback_hide__",
        "__traceback_supplement__",
        "__traceback_reporter__",
    )
)
#: Attributes of the exception, each overridden by a property that raises or returns the object.
EXCEPTION_PLACES = tuple(
    f"exception:{name}"
    for name in (
        "__class__",
        "__cause__",
        "__context__",
        "__suppress_context__",
        "__notes__",
        "args",
        "exceptions",
    )
)
#: Where the object stands in for a chained exception or a group member.
LINK_PLACES = (
    "link:__cause__",
    "link:__context__",
    "link:__traceback__",
    "member",
    "supplement",
)


def build_failing(place: str, obj: object, raising: bool, error: type[Exception]) -> Any:
    """Return (a function raising the hostile exception, its namespace)."""

    def fail(self: object) -> Any:
        raise error("hostile attribute")

    def give(self: object) -> object:
        return obj

    attributes: dict[str, object] = {}
    base: type[BaseException] = ValueError
    area, _, name = place.partition(":")
    if area == "exception":
        attributes[name] = property(fail if raising else give)
        if name == "exceptions":
            base = ExceptionGroup
    elif area == "link" and name != "__traceback__":
        attributes[name] = property(lambda self: obj)
    elif place == "member":
        base = ExceptionGroup
        attributes["exceptions"] = property(lambda self: (obj, KeyError("member")))
    hostile_type = type("Hostile", (base,), attributes)
    namespace: dict[str, Any] = {"__name__": "hostile_module", "HOSTILE": obj}
    if place == "link:__traceback__":
        link_type = type("Link", (KeyError,), {"__traceback__": property(fail)})
        namespace["make_error"] = lambda: hostile_type("with a link")
        namespace["LINK"] = link_type
        body = (
            "    try:\n        raise LINK('link')\n"
            "    except KeyError:\n        raise make_error()\n"
        )
    else:
        group = base is ExceptionGroup
        namespace["make_error"] = lambda: (
            hostile_type("group", [ValueError("x")]) if group else hostile_type("v")
        )
        body = "    raise make_error()\n"
    if area == "local":
        body = f"    {name} = HOSTILE\n" + body
    elif area == "global":
        namespace[name] = obj
    elif place == "supplement":
        body = "    __traceback_supplement__ = (lambda: HOSTILE,)\n" + body
    exec(compile(f"def inner():\n{body}", "<hostile>", "exec"), namespace)  # noqa: S102
    return namespace["inner"]


def run_and_collect(func: Callable[[], object], collect_locals: bool) -> CollectedException:
    import sys

    try:
        outermost(func)
    except BaseException:
        etype, value, tb = sys.exc_info()
        return collect_exception(etype, value, tb, collect_locals=collect_locals)
    raise AssertionError("did not raise")


@settings(max_examples=150, deadline=None)
@given(
    place=st.sampled_from(LOCAL_PLACES + GLOBAL_PLACES + EXCEPTION_PLACES + LINK_PLACES),
    kind=st.sampled_from(HOSTILE_KINDS),
    error=errors,
    raising=st.booleans(),
    collect_locals=st.booleans(),
)
def test_a_hostile_object_anywhere_keeps_every_frame_and_the_exception_line(
    place: str, kind: str, error: type[Exception], raising: bool, collect_locals: bool
) -> None:
    from paste_exc.formatter import format_text

    obj = hostile_object(kind, error)
    data = run_and_collect(build_failing(place, obj, raising, error), collect_locals)
    names = [frame.name for frame in data.frames]
    assert names[-3:] == ["outermost", "middle", "inner"], (names, data.collection_notes)
    assert data.exception_type == "Hostile"
    assert "Hostile" in data.exception_formatted.splitlines()[0]
    assert not any(note.startswith("collection failed") for note in data.collection_notes)
    text = format_text(data, show_hidden_frames=True)
    assert "in inner" in text
    assert "in outermost" in text
    assert pickle.loads(pickle.dumps(data)) == data  # noqa: S301


def test_every_place_and_kind_is_exercised() -> None:
    """Without hypothesis' luck: each place with each kind, once."""
    for place in LOCAL_PLACES + GLOBAL_PLACES + EXCEPTION_PLACES + LINK_PLACES:
        for kind in HOSTILE_KINDS:
            for raising in (True, False):
                obj = hostile_object(kind, RuntimeError)
                data = run_and_collect(build_failing(place, obj, raising, RuntimeError), True)
                names = [frame.name for frame in data.frames]
                assert names[-3:] == ["outermost", "middle", "inner"], (place, kind, names)
                assert data.exception_type == "Hostile", (place, kind)


def test_when_the_walk_fails_unforeseen_the_report_keeps_the_line_and_every_frame(
    monkeypatch: Any,
) -> None:
    from paste_exc.collect import collector as _collector

    def broken(*args: object, **kwargs: object) -> CollectedException:
        raise RuntimeError("unforeseen")

    monkeypatch.setattr(_collector, "collect_one", broken)  # what the collector calls

    def failing() -> None:
        raise ValueError("still shown")

    data = capture(lambda: outermost(failing))
    assert [frame.name for frame in data.frames][-3:] == ["outermost", "middle", "failing"]
    assert data.frames[-1].lineno is not None
    assert data.exception_formatted == "ValueError: still shown\n"
    assert data.collection_notes == ("collection failed: RuntimeError: unforeseen",)


def test_a_frame_that_fails_unforeseen_keeps_its_position(monkeypatch: Any) -> None:
    from paste_exc.collect import walk as _walk

    real = _walk.build_frame

    def flaky(entry: Any, *args: Any) -> Any:
        if entry.code.co_name == "middle":
            raise RuntimeError("this frame only")
        return real(entry, *args)

    monkeypatch.setattr(_walk, "build_frame", flaky)

    def failing() -> None:
        raise ValueError("v")

    data = capture(lambda: outermost(failing))
    assert [frame.name for frame in data.frames][-3:] == ["outermost", "middle", "failing"]
    assert data.frames[-2].lineno is not None
    assert data.frames[-3].context_lines
    assert any("frame middle" in note and "in part" in note for note in data.collection_notes)


def test_a_hostile_locals_mapping_costs_only_its_frame() -> None:
    class HostileLocals(dict):  # type: ignore[type-arg]
        @property  # type: ignore[misc]
        def __class__(self) -> type:  # type: ignore[override]
            raise RuntimeError("no class")

        def items(self) -> Any:
            raise RuntimeError("no items")

    code = compile("raise ValueError('from exec')", "<exec-locals>", "exec")

    def failing() -> None:
        exec(code, {"__name__": "exec_module"}, HostileLocals())  # noqa: S102

    data = capture(lambda: outermost(failing), collect_locals=True)
    names = [frame.name for frame in data.frames]
    assert names[-4:] == ["outermost", "middle", "failing", "<module>"]
    assert data.exception_value == "from exec"
    assert data.frames[-1].modname == "exec_module"  # more than the bare position
