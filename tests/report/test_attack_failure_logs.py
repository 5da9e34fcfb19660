"""Attack: a failure of paste_exc's own, logged while a report is made, leaks nothing of it.

Everything paste_exc does for a report runs while the reported exception is
being handled, so an error raised meanwhile (a reporter, an extras provider,
a broken page template) has that exception as its ``__context__``. Logged
with its whole chain, the failure would carry the reported exception's
message and traceback, unredacted and unescaped, to the ``paste_exc``
loggers' handlers. The failure is logged with its own traceback only.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest

from paste_exc.api import ExceptionReporter, ExtrasProvider
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.report.flood import FloodDecision, FloodStore

SECRET = "-".join(("s3cret", "pw", "value"))  # in no source line a traceback shows
FORGED = "\n2026-01-01 00:00:00 CRITICAL forged log line"


def failing_app(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError(f"cannot connect to postgres://app:{SECRET}@db/x" + FORGED)


class Broken(ExceptionReporter):
    def report_exception(
        self, ctx: Any, exception: BaseException, message: str, extra: Any
    ) -> None:
        raise RuntimeError("the reporter broke")


class BrokenStore(FloodStore):
    def hit(self, key: str, code: str, now: float, window: float) -> FloodDecision:
        raise RuntimeError("the flood store broke")


class BrokenProvider(ExtrasProvider):
    def get_extras(self, ctx: Any, reporter: ExceptionReporter) -> dict[str, Any] | None:
        raise RuntimeError("the provider broke")


def request(app: Any) -> None:
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/page",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.input": io.BytesIO(),
    }
    b"".join(app(env, lambda status, headers, exc_info=None: None))


@pytest.mark.parametrize(
    ("options", "failure"),
    [
        ({"reporters": {"broken": Broken()}}, "the reporter broke"),
        (
            {"reporters": {"broken": Broken()}, "extras_providers": [BrokenProvider()]},
            "the provider broke",
        ),
        ("template", "the template broke"),
        ("flood", "the flood store broke"),
    ],
    ids=["reporter", "extras provider", "page template", "flood store"],
)
def test_a_failure_is_logged_without_the_reported_exception(
    caplog: pytest.LogCaptureFixture, tmp_path: Path, options: Any, failure: str
) -> None:
    if options == "template":
        template = tmp_path / "page.html"
        template.write_text(
            "{% if occurrence_id %}{{ broken() }}{% endif %}<p>{{ identification_code }}</p>"
        )
        options = {"error_template": str(template)}
        failure = "undefined"
    elif options == "flood":
        options = {
            "reporters": {
                "log": {
                    "backend": "log",
                    "filename": str(tmp_path / "errors.log"),
                    "flood_window": 60,
                    "flood_store": BrokenStore(),
                }
            }
        }
    app = ErrorMiddleware(failing_app, **options)
    with caplog.at_level(logging.DEBUG, logger="paste_exc"):
        request(app)
    logged = [r for r in caplog.records if r.name.startswith("paste_exc")]
    assert logged, "the failure was logged"
    text = caplog.text
    assert failure in text.lower() or failure in text
    assert SECRET not in text
    assert "forged log line" not in text
