"""Tests of the collector: frames, magic variables, identification codes, caching."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import sys
from collections.abc import Callable
from typing import Any

import pytest
from conftest import capture

from paste_exc import collector
from paste_exc.collector import (
    DEBUG_IDENT_PREFIX,
    CollectedException,
    ExceptionCollector,
    ExceptionFrame,
    collect_exception,
    collected_data,
    hash_identifier,
    make_identifier,
)
from paste_exc.redact import REDACTED


def module(name: str, source: str, filename: str | None = None) -> dict[str, Any]:
    """Execute *source* as a module called *name*; return its namespace."""
    namespace: dict[str, Any] = {"__name__": name}
    exec(compile(source, filename or f"<{name}>", "exec"), namespace)  # noqa: S102
    return namespace


def fail_with_value_error() -> None:
    raise ValueError("the message")


class Widget:
    def explode(self) -> None:
        raise RuntimeError("in a method")


# -- basics -------------------------------------------------------------------------------


def test_basic_fields() -> None:
    data = capture(fail_with_value_error)
    assert data.exception_type == "ValueError"
    assert data.exception_module == "builtins"
    assert data.exception_value == "the message"
    assert data.exception_formatted == "ValueError: the message\n"
    assert data.identification_code.startswith("E-")
    assert len(data.identification_code) == 7
    assert data.occurrence_id
    assert data.timestamp > 0
    assert data.date.tm_year >= 2024


def test_frames_are_outermost_first() -> None:
    def outer() -> None:
        fail_with_value_error()

    data = capture(outer)
    assert [frame.name for frame in data.frames] == ["outer", "fail_with_value_error"]


def test_frame_fields() -> None:
    data = capture(fail_with_value_error)
    frame = data.frames[-1]
    assert frame.modname == __name__
    assert frame.filename == __file__
    assert frame.name == "fail_with_value_error"
    assert frame.qualname == "fail_with_value_error"
    assert frame.tbid is not None
    assert frame.revision is None
    assert frame.is_library is False
    assert frame.repeated == 0
    assert frame.locals is None


def test_qualname_of_a_method() -> None:
    data = capture(Widget().explode)
    assert data.frames[-1].qualname == "Widget.explode"
    assert data.frames[-1].name == "explode"


def test_source_context_is_read() -> None:
    data = capture(fail_with_value_error)
    frame = data.frames[-1]
    assert frame.context_start is not None
    assert frame.lineno is not None
    line = frame.context_lines[frame.lineno - frame.context_start]
    assert line == '    raise ValueError("the message")'
    assert frame.get_source_line().strip() == 'raise ValueError("the message")'
    assert frame.get_source_line(context=1).count("\n") == 3
    assert len(frame.context_lines) <= 2 * collector.CONTEXT_LINES + 1


def call_with_unicode() -> None:
    café = {"é": 1}
    café["ü"] + 1


def test_positions_are_character_offsets() -> None:
    data = capture(call_with_unicode)
    frame = data.frames[-1]
    assert frame.lineno is not None
    assert frame.context_start is not None
    line = frame.context_lines[frame.lineno - frame.context_start]
    assert frame.colno is not None
    assert frame.end_colno is not None
    assert line[frame.colno : frame.end_colno] == 'café["ü"]'
    assert frame.end_lineno == frame.lineno


def test_library_frames_are_marked() -> None:
    data = capture(lambda: json.loads("{"))
    assert data.frames[0].is_library is False
    assert data.frames[-1].is_library is True
    assert data.frames[-1].modname == "json.decoder"


def test_exec_code_has_no_source_but_a_frame() -> None:
    namespace = module("generated", "def boom():\n    raise KeyError('k')\n", "<string>")
    data = capture(namespace["boom"])
    frame = data.frames[-1]
    assert frame.filename == "<string>"
    assert frame.lineno == 2
    assert frame.context_lines == ()
    assert frame.get_source_line() == ""
    assert data.exception_value == "'k'"


def test_module_level_and_exception_module() -> None:
    namespace = module("pkg.errors", "class AppError(Exception):\n    pass\n")

    def fail() -> None:
        raise namespace["AppError"]("nope")

    data = capture(fail)
    assert data.exception_type == "AppError"
    assert data.exception_module == "pkg.errors"
    assert data.exception_formatted == "pkg.errors.AppError: nope\n"


def test_empty_message() -> None:
    def fail() -> None:
        raise ValueError

    data = capture(fail)
    assert data.exception_value == ""
    assert data.exception_formatted == "ValueError\n"


def test_none_exception_is_collected() -> None:
    data = collect_exception(None, None, None)
    assert isinstance(data, CollectedException)
    assert data.frames == ()


# -- identification code -----------------------------------------------------------------


def _by_hand(text: str) -> str:
    """Paste's algorithm, spelled out independently of the code under test."""
    digits = "23456789abcdefghjkmnpqrtuvwxyz"
    number = 0
    for byte in hashlib.md5(text.encode("utf-8")).digest():  # noqa: S324
        number = (number * 256 + byte) % 30**5
    code = ""
    for _ in range(5):
        code += digits[number % 30]
        number //= 30
    return "E-" + code.upper()


