"""RequestInfo: one request as inert, redacted data (frozen, slotted, no link to the environ)."""

from __future__ import annotations

import copy
import dataclasses
import gc
import io
import json
import pickle
import weakref
from collections.abc import Callable
from typing import Any

import pytest
import webob

from paste_exc import CapturingReporter, ErrorMiddleware
from paste_exc.model.request import RequestInfo
from paste_exc.respond.wsgi.environ import request_info

TOKEN = "dbg-" + "Q7zX" * 8  # what a debug token looks like (never in the source as one piece)


class Environ(dict[str, Any]):
    """A dict that a weak reference can point at (a plain dict cannot)."""


def environ_with_secrets() -> Environ:
    return Environ(
        {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "/shop",
            "PATH_INFO": "/checkout",
            "QUERY_STRING": "page=2&api_token=qtok-111&paste_exc_debug=" + TOKEN,
            "SERVER_NAME": "shop.example",
            "SERVER_PORT": "443",
            "wsgi.url_scheme": "https",
            "HTTP_HOST": "shop.example",
            "HTTP_COOKIE": f"sessionid=sess-222; paste_exc_debug={TOKEN}",
            "HTTP_AUTHORIZATION": "Bearer auth-333",
            "HTTP_X_API_KEY": "key-444",
            "HTTP_REFERER": f"https://shop.example/?paste_exc_debug={TOKEN}",
            "HTTP_USER_AGENT": "pytest",
            "REMOTE_ADDR": "192.0.2.7",
            "wsgi.input": io.BytesIO(b"card=4111111111111111"),
            "wsgi.errors": io.StringIO(),
            "CONTENT_LENGTH": "21",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
        }
    )


SECRETS = ("qtok-111", "sess-222", "auth-333", "key-444", TOKEN, "4111111111111111")


def test_request_info_is_frozen_and_slotted() -> None:
    info = request_info(environ_with_secrets())
    assert not hasattr(info, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.url = "http://elsewhere/"  # type: ignore[misc]


def test_request_info_keeps_no_reference_to_the_environ() -> None:
    environ = environ_with_secrets()
    gone = weakref.ref(environ)
    info = request_info(environ)
    del environ
    gc.collect()
    assert gone() is None
    assert info.method == "POST"


def test_request_info_holds_strings_numbers_and_tuples_only() -> None:
    info = request_info(environ_with_secrets())
    # Safe to queue, copy and send to another process, as the report is.
    assert pickle.loads(pickle.dumps(info)) == info  # noqa: S301 (our own bytes)
    assert copy.deepcopy(info) == info
    json.dumps(dataclasses.asdict(info), default=str)
    for value in dataclasses.astuple(info):
        assert isinstance(value, str | bool | int | tuple | type(None)), value


def test_request_info_holds_no_secret() -> None:
    info = request_info(environ_with_secrets())
    text = repr(info) + repr(pickle.dumps(info))
    for secret in SECRETS:
        assert secret not in text, secret
    assert info.header("Authorization") == "[REDACTED]"
    assert info.header("x-api-key") == "[REDACTED]"
    assert info.header("Cookie") == "[REDACTED]"
    assert info.cookie_names == ("sessionid", "paste_exc_debug")
    assert dict(info.query)["api_token"] == "[REDACTED]"
    assert dict(info.query)["page"] == "2"


def test_request_info_describes_the_request() -> None:
    info = request_info(environ_with_secrets())
    assert info.url.startswith("https://shop.example/shop/checkout?page=2&api_token=")
    assert (info.scheme, info.https, info.host) == ("https", True, "shop.example")
    assert (info.script_name, info.path_info) == ("/shop", "/checkout")
    assert info.client_address == "192.0.2.7"
    assert info.forwarded is False
    assert info.header("User-Agent") == "pytest"
    # The application never read the body: its fields are not shown, and not read.
    assert info.form is None
    assert info.body_unread is True


def test_form_fields_only_when_the_application_parsed_them() -> None:
    environ = environ_with_secrets()
    body = environ["wsgi.input"]
    environ["webob._parsed_post_vars"] = ({"item": "book", "password": "pw-555"}, body)
    info = request_info(environ)
    assert info.form == (("item", "book"), ("password", "[REDACTED]"))
    assert body.tell() == 0  # the body is not read


def test_a_request_without_a_peer_names_none() -> None:
    info = request_info({"REQUEST_METHOD": "GET"})
    assert info.client_address is None
    assert RequestInfo().method is None


def _failing_after(read: str) -> Callable[..., list[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        request = webob.Request(environ)
        if read == "body":
            assert request.body.startswith(b"item=")
        elif read == "post":
            assert request.POST["item"] == "umbrella"
        raise RuntimeError("the order failed")

    return app


@pytest.mark.parametrize("read", ["body", "post"])
def test_form_fields_of_a_body_the_application_read(read: str) -> None:
    capture = CapturingReporter()
    middleware = ErrorMiddleware(_failing_after(read), reporters={"capture": capture})
    body = b"item=umbrella&password=hunter2&qty=3"
    environ = webob.Request.blank(
        "/orders",
        method="POST",
        body=body,
        content_type="application/x-www-form-urlencoded",
    ).environ
    b"".join(middleware(environ, lambda status, headers, exc_info=None: None))
    (report,) = capture.reports
    fields = dict(report.exc_data.extra_data[("normal", "Form Fields")][0])
    assert fields["item"] == "umbrella"
    assert fields["qty"] == "3"
    assert "hunter2" not in repr(report.exc_data)
    assert environ["wsgi.input"].read() == body or read == "post"  # put back where it was


def test_a_body_nobody_read_is_never_read() -> None:
    capture = CapturingReporter()
    middleware = ErrorMiddleware(_failing_after("nothing"), reporters={"capture": capture})
    environ = webob.Request.blank("/orders", method="POST").environ
    stream = io.BytesIO(b"item=umbrella")  # a server's stream, unread by anyone
    environ.update(CONTENT_TYPE="application/x-www-form-urlencoded", CONTENT_LENGTH="13")
    environ["wsgi.input"] = stream
    environ.pop("webob.is_body_seekable", None)
    b"".join(middleware(environ, lambda status, headers, exc_info=None: None))
    (report,) = capture.reports
    shown = report.exc_data.extra_data[("normal", "Form Fields")][0]
    assert "not read by the application" in str(shown)
    assert stream.read() == b"item=umbrella"  # still all there for whoever reads it
