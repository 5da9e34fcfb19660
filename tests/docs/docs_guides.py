"""The runners of the framework guides: Flask, Django, Pyramid, testing, asyncio."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from docs_runner import Scenario, mail_server, run_script, runner


def run_pytest(directory: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    """pytest in *directory*, in a process of its own (the installed plug-in loads itself)."""
    return run_script(directory, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, env=env)


@runner("testing")
def _testing(scenario: Scenario) -> None:
    """The guide's tests pass against its application."""
    directory = scenario.write()
    result = run_pytest(directory, "test_shop.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout, result.stdout


def import_file(path: Path, name: str) -> Any:
    """Import the module at *path* under the unique *name* (scenarios share file names)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def webtest(app: Any, **kwargs: Any) -> Any:
    import warnings

    with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
        warnings.simplefilter("ignore", DeprecationWarning)
        from webtest import TestApp
    return TestApp(app, **kwargs)


@runner("flask")
def _flask(scenario: Scenario) -> None:
    """Flask with PROPAGATE_EXCEPTIONS and app.wsgi_app wrapped: paste_exc answers and reports."""
    from werkzeug.debug import DebuggedApplication

    from paste_exc.report.delivery import synchronous_delivery
    from paste_exc.reporter import read_log_records
    from paste_exc.testing import through_middleware

    directory = scenario.write()
    # The page's tests, with Flask's debug off and on.
    for debug in ("0", "1"):
        result = run_pytest(directory, "test_shop.py", env={"FLASK_DEBUG": debug})
        assert result.returncode == 0, result.stdout + result.stderr
        assert "4 passed" in result.stdout, result.stdout
    (directory / "errors.log").unlink()

    shop = import_file(directory / "shop.py", "docs_flask_shop")
    log = directory / "errors.log"
    with synchronous_delivery():
        client = webtest(through_middleware(shop.app))
        assert client.get("/").text == "the shop is open"
        response = client.get("/cart/42", status=500)
        assert response.headers["X-Error-Id"]
        assert "KeyError" not in response.text  # the safe page: debug is off
        [record] = list(read_log_records(str(log)))
        assert record.occurrence_id == response.headers["X-Error-Id"]
        assert "KeyError: '42'" in record.lines
        client.get("/admin", status=403)  # Flask's answer, not an error
        assert len(list(read_log_records(str(log)))) == 1

        # Werkzeug's debugger outside: paste_exc, inside app.wsgi_app, answers first.
        outside = webtest(through_middleware(DebuggedApplication(shop.app, evalex=False)))
        assert outside.get("/cart/7", status=500).headers["X-Error-Id"]

        # Without PROPAGATE_EXCEPTIONS Flask answers the 500 itself: nothing is reported.
        shop.app.config["PROPAGATE_EXCEPTIONS"] = False
        shop.app.logger.disabled = True  # Flask logs the error; keep the test output clean
        answered_by_flask = client.get("/cart/43", status=500)
        assert "X-Error-Id" not in answered_by_flask.headers
        assert "Internal Server Error" in answered_by_flask.text
        assert len(list(read_log_records(str(log)))) == 2


DJANGO_SETTINGS_BASE = """\
import os

SECRET_KEY = "docs-example-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
ADMINS = ["ops@example.org"]
SERVER_EMAIL = "django@example.org"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["DOCS_SMTP_PORT"])
EMAIL_SUBJECT_PREFIX = "[mysite] "

