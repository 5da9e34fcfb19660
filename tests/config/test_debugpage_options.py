"""The debug page's options: context_lines, app_packages, library_paths, editor_url, presets."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
from paste.deploy import loadapp

from paste_exc.config.debugpage import EDITOR_PRESETS, aseditorurl, aspathprefixes, editor_link
from paste_exc.config.settings import MiddlewareSettings, resolve_settings
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.errors import ConfigError
from paste_exc.model.report import CONTEXT_LINES


def app(environ: dict[str, Any], start_response: Any) -> Any:
    raise RuntimeError("x")


def make_app(global_conf: dict[str, str], **local: str) -> Any:
    return app


def test_the_defaults() -> None:
    settings = MiddlewareSettings()
    assert settings.context_lines == 5 == CONTEXT_LINES
    assert (settings.app_packages, settings.library_paths, settings.editor_url) == ((), (), None)


def test_ini_strings_are_coerced() -> None:
    settings = resolve_settings(
        {},
        {
            "context_lines": " 3 ",
            "app_packages": "myapp, company.billing\n other",
            "library_paths": "/opt/vendor ~/vendored",
            "editor_url": "PyCharm",
        },
    )
    assert settings.context_lines == 3
    assert settings.app_packages == ("myapp", "company.billing", "other")
    home = os.path.expanduser("~")
    assert settings.library_paths == ("/opt/vendor/", os.path.join(home, "vendored") + "/")
    assert settings.editor_url == EDITOR_PRESETS["pycharm"]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("context_lines", "many"),
        ("context_lines", -1),
        ("context_lines", 1000),
        ("app_packages", "my-app"),
        ("app_packages", 42),
        ("library_paths", ["/ok", None]),
        ("editor_url", "javascript:alert(1)//{path}"),
        ("editor_url", "JavaScript:alert(1)//{path}"),
        ("editor_url", "data:text/html,{path}"),
        ("editor_url", "{path}"),
        ("editor_url", "vscode://file/{file}:{line}"),
        ("editor_url", "vscode://file/"),
        ("editor_url", "https://x/{path} {line}"),
        ("editor_url", "https://x/{path}?l={line:>999999999}"),
        ("editor_url", "https://x/{path!r}"),
        ("editor_url", "https://x/{path.__class__}"),
        ("editor_url", "https://x/{0}{path}"),
        ("editor_url", "javascript&colon;{path}"),
        ("editor_url", " java\tscript:{path}"),
        ("editor_url", 3),
    ],
)
def test_bad_values_are_refused_at_construction_with_the_options_name(
    option: str, value: object
) -> None:
    with pytest.raises(ConfigError, match=f"^{option}: "):
        ErrorMiddleware(app, **{option: value})


def test_pastedeploy_hands_strings(tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text(
        textwrap.dedent(
            f"""
            [pipeline:main]
            pipeline = errors app

            [filter:errors]
            use = egg:paste_exc#error_catcher
            debug = true
            context_lines = 8
            app_packages = myapp myapp_plugins
            library_paths = /opt/vendor
            editor_url = vscode

            [app:app]
            paste.app_factory = {__name__}:make_app
            """
        )
    )
    middleware = loadapp(f"config:{ini}")
    settings = middleware.settings
    assert settings.context_lines == 8
    assert settings.app_packages == ("myapp", "myapp_plugins")
    assert settings.library_paths == ("/opt/vendor/",)
    assert settings.editor_url == "vscode://file/{path}:{line}"
    ini.write_text(ini.read_text().replace("context_lines = 8", "context_lines = eight"))
    with pytest.raises(ConfigError, match="context_lines"):
        loadapp(f"config:{ini}")


@pytest.mark.parametrize(
    ("preset", "link"),
    [
        ("vscode", "vscode://file//srv/app/views.py:12"),
        ("pycharm", "pycharm://open?file=/srv/app/views.py&line=12"),
        ("sublime", "subl://open?url=file:///srv/app/views.py&line=12"),
        ("emacs", "emacs://open?url=file:///srv/app/views.py&line=12"),
        ("file", "file:///srv/app/views.py"),
    ],
)
def test_each_preset_makes_its_link(preset: str, link: str) -> None:
    assert editor_link(aseditorurl(preset), "/srv/app/views.py", 12) == link


def test_links_only_for_real_files_and_never_another_scheme() -> None:
    template = aseditorurl("https://code.example/open?f={path}&l={line}")
    assert template is not None
    assert editor_link(template, "/a b/c&d#e.py", 3) == (
        "https://code.example/open?f=/a%20b/c%26d%23e.py&l=3"
    )
    assert editor_link(template, "<string>", 1) is None
    assert editor_link(template, "relative/views.py", 1) is None
    assert editor_link(template, "/x\n.py", 1) is None
    assert editor_link(None, "/srv/app.py", 1) is None
    assert editor_link(aseditorurl("vscode"), 'C:\\app\\"><b>.py', 2) == (
        "vscode://file/C:/app/%22%3E%3Cb%3E.py:2"
    )
    assert aseditorurl("") is None
    assert aseditorurl(None) is None


def test_library_paths_one_per_line_may_hold_spaces() -> None:
    """An ini value written one path per line keeps each line whole, spaces and all."""
    prefixes = aspathprefixes("\n  /opt/My Libs\n  /srv/vendored code, extra\n")
    assert prefixes == ("/opt/My Libs/", "/srv/vendored code, extra/")
    assert aspathprefixes("/opt/a /opt/b") == ("/opt/a/", "/opt/b/")  # one line: split as before
