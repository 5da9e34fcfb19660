"""One failing request flows one way: no stage calls code of a stage above it.

The import graph (``test_import_graph.py``) says what may import what; this
says what runs: while the middleware answers a failing request, the debug page
or the safe page, reported to a log file, a capturing reporter and an extras
provider, every call from one of our functions into another goes to the same
stage or one below it (collect < format < report < respond). The stages beneath
all (model, config, redact, errors and api) may be called from anywhere; what
they call back is a value's own methods (a ``repr()`` of a local variable),
not a stage, so calls they make are not judged.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import paste_exc
from paste_exc import CapturingReporter, ErrorMiddleware
from paste_exc.collect.request import RequestSupplement
from paste_exc.report.delivery import synchronous_delivery
from paste_exc.respond.wsgi.request import Supplement

PACKAGE = Path(paste_exc.__file__).resolve().parent
RANK = {"collect": 1, "format": 2, "report": 3, "respond": 4}
BENEATH = frozenset({"model", "config", "redact"})


def stage_of(filename: str) -> str | None:
    """The stage of a module of ours (``None``: not ours; ``"top"``: above every stage)."""
    try:
        parts = Path(filename).resolve().relative_to(PACKAGE).parts
    except ValueError:
        return None
    if len(parts) > 1 and (parts[0] in RANK or parts[0] in BENEATH):
        return parts[0]
    return "beneath" if parts[-1] in ("errors.py", "api.py") else "top"


def upward_calls(run: Callable[[], object]) -> list[str]:
    """Every call from a stage into a stage above it while *run* runs."""
    found: list[str] = []
    stages: dict[str, str | None] = {}

    def cached(frame: FrameType) -> str | None:
        name = frame.f_code.co_filename
        if name not in stages:
            stages[name] = stage_of(name)
        return stages[name]

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event != "call":
            return
        callee = cached(frame)
        if callee not in RANK:
            return
        caller = frame.f_back
        while caller is not None and cached(caller) is None:
            caller = caller.f_back  # through the standard library and Jinja, to our caller
        if caller is None:
            return
        below = cached(caller)
        if below in RANK and RANK[below] < RANK[callee]:  # type: ignore[index]
            found.append(
                f"{below} {caller.f_code.co_qualname} -> {callee} {frame.f_code.co_qualname}"
            )

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return found


def _inner() -> None:
    raise LookupError("no umbrella for order 42")


def failing_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    _inner()
    return [b"never"]


class Extras:
    def get_extras(self, ctx: object, reporter: object) -> dict[str, object]:
        return {"shop": "north"}


def environ() -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/orders/42",
        "QUERY_STRING": "page=2&token=abc",
        "SERVER_NAME": "shop.example",
        "SERVER_PORT": "443",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_HOST": "shop.example",
        "HTTP_ACCEPT": "text/html",
        "HTTP_COOKIE": "session=8f2c1e0b9d7a4c3e",
        "CONTENT_LENGTH": "5",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b"a=b&c"),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


@pytest.fixture
def capture() -> Iterator[CapturingReporter]:
    with synchronous_delivery():
        yield CapturingReporter()


@pytest.mark.parametrize("debug", [False, True])
def test_a_failing_request_never_calls_up_a_stage(
    debug: bool, capture: CapturingReporter, tmp_path: Path
) -> None:
    middleware = ErrorMiddleware(
        failing_app,
        debug=debug,
        debug_allow="*" if debug else "",
        error_log=str(tmp_path / "errors.log"),
        reporters={"capture": capture},
        extras_providers=[Extras()],
    )
    statuses: list[str] = []

    def run() -> bytes:
        body = middleware(environ(), lambda status, headers, exc_info=None: statuses.append(status))
        return b"".join(body)

    assert upward_calls(run) == []
    assert statuses == ["500 Internal Server Error"]
    (report,) = capture.reports
    assert report.exc_data.request_url == "https://shop.example/orders/42?page=2&token=[REDACTED]"
    assert "no umbrella for order 42" in (tmp_path / "errors.log").read_text(encoding="utf-8")


def test_report_exception_with_an_environ_never_calls_up_a_stage(
    capture: CapturingReporter,
) -> None:
    try:
        _inner()
    except LookupError as error:
        caught = error
    paste_exc.configure_reporters(reporters={"capture": capture})
    try:
        assert upward_calls(lambda: paste_exc.report_exception(environ(), "x", caught)) == []
    finally:
        paste_exc.configure_reporters()
    assert len(capture.reports) == 1


def test_the_trace_sees_an_upward_call() -> None:
    """The check itself: a collect-stage caller reaching respond code is found."""
    found = upward_calls(lambda: RequestSupplement.__init__(Supplement(None, {}), None, {}))
    assert any("-> respond" in line for line in found), found
