"""PasteDeploy: the error_catcher filter loaded from an ini file, in a pipeline."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest
from paste.deploy import loadapp

from paste_exc.errormiddleware import ErrorMiddleware

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webtest


def broken_app(environ: dict[str, Any], start_response: Any) -> Any:
    raise ZeroDivisionError("from the ini pipeline")


def make_broken_app(global_conf: dict[str, str], **local_conf: str) -> Any:
    return broken_app


def make_unset_filter(app: Any, global_conf: dict[str, str]) -> Any:
    """WebTest sets paste.throw_errors; the first filter of the pipeline unsets it."""

    def unset(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return app(environ, start_response)

    return unset


def write_ini(tmp_path: Path, use: str, log: Path) -> Path:
    ini = tmp_path / "app.ini"
    ini.write_text(
        textwrap.dedent(
            f"""
            [DEFAULT]
            admin_email = ops@example.org, oncall@example.org
            smtp_server = 127.0.0.1:1

            [pipeline:main]
            pipeline = unset errors app

            [filter:unset]
            paste.filter_app_factory = {__name__}:make_unset_filter

            [filter:errors]
            {use}
            debug = false
            smtp_use_tls = false
            error_log = {log}
            error_message = We are on it.
            xmlhttp_key = ajax
            reporters.cap.backend = paste_exc.testing:CapturingReporter

            [app:app]
            paste.app_factory = {__name__}:make_broken_app
            """
        )
    )
    return ini


def find_middleware(app: Any) -> ErrorMiddleware:
    seen = 0
    while not isinstance(app, ErrorMiddleware) and seen < 10:
        cells = [c.cell_contents for c in (getattr(app, "__closure__", None) or ())]
        app = next(c for c in cells if callable(c))
        seen += 1
    assert isinstance(app, ErrorMiddleware)
    return app


@pytest.mark.parametrize(
    "use",
    [
        "paste.filter_app_factory = paste_exc.errormiddleware:make_error_middleware",
        "use = egg:paste_exc#error_catcher",
    ],
)
def test_ini_pipeline(tmp_path: Path, use: str) -> None:
    log = tmp_path / "errors.log"
    app = loadapp(f"config:{write_ini(tmp_path, use, log)}")
    middleware = find_middleware(app)
    settings = middleware.settings
    assert settings.debug is False
    assert settings.smtp_use_tls is False
    assert settings.error_email == ("ops@example.org", "oncall@example.org")
    assert settings.xmlhttp_key == "ajax"
    assert set(middleware.reporting.reporters) == {"email", "log", "cap"}
    # Do not actually mail: keep the e-mail reporter out of this request.
    del middleware.reporting.reporters["email"]
    response = webtest.TestApp(app).get("/", status=500, expect_errors=True)
    assert "We are on it." in response.text
    assert "from the ini pipeline" not in response.text
    assert "ZeroDivisionError" in log.read_text()


def test_bad_ini_value_names_the_option(tmp_path: Path) -> None:
    ini = write_ini(tmp_path, "use = egg:paste_exc#error_catcher", tmp_path / "e.log")
    ini.write_text(ini.read_text().replace("debug = false", "debug = sometimes"))
    with pytest.raises(ValueError, match="debug"):
        loadapp(f"config:{ini}")