def _two_module_traceback() -> tuple[type[BaseException], BaseException, Any]:
    first = module("mod_a", "def f1(g):\n    g()\n")
    second = module("mod_b", "def f2():\n    raise ValueError('x')\n")
    try:
        first["f1"](second["f2"])
    except ValueError as error:
        return type(error), error, error.__traceback__.tb_next
    raise AssertionError("did not raise")


def test_identification_code_by_hand() -> None:
    etype, value, tb = _two_module_traceback()
    data = collect_exception(etype, value, tb)
    assert data.identification_code == _by_hand("mod_a f1 mod_b f2 <class 'ValueError'>")


def test_identification_code_ignores_message_and_lines() -> None:
    first = module("mod_c", "def f():\n    raise ValueError('one')\n")
    second = module("mod_c", "\n\n\ndef f():\n    raise ValueError('two')\n")
    assert capture(first["f"]).identification_code == capture(second["f"]).identification_code


def test_identification_code_depends_on_type() -> None:
    first = module("mod_d", "def f():\n    raise ValueError()\n")
    second = module("mod_d", "def f():\n    raise KeyError()\n")
    assert capture(first["f"]).identification_code != capture(second["f"]).identification_code


def test_missing_module_name_is_a_question_mark() -> None:
    namespace: dict[str, Any] = {}
    exec(compile("def f():\n    raise ValueError()\n", "<x>", "exec"), namespace)  # noqa: S102
    del namespace["__builtins__"]
    data = capture(namespace["f"])
    assert data.identification_code == _by_hand("? f <class 'ValueError'>")


def test_identification_code_matches_paste() -> None:
    from paste.exceptions import collector as paste_collector

    etype, value, tb = _two_module_traceback()
    paste_data = paste_collector.collect_exception(etype, value, tb)
    assert collect_exception(etype, value, tb).identification_code == (
        paste_data.identification_code
    )


def test_hash_identifier_matches_paste() -> None:
    from paste.exceptions.serial_number_generator import hash_identifier as paste_hash

    for text in ("", "a", "mod f <class 'KeyError'>", "ünïcode"):
        for length in (1, 5, 10, 26):
            assert hash_identifier(text, length) == paste_hash(text, length)
    assert hash_identifier("x", 10, group=4, upper=True, prefix="M-") == paste_hash(
        "x", 10, group=4, upper=True, prefix="M-"
    )


def test_paste_doctest_values() -> None:
    assert make_identifier(0) == ""
    assert make_identifier(1000) == "c53"
    assert make_identifier(1000000000000) == "c53x9rqh3"
    assert hash_identifier(0, 5) == "cy2dr"
    assert hash_identifier("this is a test of a long string", 5) == "awatu"
    assert hash_identifier(0, 10, group=4, upper=True, prefix="M-") == "M-CY-2DR6-RG46"


def test_identifier_errors() -> None:
    with pytest.raises(ValueError, match="negative"):
        make_identifier(-1)
    with pytest.raises(ValueError, match="26"):
        hash_identifier("x", 30)


def test_occurrence_ids_are_unique() -> None:
    ids = {capture(fail_with_value_error).occurrence_id for _ in range(50)}
    assert len(ids) == 50
    assert DEBUG_IDENT_PREFIX == "E-"


# -- magic variables -----------------------------------------------------------------------


class Supplement:
    def __init__(self, obj: object, url: str) -> None:
        self.object = obj
        self.source_url = url
        self.line = 7
        self.column = "3"
        self.expression = "a + b"
        self.warnings = ["careful", 42]
        self.request_method = "POST"

    def getInfo(self) -> str:
        return "some info"

    def extraData(self) -> dict[object, object]:
        return {
            ("important", "User"): "bob",
            "plain": {"a": 1, "password": "x"},
            ("weird", "Level"): [1, 2],
            ("extra", "api_key"): "abc",
        }


