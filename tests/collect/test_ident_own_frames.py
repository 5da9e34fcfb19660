"""The identification code of a caught error leaves paste_exc's own frames out.

The same failing application gets the same code whether the middleware
catches it once or nested, while it is called or while its body is iterated,
and when it is collected with no middleware at all; paste_exc's frames stay in
the report as hidden frames. Which frames are ours is decided by the code's
file being inside the installed package directory, never by a name.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from types import CodeType, TracebackType
from typing import Any

import pytest

import paste_exc
from paste_exc.collect import walk as _walk
from paste_exc.collector import CollectedException, collect_exception, hash_identifier
from paste_exc.errormiddleware import ErrorMiddleware, handle_exception
from paste_exc.report.delivery import synchronous_delivery
from paste_exc.testing import CapturingReporter

#: The installed package directory, symlinks resolved.
PACKAGE_DIR = Path(os.path.realpath(os.path.dirname(paste_exc.__file__)))

APP_SOURCE = """\
def fail():
    raise ValueError("boom")


def app(environ, start_response):
    fail()


def gen_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield from body()


def body():
    fail()
    yield b"never"
"""

#: A frame of "ours" between the middleware and the application.
WRAPPER_SOURCE = """\
def wrap(app):
    def wrapped(environ, start_response):
        return app(environ, start_response)
    return wrapped


def wrap_iter(app):
    def wrapped(environ, start_response):
        yield from app(environ, start_response)
    return wrapped
"""


def wrapped_code(wrapper: dict[str, Any]) -> CodeType:
    """The code of the frame :data:`WRAPPER_SOURCE`'s ``wrap`` inserts."""
    code: CodeType = wrapper["wrap"](print).__code__
    return code


CALL_PARTS = "shop.views app shop.views fail"
ITER_PARTS = "shop.views gen_app shop.views body shop.views fail"


def load(source: str, name: str, filename: Path | str) -> dict[str, Any]:
    """Execute *source* as module *name* whose code has the file name *filename*."""
    namespace: dict[str, Any] = {"__name__": name}
    exec(compile(source, str(filename), "exec"), namespace)  # noqa: S102
    return namespace


def by_hand(parts: str) -> str:
    """Paste's code for the traceback *parts* and a ValueError."""
    return hash_identifier(f"{parts} <class 'ValueError'>", length=5, upper=True, prefix="E-")


@pytest.fixture
def shop(tmp_path: Path) -> dict[str, Any]:
    """The failing application, a module of the user's outside paste_exc."""
    path = tmp_path / "shop" / "views.py"
    path.parent.mkdir()
    path.write_text(APP_SOURCE)
    return load(APP_SOURCE, "shop.views", path)


def environ() -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }


def through_middleware(app: Callable[..., Any], *, nested: bool = False) -> CollectedException:
    """The one report the middleware (both when *nested*) makes of *app*'s error."""
    capture = CapturingReporter()
    wrapped: Callable[..., Any] = ErrorMiddleware(app, reporters={"capture": capture})
    if nested:
        wrapped = ErrorMiddleware(wrapped, reporters={"capture": capture})
    with synchronous_delivery():
        body: Iterable[bytes] = wrapped(environ(), lambda *args: None)
        page = b"".join(body)
    assert len(capture) == 1
    data = capture.last.exc_data
    assert data.exception_type == "ValueError"
    assert data.identification_code.encode() in page
    return data


def app_traceback(run: Callable[[], object], first: CodeType) -> BaseException:
    """Run *run*; return its error with a traceback starting at the frame running *first*."""
    try:
        run()
    except Exception as error:
        tb: TracebackType | None = error.__traceback__
        while tb is not None and tb.tb_frame.f_code is not first:
            tb = tb.tb_next
        assert tb is not None
        return error.with_traceback(tb)
    raise AssertionError("did not raise")


def without_middleware(error: BaseException) -> tuple[str, str]:
    """The codes of collect_exception() and handle_exception() for *error*."""
    collected = collect_exception(type(error), error, error.__traceback__).identification_code
    stream = io.StringIO()
    handle_exception((type(error), error, error.__traceback__), stream, html=False)
    found = re.search(r"identification_code=(E-[0-9A-Z]{5})", stream.getvalue())
    assert found is not None, stream.getvalue()
    return collected, found.group(1)


def test_call_path_code_is_the_applications_alone(shop: dict[str, Any]) -> None:
    app = shop["app"]
    direct = without_middleware(app_traceback(lambda: app(environ(), None), app.__code__))
    assert direct == (by_hand(CALL_PARTS), by_hand(CALL_PARTS))
    assert through_middleware(app).identification_code == by_hand(CALL_PARTS)
    assert through_middleware(app, nested=True).identification_code == by_hand(CALL_PARTS)


def test_iteration_path_code_is_the_applications_alone(shop: dict[str, Any]) -> None:
    app = shop["gen_app"]
    direct = without_middleware(app_traceback(lambda: list(app(environ(), print)), app.__code__))
    assert direct == (by_hand(ITER_PARTS), by_hand(ITER_PARTS))
    assert through_middleware(app).identification_code == by_hand(ITER_PARTS)
    assert through_middleware(app, nested=True).identification_code == by_hand(ITER_PARTS)


