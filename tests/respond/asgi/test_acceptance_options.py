"""Acceptance (issue 16): the ASGI middleware takes and checks every option as WSGI does.

Black box: each option of :class:`~paste_exc.ErrorMiddleware` is given a wrong
type and a wrong value, and the :class:`~paste_exc.ConfigError` the ASGI
middleware raises at construction is compared with the WSGI middleware's (the
same option named, the same words). Then the places a user puts it: Starlette's
and FastAPI's ``add_middleware``, a plain ``async def``, a class instance, and
Django's ``get_asgi_application()``.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tempfile
from typing import Any

import httpx
import pytest
from asgi_helpers import TOKEN, drive, http_scope
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from paste_exc import ASGIErrorMiddleware, CapturingReporter, ErrorMiddleware
from paste_exc.config.settings import OUR_OPTIONS, PASTE_OPTIONS
from paste_exc.errors import ConfigError


def wsgi_app(environ: Any, start_response: Any) -> list[bytes]:
    raise AssertionError("not called")


async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("not called")


#: For every option: a value of the wrong type, and (where one exists) a wrong value.
BAD_VALUES: dict[str, list[object]] = {
    "debug": [2.5, "maybe"],
    "error_email": [5, "not-an-address"],
    "error_log": [5],
    "show_exceptions_in_wsgi_errors": [2.5, "sometimes"],
    "from_address": [5],
    "smtp_server": [5],
    "smtp_username": [5],
    "smtp_password": [5],
    "smtp_use_tls": [2.5, "perhaps"],
    "error_subject_prefix": [5],
    "error_message": [5],
    "xmlhttp_key": [5],
    "debug_allow": [5, "not-a-network", ["10.0.0.0/8", 5]],
    "debug_token": [5, "short", "a" * 300, "has spaces in it, sixteen+"],
    "show_locals": [2.5, "perhaps"],
    "show_hidden_frames": [2.5, "perhaps"],
    "trim_source_paths": [5],
    "error_template": [5, "/nonexistent/paste-exc-template.html"],
    "max_page_size": ["huge", 10, True],
    "reporters": [5, {"x": 5}, {"x": {"backend": "no-such-backend"}}],
    "extras_providers": [5, "no_such_module_paste_exc:thing"],
    "report_message": [5],
    "locals_time_budget": ["soon", -1, float("nan")],
    "context_lines": ["many", -3, 1000],
    "app_packages": [5],
    "library_paths": [5],
    "editor_url": [5],
}

CASES = [(option, value) for option, values in BAD_VALUES.items() for value in values]


def test_every_option_of_the_wsgi_middleware_is_tried() -> None:
    assert set(BAD_VALUES) == {*PASTE_OPTIONS, *OUR_OPTIONS}


def _error(cls: type, **options: object) -> str:
    with pytest.raises(ConfigError) as raised:
        cls(wsgi_app if cls is ErrorMiddleware else asgi_app, **options)
    return str(raised.value)


@pytest.mark.parametrize(("option", "value"), CASES, ids=[f"{o}={v!r}"[:60] for o, v in CASES])
def test_a_bad_value_raises_at_construction_naming_the_option_as_wsgi(
    option: str, value: object
) -> None:
    asgi = _error(ASGIErrorMiddleware, **{option: value})
    wsgi = _error(ErrorMiddleware, **{option: value})
    assert asgi.startswith(option)
    assert asgi == wsgi


@pytest.mark.parametrize("key", ["reporters.x.backend", "global_conf"])
def test_the_keys_beyond_the_options_are_checked_as_wsgi(key: str) -> None:
    value: object = "no-such-backend" if key.startswith("reporters.") else 5
    assert _error(ASGIErrorMiddleware, **{key: value}) == _error(ErrorMiddleware, **{key: value})
    assert _error(ASGIErrorMiddleware, **{key: value}).startswith(key)


@pytest.mark.parametrize("value", ["sometimes", 2.5, [1]])
def test_reraise_is_checked_by_name(value: object) -> None:
    assert _error(ASGIErrorMiddleware, reraise=value).startswith("reraise")


def test_an_unknown_option_lists_the_asgi_options_too() -> None:
    # A typo of reraise must point at it, as one of the WSGI options' typos does.
    message = _error(ASGIErrorMiddleware, reraize=True)
    assert message.startswith("reraize: unknown option")
    assert "reraise" in message.split("valid options are:", 1)[1]
    assert "debug_token" in message


def test_every_option_is_taken_as_a_keyword_with_a_good_value(tmp_path: Any) -> None:
    template = tmp_path / "error.html"
    template.write_text("<p>Sorry</p>")
    good: dict[str, object] = {
        "debug": True,
        "error_email": ["ops@example.org"],
        "error_log": str(tmp_path / "errors.log"),
        "show_exceptions_in_wsgi_errors": False,
        "from_address": "app@example.org",
        "smtp_server": "localhost",
        "smtp_username": "user",
        "smtp_password": "pass",
        "smtp_use_tls": False,
        "error_subject_prefix": "[app] ",
        "error_message": "Sorry.",
        "xmlhttp_key": "xhr",
        "debug_allow": "127.0.0.1",
        "debug_token": TOKEN,
        "show_locals": True,
        "show_hidden_frames": False,
        "trim_source_paths": [("/srv/app/", "")],
        "error_template": str(template),
        "max_page_size": 200_000,
        "reporters": {"capture": CapturingReporter()},
        "extras_providers": [],
        "report_message": "in the shop",
        "locals_time_budget": 0.5,
        "context_lines": 5,
        "app_packages": ["shop"],
        "library_paths": ["/opt/lib"],
        "editor_url": None,
    }
    assert set(good) == {*PASTE_OPTIONS, *OUR_OPTIONS}
    asgi = ASGIErrorMiddleware(asgi_app, reraise=True, **good)
    wsgi = ErrorMiddleware(wsgi_app, **good)
    assert asgi.reraise is True
    assert asgi.debug_token == wsgi.debug_token == TOKEN
    ours, theirs = vars(asgi.settings).copy(), vars(wsgi.settings).copy()
    ours.pop("reporters"), theirs.pop("reporters")
    ours.pop("report_message"), theirs.pop("report_message")
    assert ours == theirs


# -- where it is put -------------------------------------------------------------


def _get(app: Any, url: str = "/boom", **headers: str) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t.example") as http:
            return await http.get(url, headers=headers)

    return asyncio.run(run())


async def boom(request: Any) -> Any:
    raise LookupError("the route failed")


async def fine(request: Any) -> Any:
    return PlainTextResponse("fine")


def test_starlette_add_middleware_with_debug_true() -> None:
    capture = CapturingReporter()
    app = Starlette(routes=[Route("/boom", boom), Route("/fine", fine)])
    app.add_middleware(ASGIErrorMiddleware, debug=True, debug_token=TOKEN, reporters={"c": capture})
    healthy = _get(app, "/fine")
    assert (healthy.status_code, healthy.text) == (200, "fine")
    anonymous = _get(app, accept="text/html")
    assert anonymous.status_code == 500
    assert "the route failed" not in anonymous.text  # no token: the safe page
    unlocked = _get(app, accept="text/html", cookie=f"paste_exc_debug={TOKEN}")
    assert unlocked.status_code == 500
    assert "the route failed" in unlocked.text
    assert len(capture.reports) == 2
    assert all(isinstance(r.exception, LookupError) for r in capture.reports)


def test_starlette_add_middleware_rejects_a_bad_option_when_the_stack_is_built() -> None:
    app = Starlette(routes=[Route("/boom", boom)])
    app.add_middleware(ASGIErrorMiddleware, debug="maybe")
    with pytest.raises(ConfigError, match=r"^debug"):
        _get(app)


def test_fastapi_add_middleware() -> None:
    capture = CapturingReporter()
    api = FastAPI()

    @api.get("/boom")
    async def failing() -> dict[str, str]:
        raise LookupError("the endpoint failed")

    api.add_middleware(ASGIErrorMiddleware, debug=True, reporters={"c": capture})
    response = _get(api, accept="application/json")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 500
    assert "the endpoint failed" not in response.text
    assert [type(r.exception) for r in capture.reports] == [LookupError]


class CallableApp:
    """An ASGI 3 application that is an object with an ``async __call__``."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        raise KeyError("in an object")


