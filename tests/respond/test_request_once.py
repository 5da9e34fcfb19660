"""One failing request is read once: page, negotiation and every reporter share one RequestInfo.

And every stage that reads request data works from a RequestInfo alone (no environ):
the transport-neutral contract an ASGI front end builds on.
"""

from __future__ import annotations

import io
import ipaddress
import sys
from collections.abc import Callable
from typing import Any

import pytest
from counting_environ import counting_environ, reread

from paste_exc import ErrorMiddleware, ExceptionCollector
from paste_exc.model.occurrence import catch, catch_request
from paste_exc.model.request import RequestInfo
from paste_exc.redact.engine import Redactor
from paste_exc.report.builtin.capture import CapturingReporter
from paste_exc.report.sdk import raygun, sentry
from paste_exc.report.sdk.context import request_of
from paste_exc.respond import access
from paste_exc.respond.negotiate import Rendering, choose_rendering, debug_allowed, is_xmlhttp
from paste_exc.respond.wsgi.request import Supplement


def failing_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    raise RuntimeError("the order service is down")


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("accept", ["text/html", "application/json", "text/plain"])
def test_each_environ_key_is_read_at_most_once_per_failing_request(
    debug: bool, accept: str
) -> None:
    capture = CapturingReporter()
    middleware = ErrorMiddleware(
        failing_app,
        debug=debug,
        debug_allow="*" if debug else "",
        reporters={"capture": capture, "log": {"backend": "logging"}},
    )
    environ = counting_environ(HTTP_ACCEPT=accept)
    started: list[str] = []
    body = b"".join(
        middleware(environ, lambda status, headers, exc_info=None: started.append(status))
    )
    assert started == ["500 Internal Server Error"]
    assert body
    (report,) = capture.reports
    assert report.exc_data.request_url == "http://shop.example/orders?page=2&_=1"
    again = reread(environ)
    assert again, "the request was read"
    assert max(again.values()) == 1, again


def test_the_catch_keeps_one_request_info_for_every_stage() -> None:
    environ = counting_environ()
    error = RuntimeError("boom")
    first = access.as_request(environ)
    reads = dict(environ.reads)
    with catch(error, request=first, source=environ):
        assert request_of(environ, error) is first
        assert catch_request(environ) is first
        assert access.as_request(environ) is first
        assert dict(environ.reads) == reads  # asked again: nothing read again
    assert catch_request(environ) is None
    assert access.as_request(environ) is not first  # outside the catch: read anew


# -- a RequestInfo built by hand: no environ anywhere -------------------------


def test_negotiation_works_from_a_request_info_alone() -> None:
    json_client = RequestInfo(method="GET", accept="application/json", client_address=None)
    assert choose_rendering(json_client, debug=True) is Rendering.PROBLEM_DEBUG
    # A peer nobody named proves nothing: the default is not an in-process client.
    assert choose_rendering(RequestInfo(accept="application/json"), debug=True) is Rendering.PROBLEM
    proxied = RequestInfo(
        method="GET", accept="application/json", forwarded=True, client_address=None
    )
    assert choose_rendering(proxied, debug=True) is Rendering.PROBLEM
    assert is_xmlhttp(RequestInfo(requested_with="XMLHttpRequest"), "_")
    assert is_xmlhttp(RequestInfo(query_string="_=1", query=(("_", "1"),)), "_")
    assert not is_xmlhttp(RequestInfo(query_string="_=", query=(("_", ""),)), "_")
    xhr = RequestInfo(method="GET", requested_with="XMLHttpRequest", client_address="203.0.113.5")
    assert choose_rendering(xhr, debug=True) is Rendering.SAFE_PAGE
    assert choose_rendering(xhr, debug=True, holds_token=True) is Rendering.FRAGMENT


class UnreadableEnviron(dict[str, Any]):
    """An environ whose every value read raises (a broken server or framework); keys list."""

    def get(self, key: str, default: Any = None) -> Any:
        raise RuntimeError("no")

    def items(self) -> Any:
        raise RuntimeError("no")


def test_an_unreadable_request_is_never_taken_for_an_in_process_client() -> None:
    environ = UnreadableEnviron(REMOTE_ADDR="203.0.113.50")
    assert debug_allowed(environ) is False
    assert choose_rendering(environ, debug=True) is Rendering.SAFE_PAGE
    assert debug_allowed(environ, everyone=True) is True


def test_the_debug_access_rule_works_from_a_request_info_alone() -> None:
    networks = [ipaddress.ip_network("10.0.0.0/8")]
    assert debug_allowed(RequestInfo(client_address="10.1.2.3"), networks)
    assert not debug_allowed(RequestInfo(client_address="10.1.2.3", forwarded=True), networks)
    assert not debug_allowed(RequestInfo(client_address="192.0.2.1"), networks)
    assert not debug_allowed(RequestInfo(client_address=""), networks)
    assert debug_allowed(RequestInfo(client_address=None))  # an in-process test client
    assert not debug_allowed(RequestInfo(client_address=None, forwarded=True))
    # The token is checked on the live request, never on the report: a RequestInfo
    # alone (without holds_token) unlocks nothing, whatever token is configured.
    assert not debug_allowed(RequestInfo(client_address="192.0.2.1"), token="t" * 32)
    assert debug_allowed(RequestInfo(client_address="192.0.2.1"), token="t" * 32, holds_token=True)