def test_our_frames_stay_in_the_report_hidden(shop: dict[str, Any]) -> None:
    catching, passing, *app_frames = through_middleware(shop["app"], nested=True).frames
    assert (catching.name, catching.traceback_hide) == ("__call__", True)
    # The inner middleware saw paste.throw_errors and let the error pass.
    assert (passing.name, passing.traceback_hide) == ("__call__", None)
    assert PACKAGE_DIR in Path(os.path.realpath(passing.filename)).parents
    assert [frame.name for frame in app_frames] == ["app", "fail"]
    iter_frames = through_middleware(shop["gen_app"]).frames
    assert [(frame.name, frame.traceback_hide) for frame in iter_frames] == [
        ("__iter__", True),
        ("gen_app", None),
        ("body", None),
        ("fail", None),
    ]


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(lambda tmp: PACKAGE_DIR / "_inserted_wrapper.py", id="in the package"),
        pytest.param(lambda tmp: PACKAGE_DIR / "backends" / "_inserted.py", id="in a subpackage"),
        pytest.param(lambda tmp: tmp / "link" / "_inserted_wrapper.py", id="through a symlink"),
    ],
)
def test_another_frame_of_ours_leaves_the_code_alone(
    shop: dict[str, Any], tmp_path: Path, where: Callable[[Path], Path]
) -> None:
    (tmp_path / "link").symlink_to(PACKAGE_DIR, target_is_directory=True)
    wrapper = load(WRAPPER_SOURCE, "shop.wrapper", where(tmp_path))
    call_data = through_middleware(wrapper["wrap"](shop["app"]))
    assert call_data.identification_code == by_hand(CALL_PARTS)
    assert "wrapped" in [frame.name for frame in call_data.frames]  # still reported
    iter_data = through_middleware(wrapper["wrap_iter"](shop["gen_app"]))
    assert iter_data.identification_code == by_hand(ITER_PARTS)
    # A frame of ours with no frame of ours in front of it (a helper we call the app with).
    direct = app_traceback(
        lambda: wrapper["wrap"](shop["app"])(environ(), None), wrapped_code(wrapper)
    )
    assert direct.__traceback__ is not None
    assert direct.__traceback__.tb_frame.f_code.co_name == "wrapped"
    assert without_middleware(direct) == (by_hand(CALL_PARTS), by_hand(CALL_PARTS))


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        pytest.param("shop.views", "/srv/my_paste_exc_app/app.py", id="paste_exc in the path"),
        pytest.param("paste_exc.views", "/srv/shop/views.py", id="module named paste_exc"),
        pytest.param("shop.views", f"{PACKAGE_DIR}_extra/views.py", id="sibling directory"),
        pytest.param("shop.views", f"{PACKAGE_DIR}.py", id="sibling file"),
        pytest.param("shop.views", "<paste_exc>", id="pseudo file name"),
        pytest.param("shop.views", "paste_exc/views.py", id="relative file name"),
    ],
)
def test_an_application_frame_named_like_ours_counts(name: str, filename: str) -> None:
    app = load(APP_SOURCE, name, filename)["app"]
    parts = f"{name} app {name} fail"
    assert through_middleware(app).identification_code == by_hand(parts)
    error = app_traceback(lambda: app(environ(), None), app.__code__)
    assert without_middleware(error) == (by_hand(parts), by_hand(parts))


def test_a_traceback_of_our_frames_alone_hashes_the_type_alone() -> None:
    wrapper = load(WRAPPER_SOURCE, "paste_exc._inserted", PACKAGE_DIR / "_inserted.py")
    error = app_traceback(lambda: wrapper["wrap"](int)(None, None), wrapped_code(wrapper))
    tb = error.__traceback__
    assert tb is not None
    # int() raised: the traceback holds the wrapper's frame of ours alone.
    assert tb.tb_next is None
    code = collect_exception(type(error), error, tb).identification_code
    assert code == hash_identifier("<class 'TypeError'>", length=5, upper=True, prefix="E-")


def test_a_limit_counts_the_applications_frames(shop: dict[str, Any]) -> None:
    wrapper = load(WRAPPER_SOURCE, "shop.wrapper", PACKAGE_DIR / "_inserted_wrapper.py")
    error = app_traceback(
        lambda: wrapper["wrap"](shop["app"])(environ(), None), wrapped_code(wrapper)
    )
    assert error.__traceback__ is not None
    code = collect_exception(ValueError, error, error.__traceback__, limit=1).identification_code
    assert code == by_hand("shop.views app")


def test_a_package_installed_through_a_symlink_knows_its_frames(
    shop: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # site-packages/paste_exc is a link to the checkout (a development install).
    site = tmp_path / "site-packages"
    site.mkdir()
    (site / "paste_exc").symlink_to(PACKAGE_DIR, target_is_directory=True)
    monkeypatch.setattr(paste_exc, "__file__", str(site / "paste_exc" / "__init__.py"))
    _walk._own_directory.cache_clear()
    _walk.is_own_code.cache_clear()
    try:
        assert _walk.is_own_code(ErrorMiddleware.__call__.__code__.co_filename)
        assert _walk.is_own_code(str(site / "paste_exc" / "errormiddleware.py"))
        assert not _walk.is_own_code(str(site / "paste_exc_extra" / "app.py"))
        assert through_middleware(shop["app"]).identification_code == by_hand(CALL_PARTS)
    finally:
        monkeypatch.undo()
        _walk._own_directory.cache_clear()
        _walk.is_own_code.cache_clear()