def test_any_asgi3_callable_an_object() -> None:
    capture = CapturingReporter()
    sent = drive(ASGIErrorMiddleware(CallableApp(), reporters={"c": capture}), http_scope())
    assert sent[0]["status"] == 500
    assert isinstance(capture.reports[0].exception, KeyError)


def test_django_get_asgi_application() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            ROOT_URLCONF=__name__,
            ALLOWED_HOSTS=["*"],
            SECRET_KEY="acceptance-only-" + os.urandom(8).hex(),
            DEBUG_PROPAGATE_EXCEPTIONS=True,
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
        )
        django.setup()
    from django.core.asgi import get_asgi_application

    capture = CapturingReporter()
    app = ASGIErrorMiddleware(get_asgi_application(), reporters={"c": capture})
    response = _get(app, "/django-boom", accept="text/html")
    assert response.status_code == 500
    assert [type(r.exception).__name__ for r in capture.reports] == ["ZeroDivisionError"]
    assert "ZeroDivisionError" not in response.text
    # Django leaves the request's body file open when a view's error propagates
    # (DEBUG_PROPAGATE_EXCEPTIONS): Django's ResourceWarning, not ours.
    for leaked in gc.get_objects():
        if (
            type(leaked) is tempfile.SpooledTemporaryFile
        ):  # type(): other tests leave hostile objects
            leaked.close()


def django_boom(request: Any) -> Any:
    return 1 // 0


def _urls() -> list[Any]:
    from django.urls import path

    return [path("django-boom", django_boom)]


def __getattr__(name: str) -> Any:
    # Django reads ROOT_URLCONF's urlpatterns lazily: built when first asked.
    if name == "urlpatterns":
        return _urls()
    raise AttributeError(name)
