"""Application or library, how much source, pytest's hide spelling, and the environment facts."""

from __future__ import annotations

import json
import os
import platform
import sys
import threading
from pathlib import Path

import pytest
from webob.multidict import MultiDict

from paste_exc.collect.library import is_library
from paste_exc.collector import CollectedException, ExceptionCollector, collect_exception
from paste_exc.errors import ConfigError
from paste_exc.formatter import format_text
from paste_exc.model.options import CollectOptions, collect_options

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_bad_json() -> None:
    json.loads("{broken")


def webob_fails() -> None:
    MultiDict().pop("missing")


def caught(function: object, **options: object) -> CollectedException:
    try:
        function()  # type: ignore[operator]
    except Exception:
        return collect_exception(*sys.exc_info(), **options)  # type: ignore[arg-type]
    raise AssertionError("did not raise")


def frame_of(data: CollectedException, name: str) -> object:
    return next(frame for frame in data.frames if frame.name == name)


# -- context_lines --------------------------------------------------------------------


def long_function() -> None:
    a = 1
    b = 2
    c = 3
    d = 4
    e = 5
    f = 6
    raise ValueError(a + b + c + d + e + f)


@pytest.mark.parametrize(("around", "count"), [(None, 11), (0, 1), (1, 3), (3, 7)])
def test_context_lines_sets_how_much_source_is_collected(around: int | None, count: int) -> None:
    data = caught(long_function, context_lines=around)
    frame = data.frames[-1]
    assert len(frame.context_lines) == count
    assert frame.context_start == frame.lineno - (count - 1) // 2  # type: ignore[operator]


def test_context_lines_of_the_catch_apply_to_every_collection_in_it() -> None:
    with collect_options(CollectOptions(context_lines=1)):
        data = caught(long_function)
    assert len(data.frames[-1].context_lines) == 3
    assert len(caught(long_function).frames[-1].context_lines) == 11  # outside: the default


@pytest.mark.parametrize("bad", [-1, 101, "many", True, 2.5])
def test_a_bad_context_lines_is_refused_by_name(bad: object) -> None:
    with pytest.raises(ConfigError, match="context_lines"):
        ExceptionCollector(context_lines=bad)  # type: ignore[arg-type]


# -- application or library -------------------------------------------------------------


def test_the_standard_library_and_site_packages_are_libraries() -> None:
    data = caught(parse_bad_json)
    assert frame_of(data, "parse_bad_json").is_library is False  # type: ignore[attr-defined]
    assert all(f.is_library for f in data.frames if f.modname and f.modname.startswith("json"))
    assert caught(webob_fails).frames[-1].is_library is True


def test_app_packages_make_an_installed_package_the_applications() -> None:
    data = caught(webob_fails, app_packages=["webob"])
    assert data.frames[-1].modname == "webob.multidict"
    assert data.frames[-1].is_library is False
    # a prefix is a whole module name, not the start of one
    assert caught(webob_fails, app_packages=["web"]).frames[-1].is_library is True
    assert caught(parse_bad_json, app_packages="json").frames[-1].is_library is False


def test_library_paths_make_files_under_them_libraries() -> None:
    data = caught(parse_bad_json, library_paths=[HERE])
    assert frame_of(data, "parse_bad_json").is_library is True  # type: ignore[attr-defined]
    assert not is_library("/opt/library/x.py", "x", CollectOptions(library_paths=("/opt/lib/",)))
    assert not is_library("/opt/library/x.py", "x", CollectOptions(library_paths=("/opt/lib",)))
    assert is_library("/opt/lib/x.py", "x", CollectOptions(library_paths=("/opt/lib",)))
    assert not is_library(
        "/opt/library/x.py", "x", CollectOptions.checked(library_paths="/opt/lib")
    )
    assert is_library("/opt/lib/x.py", "x", CollectOptions.checked(library_paths="/opt/lib"))


def test_the_interpreter_prefixes_and_pseudo_files() -> None:
    stdlib = os.path.dirname(json.__file__.rsplit(os.sep, 2)[0] + os.sep + "x")
    assert is_library(os.path.join(os.path.dirname(os.__file__), "anything.py"), "anything")
    assert is_library("<frozen importlib._bootstrap>", "importlib._bootstrap")
    assert not is_library("<string>", "__main__")
    assert not is_library("/usr/src/app/views.py", "views")  # /usr is too wide a prefix
    assert stdlib


@pytest.mark.parametrize(
    ("option", "value"),
    [("app_packages", "1bad"), ("app_packages", ["ok", 3]), ("library_paths", "a\x00b")],
)
def test_bad_application_options_are_refused_by_name(option: str, value: object) -> None:
    with pytest.raises(ConfigError, match=option):
        ExceptionCollector(**{option: value})  # type: ignore[arg-type]


# -- __tracebackhide__ ----------------------------------------------------------------------


def fail() -> None:
    raise KeyError("the failing frame")


def pytest_style_helper() -> None:
    __tracebackhide__ = True
    fail()


def callable_hide() -> None:
    __tracebackhide__ = lambda info: True  # noqa: E731 - pytest's filter form
    fail()


def both_spellings() -> None:
    __traceback_hide__ = False
    __tracebackhide__ = True
    fail()


@pytest.mark.parametrize(
    ("function", "hidden"),
    [(pytest_style_helper, True), (callable_hide, True), (both_spellings, False)],
)
def test_tracebackhide_is_a_hide_value(function: object, hidden: bool) -> None:
    data = caught(function)
    assert frame_of(data, function.__name__).traceback_hide is hidden  # type: ignore[attr-defined]
    shown = format_text(data)
    assert (f"in {function.__name__}" not in shown) is hidden  # type: ignore[attr-defined]


# -- the environment --------------------------------------------------------------------------


def test_the_environment_is_collected_once_per_report() -> None:
    data = caught(webob_fails)
    env = data.environment
    assert env is not None
    assert env.python_version == platform.python_version()
    assert env.implementation == platform.python_implementation()
    assert env.executable == sys.executable
    assert env.pid == os.getpid()
    assert env.thread == threading.current_thread().name
    assert env.time_utc.endswith("Z")
    assert env.time_local
    assert list(env.sys_path) == sys.path[:100]
    names = {dist.name.lower(): dist for dist in env.distributions}
    assert "webob" in names
    assert names["webob"].modules == ("webob",)
    assert names["webob"].version
    as_json = data.as_json_dict()["environment"]
    assert isinstance(as_json, dict)
    assert as_json["pid"] == os.getpid()


def test_the_environment_names_distributions_of_chained_frames_too() -> None:
    def chained() -> None:
        try:
            webob_fails()
        except KeyError as error:
            raise ValueError("after webob") from error

    data = caught(chained)
    assert data.environment is not None
    assert any(d.name.lower() == "webob" for d in data.environment.distributions)
    assert data.cause is not None
    assert data.cause.environment is None


def test_sys_path_entries_are_bounded_and_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "/srv/https://user:hunter2hunter2@host/app"
    monkeypatch.setattr(sys, "path", [secret, *[f"/p{i}" for i in range(150)]])
    env = caught(parse_bad_json).environment
    assert env is not None
    assert len(env.sys_path) == 101
    assert env.sys_path[-1].startswith("[51 more")
    assert "hunter2hunter2" not in " ".join(env.sys_path)
    assert Path(env.sys_path[1]) == Path("/p0")