def test_traceback_supplement_from_locals() -> None:
    def fail() -> None:
        __traceback_supplement__ = (Supplement, "the object", "http://example.com/x")
        raise ValueError

    data = capture(fail)
    supplement = data.frames[-1].supplement
    assert supplement is not None
    assert supplement.object == "'the object'"  # its repr, as Paste showed it
    assert supplement.source_url == "http://example.com/x"
    assert supplement.line == 7
    assert supplement.column == 3
    assert supplement.expression == "a + b"
    assert supplement.warnings == ("careful", "42")
    assert supplement.info == "some info"
    assert supplement.request_method == "POST"
    assert data.frames[-1].supplement_exception is None
    # Kept as Paste keeps it: the keys as given, plain values themselves (copied).
    assert data.extra_data == {
        ("important", "User"): ["bob"],
        "plain": [{"a": 1, "password": REDACTED}],
        ("weird", "Level"): [[1, 2]],
        ("extra", "api_key"): [REDACTED],
    }
    assert supplement.extra == {key: value[0] for key, value in data.extra_data.items()}
    assert data.request_url == "http://example.com/x"
    assert data.request_method == "POST"


def test_traceback_supplement_from_globals() -> None:
    namespace = module(
        "with_global_supplement",
        "class S:\n    source_url = 'http://g/'\n"
        "__traceback_supplement__ = (S,)\n"
        "def f():\n    raise ValueError()\n",
    )
    data = capture(namespace["f"])
    assert data.frames[-1].supplement is not None
    assert data.frames[-1].supplement.source_url == "http://g/"


def test_supplement_object_that_is_not_a_string_is_a_repr() -> None:
    def fail() -> None:
        __traceback_supplement__ = (Supplement, ["x"], "http://e/")
        raise ValueError

    supplement = capture(fail).frames[-1].supplement
    assert supplement is not None
    assert supplement.object == "['x']"


def test_innermost_supplement_gives_the_request() -> None:
    def inner() -> None:
        __traceback_supplement__ = (Supplement, "inner", "http://inner/")
        raise ValueError

    def outer() -> None:
        __traceback_supplement__ = (Supplement, "outer", "http://outer/")
        inner()

    data = capture(outer)
    assert data.request_url == "http://inner/"


def test_supplement_url_password_is_redacted() -> None:
    def fail() -> None:
        __traceback_supplement__ = (Supplement, "o", "http://bob:pw@h/?token=abc")
        raise ValueError

    data = capture(fail)
    assert data.request_url == "http://bob:[REDACTED]@h/?token=[REDACTED]"


def test_raising_supplement_factory() -> None:
    def factory() -> object:
        raise LookupError("factory broke")

    def fail() -> None:
        __traceback_supplement__ = (factory,)
        raise ValueError

    frame = capture(fail).frames[-1]
    assert frame.supplement is None
    assert frame.supplement_exception is not None
    assert "LookupError: factory broke" in frame.supplement_exception
    assert "Traceback" in frame.supplement_exception


class BrokenInfo:
    source_url = "http://still-here/"

    def getInfo(self) -> str:
        raise RuntimeError("info broke")

    def extraData(self) -> object:
        return ["not", "a", "dict"]


def test_raising_get_info_and_bad_extra_data_keep_the_rest() -> None:
    def fail() -> None:
        __traceback_supplement__ = (BrokenInfo,)
        raise ValueError

    frame = capture(fail).frames[-1]
    assert frame.supplement is not None
    assert frame.supplement.source_url == "http://still-here/"
    assert frame.supplement.info is None
    assert frame.supplement_exception is not None
    assert "RuntimeError: info broke" in frame.supplement_exception
    assert "not a mapping" in frame.supplement_exception


def test_supplement_that_is_not_a_tuple() -> None:
    def fail() -> None:
        __traceback_supplement__ = 42
        raise ValueError

    frame = capture(fail).frames[-1]
    assert frame.supplement is None
    assert frame.supplement_exception is not None
    assert "(factory, *args)" in frame.supplement_exception


def test_traceback_info_is_its_str() -> None:
    def fail() -> None:
        __traceback_info__ = {"k": 1}
        raise ValueError

    assert capture(fail).frames[-1].traceback_info == "{'k': 1}"


