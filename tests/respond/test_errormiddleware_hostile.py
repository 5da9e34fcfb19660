"""Hostile values reaching the middleware: each costs only its own piece, the client is answered."""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Iterator
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from conftest import Closing

from paste_exc.errormiddleware import ErrorMiddleware

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webtest


class TruthRaising:
    """A ``paste.expected_exceptions`` value whose truth test (and iteration) raises."""

    def __bool__(self) -> bool:
        raise RuntimeError("no truth")

    def __len__(self) -> int:
        raise RuntimeError("no len")

    def __iter__(self) -> Iterator[type]:
        raise RuntimeError("no iteration")


class ClassRaisingError(ValueError):
    @property  # type: ignore[misc]
    def __class__(self) -> type:  # type: ignore[override]
        raise RuntimeError("no class")


class HashRaisingStr(str):
    def __hash__(self) -> int:
        raise RuntimeError("no hash")


def call(app: Any, **extra: Any) -> tuple[list[Any], bytes, str]:
    errors = io.StringIO()
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    environ.update(extra)
    environ["wsgi.errors"] = errors
    calls: list[Any] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        calls.append((status, headers))
        return lambda data: None

    result = ErrorMiddleware(app)(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return calls, body, errors.getvalue()


def raise_before_start(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError("before start")


@pytest.mark.parametrize("value", [TruthRaising(), type("Empty", (TruthRaising,), {})()])
def test_expected_exceptions_whose_truth_test_raises_is_taken_as_empty(value: object) -> None:
    calls, body, _ = call(raise_before_start, **{"paste.expected_exceptions": value})
    assert calls[0][0].startswith("500")
    assert body


def test_expected_exceptions_whose_truth_test_raises_while_iterating() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Closing([b"a"], fail_at=0)

    calls, body, _ = call(app, **{"paste.expected_exceptions": TruthRaising()})
    assert calls[-1][0].startswith("500")
    assert body


def test_expected_exceptions_still_work_beside_the_guard() -> None:
    with pytest.raises(ValueError, match="before start"):
        call(raise_before_start, **{"paste.expected_exceptions": [ValueError]})


def hostile_app(kind: str) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        return helper(kind)

    return app


def helper(kind: str) -> None:
    if kind == "hide":
        __traceback_hide__ = HashRaisingStr("before")
        raise ValueError("hidden value")
    if kind == "class":
        raise ClassRaisingError("class value")
    namespace: dict[str, Any] = {"__name__": TruthRaising()}
    exec("def in_module():\n    raise ValueError('module value')\n", namespace)  # noqa: S102
    namespace["in_module"]()


@pytest.mark.parametrize("kind", ["hide", "class", "module"])
def test_a_hostile_value_leaves_every_output_with_its_frames(kind: str) -> None:
    client = webtest.TestApp(ErrorMiddleware(hostile_app(kind), debug=True, show_locals=True))
    extra = {"paste.throw_errors": False}
    page = client.get("/", status=500, extra_environ=extra, expect_errors=True)
    assert "helper" in page.text
    assert "collection failed" not in page.text
    text = client.get(
        "/", status=500, headers={"Accept": "text/plain"}, extra_environ=extra, expect_errors=True
    )
    assert "in helper" in text.text
    assert "value" in text.text
    problem = client.get(
        "/",
        status=500,
        headers={"Accept": "application/json"},
        extra_environ=extra,
        expect_errors=True,
    )
    document = json.loads(problem.text)
    names = [frame["name"] for frame in document["exception"]["frames"]]
    assert "helper" in names
    assert "app" in names
    assert "value" in document["detail"]