def test_the_withheld_notice_works_from_a_request_info_alone() -> None:
    access._withheld.reset()
    stream = io.StringIO()
    request = RequestInfo(method="GET", client_address="198.51.100.4", script_name="/app")
    access.note_withheld(request, "t" * 32, stream)
    line = stream.getvalue()
    assert "REMOTE_ADDR 198.51.100.4" in line
    assert "/app/?paste_exc_debug=" in line or "/app?paste_exc_debug=" in line


HAND_BUILT = RequestInfo(
    method="PUT",
    url="https://api.example/v1/items?id=3&token=[REDACTED]",
    scheme="https",
    host="api.example",
    server_name="api.example",
    server_port="443",
    path_info="/v1/items",
    query_string="id=3&token=[REDACTED]",
    query=(("id", "3"), ("token", "[REDACTED]")),
    headers=(("User-Agent", "client/1.0"), ("Authorization", "[REDACTED]")),
    cookie_names=("sessionid",),
    client_address="203.0.113.9",
    content_type="application/json",
    content_length="12",
)


def test_the_backends_read_the_request_of_the_catch() -> None:
    error = RuntimeError("boom")
    with catch(error) as occurrence:
        occurrence.request = HAND_BUILT
        assert request_of(None, error) is HAND_BUILT
    assert request_of(None, error) is None  # outside a request: no request part


def test_the_sentry_request_part_comes_from_request_info() -> None:
    assert sentry._request_info(HAND_BUILT) == {
        "method": "PUT",
        "url": "https://api.example/v1/items",
        "query_string": "id=3&token=[REDACTED]",
        "headers": {
            "User-Agent": "client/1.0",
            "Authorization": "[REDACTED]",
            "Content-Type": "application/json",
            "Content-Length": "12",
        },
        "cookies": {"sessionid": "[REDACTED]"},
        "env": {"REMOTE_ADDR": "203.0.113.9", "SERVER_NAME": "api.example", "SERVER_PORT": "443"},
    }
    assert sentry._request_info(None) is None


def test_the_raygun_request_part_comes_from_request_info() -> None:
    assert raygun._request_info(HAND_BUILT) == {
        "httpMethod": "PUT",
        "url": "/v1/items",
        "hostName": "api.example",
        "iPAddress": "203.0.113.9",
        "queryString": {"id": "3", "token": "[REDACTED]"},
        "headers": {"User-Agent": "client/1.0", "Authorization": "[REDACTED]"},
        "form": None,
        "rawData": None,
    }


def test_with_a_debug_token_the_cookie_unlocks_and_stays_out_of_the_report() -> None:
    token = "tok" + "Z9" * 16
    capture = CapturingReporter()
    middleware = ErrorMiddleware(
        failing_app, debug=True, debug_token=token, reporters={"capture": capture}
    )
    environ = counting_environ(
        HTTP_COOKIE=f"sessionid=s-1; paste_exc_debug={token}",
        HTTP_REFERER=f"http://shop.example/?paste_exc_debug={token}",
        HTTP_X_REQUESTED_WITH="",
    )
    body = b"".join(middleware(environ, lambda status, _headers, _exc=None: None))
    assert b"the order service is down" in body  # the debug page: the cookie unlocked it
    again = reread(environ)
    assert max(again.values()) == 1, again
    (report,) = capture.reports
    # The request data (a frame's own locals are the redactor's business, not this one's).
    request_part = repr((report.exc_data.extra_data, report.exc_data.request_url))
    assert "paste_exc_debug=[REDACTED]" in request_part
    assert token not in request_part
    info = access.as_request(environ)
    assert token not in repr(info)


def test_each_request_value_goes_through_the_redactor_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The request is redacted when it is read; the report keeps that copy as it is."""
    agent = "Mozilla/5.0 (a browser seen once)"
    seen: list[str] = []
    redact_text = Redactor.redact_text

    def counting(self: Redactor, text: str) -> str:
        if agent in text:
            seen.append(text)
        return redact_text(self, text)

    monkeypatch.setattr(Redactor, "redact_text", counting)
    capture = CapturingReporter()
    middleware = ErrorMiddleware(failing_app, debug=False, reporters={"capture": capture})
    environ = counting_environ(HTTP_USER_AGENT=agent)
    body = b"".join(middleware(environ, lambda status, headers, exc_info=None: None))
    assert body
    (report,) = capture.reports
    assert agent in repr(report.exc_data.extra_data)  # shown, in the CGI variables
    assert len(seen) == 1, seen


def test_a_collector_with_its_own_redactor_redacts_the_request_again() -> None:
    """Only the redactor the request was read with is trusted; another one applies its names."""
    environ = counting_environ(HTTP_X_SHOP_CODE="north-7")

    def handler() -> None:
        __traceback_supplement__ = (Supplement, None, environ)
        raise RuntimeError("in a request")

    try:
        handler()
    except RuntimeError:
        strict = ExceptionCollector(redactor=Redactor(extra_names=["shop_code"]))
        data = strict.collectException(*sys.exc_info())
        plain = ExceptionCollector().collectException(*sys.exc_info())
    assert "north-7" in repr(plain.extra_data)
    assert "north-7" not in repr(data.extra_data)
    assert "HTTP_X_SHOP_CODE" in repr(data.extra_data)
