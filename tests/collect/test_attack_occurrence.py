"""Attack: one exception object raised by two threads at the same moment.

A raise puts its traceback entries in front of the exception object's
``__traceback__``. When two threads raise and propagate the same object at
once, each thread prepends its entries to whatever the other left there, so
either thread's traceback can hold the other's frames (with their locals and
request data), in front of its own catching frame or between its own frames.
Each catch must still report only its own request.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from paste_exc.collector import CollectedException, collect_exception
from paste_exc.errormiddleware import ErrorMiddleware

SHARED = ValueError("the shared failure")
WAIT = 10.0


@pytest.fixture(autouse=True)
def _forget_the_shared_traceback() -> Iterator[None]:
    yield
    SHARED.__traceback__ = None


class Request:
    """A request supplement, as a middleware's frame names it."""

    def __init__(self, url: str) -> None:
        self.source_url = url


def raise_shared(tag: str) -> None:
    marker = f"<local of {tag}>"  # noqa: F841 - a local the report may show
    raise SHARED


def run_both(first: Callable[[], None], second: Callable[[], None]) -> None:
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * WAIT)
    assert not any(thread.is_alive() for thread in threads)


def test_entries_put_in_front_of_the_catching_frame_by_another_thread() -> None:
    """A reads the traceback after B's catch put B's frames in front of A's."""
    caught_a = threading.Event()
    caught_b = threading.Event()
    reports: dict[str, CollectedException] = {}

    def request(
        name: str, caught: threading.Event, wait_for: threading.Event | None
    ) -> CollectedException:
        # (No local may reach the other thread's report: it would show in this one.)
        __traceback_supplement__ = (Request, f"http://host/{name}")
        try:
            raise_shared(name)
        except ValueError as error:
            caught.set()
            if wait_for is not None:
                assert wait_for.wait(WAIT)
            return collect_exception(type(error), error, error.__traceback__, collect_locals=True)
        raise AssertionError("did not raise")

    def first() -> None:
        reports["alpha"] = request("alpha", caught_a, caught_b)

    def second() -> None:
        assert caught_a.wait(WAIT)
        reports["beta"] = request("beta", caught_b, None)

    run_both(first, second)
    alpha, beta = reports["alpha"], reports["beta"]
    assert alpha.request_url == "http://host/alpha"
    assert beta.request_url == "http://host/beta"
    assert "beta" not in str(alpha.as_json_dict())
    assert "<local of alpha>" in str(alpha.as_json_dict())
    assert "<local of beta>" in str(beta.as_json_dict())
    assert alpha.occurrence_id != beta.occurrence_id


def wsgi_environ(name: str, errors: io.StringIO) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": f"/{name}",
        "QUERY_STRING": f"q=query-of-{name}",
        "SERVER_NAME": "host",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": errors,
    }


def failing_app(events: dict[str, threading.Event]) -> Callable[..., Any]:
    """An application raising SHARED; the first request's propagation waits for the second."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        tenant = "tenant-" + environ["PATH_INFO"].strip("/")  # noqa: F841 - shown as a local
        try:
            raise_shared(environ["PATH_INFO"])
        finally:
            if environ["PATH_INFO"] == "/alpha":
                # Alpha's exception is on its way out of this frame while beta raises
                # the same object and gets caught.
                events["alpha raised"].set()
                assert events["beta caught"].wait(WAIT)
        return []

    return app


def test_entries_between_the_frames_of_this_request_are_left_out() -> None:
    """B's entries land inside A's traceback, between A's middleware frame and A's app frame."""
    events = {"alpha raised": threading.Event(), "beta caught": threading.Event()}
    results: dict[str, tuple[str, str]] = {}

    class Middleware(ErrorMiddleware):
        def _answer_error(self, exc: Exception, environ: Any, state: Any, *, sent: bool) -> Any:
            try:
                return super()._answer_error(exc, environ, state, sent=sent)
            finally:
                if environ["PATH_INFO"] == "/beta":
                    events["beta caught"].set()

    middleware = Middleware(failing_app(events), debug=True, show_locals=True)

    def request(name: str) -> None:
        errors = io.StringIO()
        env = wsgi_environ(name, errors)
        body = b"".join(middleware(env, lambda status, headers, exc_info=None: None))
        results[name] = (body.decode(), errors.getvalue())

    def second() -> None:
        assert events["alpha raised"].wait(WAIT)
        request("beta")

    run_both(lambda: request("alpha"), second)
    for name, other in (("alpha", "beta"), ("beta", "alpha")):
        page, log = results[name]
        assert f"query-of-{name}" in page
        assert f"tenant-{name}" in page
        for output in (page, log):
            assert f"query-of-{other}" not in output
            assert f"tenant-{other}" not in output
            assert f"<local of /{other}>" not in output


def raise_shared_elsewhere(tag: str) -> None:
    marker = f"<local of {tag}>"  # noqa: F841 - a local the report may show
    raise SHARED


def test_entries_behind_the_frames_of_this_request_are_shown_without_their_locals() -> None:
    """B raised first (elsewhere) and is still on its way out when A raises: A's
    traceback ends with B's frames; they are another occurrence's."""
    events = {"beta raised": threading.Event(), "alpha done": threading.Event()}
    results: dict[str, str] = {}

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        tenant = "tenant-" + environ["PATH_INFO"].strip("/")  # noqa: F841 - shown as a local
        if environ["PATH_INFO"] == "/beta":
            try:
                raise_shared_elsewhere("/beta")
            finally:
                events["beta raised"].set()
                assert events["alpha done"].wait(WAIT)
        raise_shared(environ["PATH_INFO"])
        return []

    middleware = ErrorMiddleware(app, debug=True, show_locals=True)

    def request(name: str) -> None:
        env = wsgi_environ(name, io.StringIO())
        body = b"".join(middleware(env, lambda status, headers, exc_info=None: None))
        results[name] = body.decode() + env["wsgi.errors"].getvalue()

    def first() -> None:
        assert events["beta raised"].wait(WAIT)
        try:
            request("alpha")
        finally:
            events["alpha done"].set()

    run_both(first, lambda: request("beta"))
    alpha = results["alpha"]
    assert "tenant-alpha" in alpha
    assert "&lt;local of /alpha&gt;" in alpha or "<local of /alpha>" in alpha
    for leak in ("tenant-beta", "query-of-beta", "local of /beta"):
        assert leak not in alpha


def test_a_helper_that_raised_and_caught_it_in_front_is_this_raise() -> None:
    """In front of the catching frame, but no sign of another catch: nothing is left out."""

    def helper(error: ValueError) -> ValueError:
        try:
            raise error
        except ValueError as again:
            return again

    def main() -> CollectedException:
        try:
            raise_shared("main")
        except ValueError as error:
            again = helper(error)
            return collect_exception(type(again), again, again.__traceback__, collect_locals=True)
        raise AssertionError("did not raise")

    data = main()
    assert [frame.name for frame in data.frames][:3] == ["helper", "main", "raise_shared"]
    assert not [note for note in data.collection_notes if "another thread" in note]