def test_traceback_info_is_redacted() -> None:
    def fail() -> None:
        __traceback_info__ = "connecting with password=hunter2"
        raise ValueError

    assert capture(fail).frames[-1].traceback_info == "connecting with password=[REDACTED]"


def test_traceback_info_only_from_locals() -> None:
    namespace = module(
        "info_global", "__traceback_info__ = 'global'\ndef f():\n    raise ValueError()\n"
    )
    assert capture(namespace["f"]).frames[-1].traceback_info is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("before", "before"),
        ("before_and_this", "before_and_this"),
        ("after", "after"),
        ("after_and_this", "after_and_this"),
        ("reset", "reset"),
        ("reset_and_this", "reset_and_this"),
        ("something else", True),
        ("", False),
        (1, True),
    ],
)
def test_traceback_hide_values(value: object, expected: object) -> None:
    def fail() -> None:
        __traceback_hide__ = value
        raise ValueError

    assert capture(fail).frames[-1].traceback_hide == expected


def test_traceback_hide_unset_is_none() -> None:
    assert capture(fail_with_value_error).frames[-1].traceback_hide is None


def test_traceback_hide_from_globals_and_locals_first() -> None:
    namespace = module(
        "hide_global",
        "__traceback_hide__ = 'before'\n"
        "def f():\n    raise ValueError()\n"
        "def g():\n    __traceback_hide__ = 'after'\n    raise ValueError()\n",
    )
    assert capture(namespace["f"]).frames[-1].traceback_hide == "before"
    assert capture(namespace["g"]).frames[-1].traceback_hide == "after"


def test_traceback_log() -> None:
    def fail() -> None:
        __traceback_log__ = "log this"  # noqa: F841
        raise ValueError

    assert capture(fail).frames[-1].traceback_log == "log this"


def test_traceback_decorator_replaces_the_result() -> None:
    seen: list[CollectedException] = []

    def decorator(data: CollectedException) -> CollectedException:
        seen.append(data)
        return dataclasses.replace(data, exception_value="decorated")

    def fail() -> None:
        __traceback_decorator__ = decorator  # noqa: F841
        raise ValueError("plain")

    data = capture(fail)
    assert data.exception_value == "decorated"
    assert seen[0].exception_value == "plain"


def test_traceback_decorator_returning_none_keeps_the_result() -> None:
    def decorator(data: CollectedException) -> None:
        data.extra_data[("normal", "Added")] = ["by decorator"]

    def fail() -> None:
        __traceback_decorator__ = decorator  # noqa: F841
        raise ValueError("plain")

    data = capture(fail)
    assert data.exception_value == "plain"
    assert data.extra_data[("normal", "Added")] == ["by decorator"]


def test_decorators_apply_outermost_first_once_each() -> None:
    order: list[str] = []

    def make(name: str) -> Callable[[CollectedException], None]:
        def decorator(data: CollectedException) -> None:
            order.append(name)

        return decorator

    outer_decorator = make("outer")

    def inner() -> None:
        __traceback_decorator__ = make("inner")  # noqa: F841
        raise ValueError

    def middle() -> None:
        __traceback_decorator__ = outer_decorator  # noqa: F841
        inner()

    def outer() -> None:
        __traceback_decorator__ = outer_decorator  # noqa: F841
        middle()

    capture(outer)
    assert order == ["outer", "inner"]


def test_raising_decorator_is_recorded() -> None:
    def decorator(data: CollectedException) -> CollectedException:
        raise RuntimeError("decorator broke")

    def fail() -> None:
        __traceback_decorator__ = decorator  # noqa: F841
        raise ValueError("plain")

    data = capture(fail)
    assert data.exception_value == "plain"
    assert any("decorator broke" in note for note in data.collection_notes)


def test_decorator_returning_garbage_is_ignored_and_recorded() -> None:
    def fail() -> None:
        __traceback_decorator__ = lambda data: 42  # noqa: E731, F841
        raise ValueError("plain")

    data = capture(fail)
    assert data.exception_value == "plain"
    assert any("not a CollectedException" in note for note in data.collection_notes)


class CapturingReporter:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log
        self.reports: list[CollectedException] = []

    def report(self, exc_data: CollectedException) -> None:
        self.log.append(self.name)
        self.reports.append(exc_data)