"""

DJANGO_FILES = {
    "mysite/__init__.py": "",
    "mysite/urls.py": """
        from django.core.exceptions import PermissionDenied
        from django.http import Http404, HttpResponse
        from django.urls import path


        def index(request):
            return HttpResponse("open")


        def boom(request):
            raise LookupError("no such order")


        def missing(request):
            raise Http404("no such page")


        def forbidden(request):
            raise PermissionDenied


        urlpatterns = [
            path("", index),
            path("boom", boom),
            path("missing", missing),
            path("forbidden", forbidden),
        ]
        """,
    # What the runner checks, in a process of its own (Django's settings are global).
    "drive.py": """
        import json
        import logging
        import warnings

        from django.core.signals import got_request_exception, request_finished
        from django.test.utils import override_settings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from webtest import TestApp

        from mysite.wsgi import application
        from paste_exc.report.delivery import get_dispatcher
        from paste_exc.testing import through_middleware

        signals = {"got_request_exception": 0, "request_finished": 0}
        got_request_exception.connect(lambda **kw: signals.__setitem__(
            "got_request_exception", signals["got_request_exception"] + 1), weak=False)
        request_finished.connect(lambda **kw: signals.__setitem__(
            "request_finished", signals["request_finished"] + 1), weak=False)

        class Count(logging.Handler):
            records = 0

            def emit(self, record):
                Count.records += 1

        logging.getLogger("django.request").addHandler(Count())
        logging.getLogger("django.request").propagate = False
        client = TestApp(through_middleware(application))
        out = {}
        out["index"] = client.get("/").text
        out["signals_after_index"] = dict(signals)
        boom = client.get("/boom", status=500)
        out["boom_error_id"] = boom.headers.get("X-Error-Id")
        out["boom_shows_exception"] = "no such order" in boom.text
        out["signals_after_boom"] = dict(signals)
        out["django_request_records_after_boom"] = Count.records
        missing = client.get("/missing", status=404)
        forbidden = client.get("/forbidden", status=403)
        out["missing_error_id"] = missing.headers.get("X-Error-Id")
        out["forbidden_error_id"] = forbidden.headers.get("X-Error-Id")
        with override_settings(DEBUG=True):
            technical = client.get("/boom", status=500)
            out["debug_true_error_id"] = technical.headers.get("X-Error-Id")
            out["debug_true_technical_page"] = "DEBUG = True" in technical.text
        with override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False):
            by_django = client.get("/boom", status=500, expect_errors=True)
            out["no_propagation_error_id"] = by_django.headers.get("X-Error-Id")
            out["no_propagation_django_request_records"] = Count.records
        get_dispatcher().flush(20)
        print(json.dumps(out))
        """,
}


@runner("django")
def _django(scenario: Scenario) -> None:
    """Django with DEBUG_PROPAGATE_EXCEPTIONS and wsgi.py wrapped; the email goes to aiosmtpd."""
    import email
    import json

    with mail_server() as mail:
        directory = scenario.write(
            prepend={"mysite/settings.py": DJANGO_SETTINGS_BASE}, extra=DJANGO_FILES
        )
        result = run_script(
            directory,
            "drive.py",
            env={"DOCS_SMTP_PORT": str(mail.port)},
            drop=("DJANGO_SETTINGS_MODULE",),
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert mail.arrived.wait(20), "no email arrived"
    out = json.loads(result.stdout.splitlines()[-1])
    assert out["index"] == "open"
    assert out["boom_error_id"]
    assert not out["boom_shows_exception"]  # the safe page: DEBUG is off
    # Django's signal is sent; the response is never made, so request_finished is not.
    assert out["signals_after_index"] == {"got_request_exception": 0, "request_finished": 1}
    assert out["signals_after_boom"] == {"got_request_exception": 1, "request_finished": 1}
    assert out["django_request_records_after_boom"] == 0  # AdminEmailHandler sees nothing
    assert out["missing_error_id"] is None  # Django's 404
    assert out["forbidden_error_id"] is None  # Django's 403
    assert out["debug_true_error_id"]  # DEBUG = True: ours, not the technical 500
    assert not out["debug_true_technical_page"]
    assert out["no_propagation_error_id"] is None  # without the setting Django answers
    assert out["no_propagation_django_request_records"] >= 1
    [message] = [email.message_from_bytes(raw) for raw in mail.received]
    assert message["Subject"].startswith("[mysite] LookupError: no such order")
    assert message["From"] == "django@example.org"
    assert message["To"] == "ops@example.org"


@runner("pyramid")
def _pyramid(scenario: Scenario) -> None:
    """pserve serves the ini pipeline on 127.0.0.1; the report has Pyramid's HTTPNotFound first."""
    from docs_runner import free_port, program, request, serve

    from paste_exc.reporter import read_log_records
    from paste_exc.respond.token import resolve_debug_token

    directory = scenario.write()
    port = free_port()
    # The same user and cache directory as the server: the same token (the per-user file).
    token = resolve_debug_token(None).value
    command = [program("pserve"), "development.ini", f"http_port={port}"]
    with serve(command, port, directory) as server:
        status, headers, body = request(port, "/cart/42")
        assert status == 500
        assert "KeyError" not in body  # loopback without the token: the safe page
        assert "paste_exc_debug=" in server.output()  # the log says how to unlock
        status, headers, page = request(port, "/cart/43", {"Cookie": f"paste_exc_debug={token}"})
        assert status == 500
        assert "KeyError" in page
        assert "HTTPNotFound" in page
        assert "During handling of the above exception, another exception occurred" in page
        status, not_found_headers, _ = request(port, "/nowhere")
        assert status == 404  # Pyramid's own answer
        assert "x-error-id" not in not_found_headers
    records = list(read_log_records(str(directory / "errors.log")))
    assert [record.occurrence_id for record in records][-1] == headers["x-error-id"]
    text = records[-1].lines
    assert text.index("HTTPNotFound: The resource could not be found.") < text.index(
        "KeyError: '43'"
    )
    assert "During handling of the above exception, another exception occurred:" in text


@runner("asyncio")
def _asyncio(scenario: Scenario) -> None:
    """The asyncio program: three failures reported, Python's own output kept."""

    from paste_exc.reporter import read_log_records

    directory = scenario.write()
    result = run_script(directory, "worker.py", timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "RuntimeError: the worker gave up" in result.stderr  # the traceback, as before
    records = list(read_log_records(str(directory / "worker-errors.log")))
    last_lines = [
        line
        for record in records
        for line in record.lines
        if re.match(r"(ZeroDivisionError|ConnectionError|RuntimeError): ", line)
    ]
    assert last_lines == [
        "ZeroDivisionError: a callback failed",
        "ConnectionError: the price service is down",
        "RuntimeError: the worker gave up",
    ]