def test_traceback_reporter_gets_the_report_innermost_first() -> None:
    log: list[str] = []
    outer_reporter = CapturingReporter("outer", log)
    inner_reporters = [CapturingReporter("inner1", log), CapturingReporter("inner2", log)]

    def inner() -> None:
        __traceback_reporter__ = inner_reporters  # noqa: F841
        raise ValueError("reported")

    def outer() -> None:
        __traceback_reporter__ = outer_reporter  # noqa: F841
        inner()

    data = capture(outer)
    assert log == ["inner1", "inner2", "outer"]
    assert outer_reporter.reports[0].exception_value == "reported"
    assert outer_reporter.reports[0].identification_code == data.identification_code
    assert data.reporter_errors == ()


def test_failing_traceback_reporter_is_recorded() -> None:
    class Broken:
        def report(self, exc_data: CollectedException) -> None:
            raise OSError("smtp down")

    log: list[str] = []
    good = CapturingReporter("good", log)

    def fail() -> None:
        __traceback_reporter__ = (Broken(), object(), good)  # noqa: F841
        raise ValueError

    data = capture(fail)
    assert log == ["good"]
    assert len(data.reporter_errors) == 2
    assert "OSError: smtp down" in data.reporter_errors[0]
    assert "no report() method" in data.reporter_errors[1]


def test_reporter_that_collects_again_does_not_loop() -> None:
    calls: list[int] = []

    class Recollecting:
        def report(self, exc_data: CollectedException) -> None:
            calls.append(1)
            try:
                fail()
            except ValueError as error:
                collect_exception(type(error), error, error.__traceback__)

    reporter = Recollecting()

    def fail() -> None:
        __traceback_reporter__ = reporter  # noqa: F841
        raise ValueError

    capture(fail)
    assert calls == [1]


# -- locals ---------------------------------------------------------------------------------


def with_locals() -> None:
    user = "bob"
    password = "hunter2"
    settings = {"api_key": "abc", "debug": True}
    dsn = "postgres://app:s3cret@db/app"
    __traceback_info__ = "info"
    raise ValueError(user, password, settings, dsn)


def test_locals_only_when_asked() -> None:
    assert capture(with_locals).frames[-1].locals is None
    assert capture(with_locals).locals_collected is False


def test_locals_are_bounded_and_redacted() -> None:
    data = capture(with_locals, collect_locals=True)
    assert data.locals_collected is True
    local_vars = {var.name: var for var in data.frames[-1].locals or ()}
    assert set(local_vars) == {"user", "password", "settings", "dsn"}
    assert local_vars["user"].value == "'bob'"
    assert not local_vars["user"].redacted
    assert local_vars["password"].value == REDACTED
    assert local_vars["password"].redacted
    assert "abc" not in local_vars["settings"].value
    assert local_vars["settings"].redacted
    assert local_vars["dsn"].value == "'postgres://app:[REDACTED]@db/app'"
    assert local_vars["dsn"].redacted


def test_too_many_locals_are_counted() -> None:
    source = "def f():\n" + "".join(f"    v{i} = {i}\n" for i in range(150)) + "    1/0\n"
    namespace = module("many_locals", source)
    frame = capture(namespace["f"], collect_locals=True).frames[-1]
    assert frame.locals is not None
    assert len(frame.locals) == collector.MAX_LOCALS
    assert frame.omitted_locals == 50


def test_custom_redactor() -> None:
    from paste_exc.redact import Redactor

    data = capture(with_locals, collect_locals=True, redactor=Redactor(extra_names=["user"]))
    local_vars = {var.name: var for var in data.frames[-1].locals or ()}
    assert local_vars["user"].value == REDACTED


# -- Paste's API --------------------------------------------------------------------------------


def test_exception_collector_paste_api(monkeypatch: pytest.MonkeyPatch) -> None:
    collector_obj = ExceptionCollector()
    monkeypatch.delattr(sys, "tracebacklimit", raising=False)
    assert collector_obj.getLimit() is None
    assert ExceptionCollector(limit=3).getLimit() == 3
    monkeypatch.setattr(sys, "tracebacklimit", 7, raising=False)
    assert collector_obj.getLimit() == 7
    assert collector_obj.getRevision({"__revision__": "1.2"}) is None
    collector_obj.show_revisions = True
    assert collector_obj.getRevision({"__version__": " 3.4 "}) == "3.4"
    assert collector_obj.getRevision({"__revision__": "r9", "__version__": "v"}) == "r9"
    assert collector_obj.safeStr(b"x") == "b'x'"
    assert collector_obj.collectExceptionOnly(ValueError, ValueError("v")) == ["ValueError: v\n"]


def test_collect_exception_method_and_collect_line() -> None:
    try:
        fail_with_value_error()
    except ValueError:
        etype, value, tb = sys.exc_info()
    collector_obj = ExceptionCollector()
    data = collector_obj.collectException(etype, value, tb)
    assert data.frames[-1].name == "fail_with_value_error"
    assert tb is not None
    extra: dict[Any, Any] = {}
    fields = collector_obj.collectLine(tb.tb_next, extra)  # type: ignore[arg-type]
    assert ExceptionFrame(**fields).name == "fail_with_value_error"  # type: ignore[arg-type]
    supplement = collector_obj.collectSupplement(Supplement("o", "http://x/"))
    assert supplement.info == "some info"


def test_invalid_limit_is_a_config_error() -> None:
    from paste_exc.errors import ConfigError

    with pytest.raises(ConfigError, match="limit"):
        ExceptionCollector(limit="5")  # type: ignore[arg-type]


def test_exception_formatter_frames_stop_the_walk() -> None:
    def formatter_frame() -> None:
        __exception_formatter__ = 1  # noqa: F841 - Paste's recursion marker
        fail_with_value_error()

    data = capture(formatter_frame)
    assert data.frames == ()
    assert "(Recursive formatException() stopped)" in data.collection_notes


def test_bunch() -> None:
    bunch = collector.Bunch(a=1, _hidden=2)
    assert bunch.a == 1  # type: ignore[attr-defined]
    assert repr(bunch) == "<Bunch a='1'>"


def test_traceback_decorator_property_is_none() -> None:
    assert ExceptionFrame().traceback_decorator is None


def _raised(func: Callable[[], object]) -> BaseException:
    try:
        func()
    except Exception as error:
        return error
    raise AssertionError("did not raise")


# -- collected_data ------------------------------------------------------------------------------


def test_collected_data_collects_once_per_catch() -> None:
    from paste_exc.model.occurrence import catch

    log: list[str] = []
    reporter = CapturingReporter("r", log)

    def fail() -> None:
        __traceback_reporter__ = reporter  # noqa: F841
        raise ValueError("once")

    error = _raised(fail)
    with catch(error):
        first = collected_data(error)
        second = collected_data(error)
        assert first is second
        richer = collected_data(error, collect_locals=True)
        assert richer.locals_collected
        assert richer.occurrence_id == first.occurrence_id  # still the same occurrence
        assert collected_data(error) is richer
    assert log == ["r"]
    assert not [name for name in vars(error) if "paste_exc" in name]
    # Outside the catch, asking again is a new occurrence.
    assert collected_data(error).occurrence_id != first.occurrence_id


def test_collected_data_for_an_exception_that_refuses_attributes() -> None:
    class Stubborn(Exception):
        def __setattr__(self, name: str, value: object) -> None:
            raise AttributeError("read-only")

    try:
        raise Stubborn("x")
    except Stubborn as error:
        data = collected_data(error)
    assert data.exception_type == "Stubborn"


def test_collected_data_of_an_unraised_exception() -> None:
    data = collected_data(ValueError("never raised"))
    assert data.frames == ()
    assert data.exception_value == "never raised"


# -- inert data -------------------------------------------------------------------------------


def test_result_pickles_and_compares_equal() -> None:
    def fail() -> None:
        __traceback_supplement__ = (Supplement, "o", "http://x/")
        __traceback_info__ = "i"
        raise ValueError("pickle me")

    data = capture(fail, collect_locals=True)
    assert pickle.loads(pickle.dumps(data)) == data  # noqa: S301


def test_result_json_encodes() -> None:
    def fail() -> None:
        __traceback_supplement__ = (Supplement, "o", "http://x/")
        raise ValueError("json me")

    data = capture(fail, collect_locals=True)
    encoded = json.loads(json.dumps(data.as_json_dict()))
    assert encoded["exception_value"] == "json me"
    assert {"importance": "important", "title": "User", "values": ["bob"]} in encoded["extra_data"]
    assert isinstance(encoded["date"], str)
    assert encoded["frames"][-1]["supplement"]["source_url"] == "http://x/"


def test_result_is_frozen() -> None:
    data = capture(fail_with_value_error)
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.exception_value = "x"  # type: ignore[misc]
