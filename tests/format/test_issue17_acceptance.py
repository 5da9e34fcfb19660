"""Acceptance and attack tests of issue 17 (the debug page for real applications), black box.

Every test goes through the public API only: :class:`ErrorMiddleware` and its
options (WebTest, debug unlocked by ``debug_allow="*"``), the page's HTML, the
debug text and problem JSON, :func:`collect_exception` and PasteDeploy's
``loadapp``. The applications are written to disk under ``tmp_path`` so that
their frames have real files, real module names and real source.
"""

from __future__ import annotations

import html.parser
import importlib
import importlib.metadata
import json
import os
import platform
import re
import sys
import textwrap
import threading
import urllib.parse
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from paste.deploy import loadapp

from paste_exc import ConfigError, ErrorMiddleware, collect_exception, format_text

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webob
    import webtest

App = Callable[[dict[str, Any], Any], Any]
HOSTILE = '"><img src=x onerror=alert(1)>'
SCRIPTY = "<script>alert(1)</script>"


# --- helpers -------------------------------------------------------------------------------


def catching(app: App) -> App:
    """WebTest sets ``paste.throw_errors``, which turns the middleware off: unset it."""

    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return app(environ, start_response)

    return wrapper


def middleware(app: App, **options: Any) -> ErrorMiddleware:
    options.setdefault("debug", True)
    options.setdefault("debug_allow", "*")
    options.setdefault("error_log", os.devnull)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # debug_allow="*" warns, rightly
        return ErrorMiddleware(app, **options)


def fetch(app: App, path: str = "/", accept: str = "text/html", **kw: Any) -> webtest.TestResponse:
    client = webtest.TestApp(catching(app))
    headers = {"Accept": accept, **kw.pop("headers", {})}
    method = kw.pop("method", "GET")
    if method == "POST":
        return client.post(
            path, kw.pop("params", ""), headers=headers, status=500, expect_errors=True, **kw
        )
    return client.get(path, headers=headers, status=500, expect_errors=True, **kw)


def write_module(root: Path, dotted: str, source: str) -> Path:
    """Write *source* as module *dotted* under *root* (packages created) and return its file."""
    parts = dotted.split(".")
    folder = root
    for part in parts[:-1]:
        folder = folder / part
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").touch()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{parts[-1]}.py"
    path.write_text(textwrap.dedent(source))
    return path


@pytest.fixture
def importer(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path, str], Any]]:
    """Import a module from a folder put on ``sys.path``; forget it afterwards."""
    names: list[str] = []

    def load(root: Path, dotted: str) -> Any:
        monkeypatch.syspath_prepend(str(root))
        importlib.invalidate_caches()
        names.append(dotted.split(".")[0])
        return importlib.import_module(dotted)

    yield load
    for name in list(sys.modules):
        if name.split(".")[0] in names:
            del sys.modules[name]


LONG_APP = """
def helper(value):
    # line 3
    # line 4
    # line 5
    # line 6
    # line 7
    # line 8
    # line 9
    # line 10
    # line 11
    # line 12
    result = int(value)  # line 13: fails
    # line 14
    # line 15
    # line 16
    # line 17
    # line 18
    # line 19
    # line 20
    # line 21
    # line 22
    # line 23
    return result


def application(environ, start_response):
    return helper("not a number")
"""


class Tags(html.parser.HTMLParser):
    """Every start tag of a page with its attributes, and every script's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(body: str) -> Tags:
    tags = Tags()
    tags.feed(body)
    tags.close()
    return tags


def assert_inert(response: webtest.TestResponse) -> None:
    """The page runs only its own nonce script, with no handler or script URL anywhere."""
    body = response.text
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce is not None, csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    tags = parse(body)
    scripts = [attrs for tag, attrs in tags.tags if tag == "script"]
    assert len(scripts) == 1
    assert scripts[0].get("nonce") == nonce[1]
    assert "src" not in scripts[0]
    for tag, attrs in tags.tags:
        assert tag not in {"img", "iframe", "svg", "object", "embed", "base", "form", "meta"} or (
            tag == "meta" and set(attrs) <= {"charset", "name", "content", "http-equiv"}
        ), (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in {"href", "src", "action", "formaction", "xlink:href"}:
                scheme = re.sub(r"[\x00-\x20]", "", value or "").lower()
                assert not scheme.startswith(("javascript:", "data:", "vbscript:")), value
    assert "<script>alert" not in body
    assert "<img src=x" not in body


def details_blocks(body: str, css: str) -> list[str]:
    """Each ``<details>`` element of class *css*, with everything nested in it."""
    blocks = []
    for opening in re.finditer(rf'<details class="{css}[ "]', body):
        depth = 0
        for tag in re.finditer(r"<details\b|</details>", body[opening.start() :]):
            depth += 1 if tag[0] == "<details" else -1
            if depth == 0:
                blocks.append(body[opening.start() : opening.start() + tag.end()])
                break
    return blocks


def section(body: str, start: str, end: str) -> str:
    at = body.index(start)
    return body[at : body.index(end, at)]


def problem(app: App, path: str = "/", **kw: Any) -> dict[str, Any]:
    response = fetch(app, path, accept="application/json", **kw)
    assert response.content_type == "application/problem+json"
    raw = response.text
    # The documented promise: no raw markup characters in a problem document.
    assert "<" not in raw
    assert ">" not in raw
    assert "&" not in raw
    data: dict[str, Any] = json.loads(raw)
    return data


@pytest.fixture
def long_app(tmp_path: Path, importer: Callable[[Path, str], Any]) -> Any:
    write_module(tmp_path, "acc17long", LONG_APP)
    return importer(tmp_path, "acc17long")


# --- navigation ----------------------------------------------------------------------------


def test_index_lists_every_frame_as_module_line_in_function_linking_to_it(long_app: Any) -> None:
    body = fetch(middleware(long_app.application)).text
    index = section(body, '<nav class="frame-index"', "</nav>")
    links = re.findall(r'<a href="#(frame-\d+)">([^<]*)</a>', index)
    assert ("acc17long:28 in application" in [text for _, text in links]) or any(
        text.startswith("acc17long:") and text.endswith(" in application") for _, text in links
    )
    assert any(text == "acc17long:13 in helper" for _, text in links), links
    for target, _ in links:
        assert f'id="{target}"' in body  # each link lands on a frame
    # The application's frames are marked in the index.
    app_items = re.findall(r'<li class="app[^"]*">.*?</li>', index)
    assert any("acc17long:13 in helper" in item for item in app_items)


def test_index_marks_library_frames_apart_from_application_frames(
    tmp_path: Path, importer: Callable[[Path, str], Any]
) -> None:
    write_module(tmp_path, "acc17idx", "import json\ndef application(e, s):\n    json.loads('{')\n")
    app = importer(tmp_path, "acc17idx").application
    index = section(fetch(middleware(app)).text, '<nav class="frame-index"', "</nav>")
    items = re.findall(r'<li class="([^"]*)">(.*?)</li>', index)
    by_text = {re.sub(r"<[^>]+>", "", text): css for css, text in items}
    assert any("acc17idx:3 in application" in t and "app" in c.split() for t, c in by_text.items())
    json_items = [c for t, c in by_text.items() if t.lstrip("#0123456789").startswith("json.")]
    assert json_items
    assert all("app" not in c.split() for c in json_items)


def test_my_code_only_is_the_default_and_library_runs_fold(
    tmp_path: Path, importer: Callable[[Path, str], Any]
) -> None:
    write_module(
        tmp_path, "acc17fold", "import json\ndef application(e, s):\n    json.loads('{')\n"
    )
    app = importer(tmp_path, "acc17fold").application
    body = fetch(middleware(app)).text
    assert re.search(r'<input type="checkbox" class="my-code-only" checked', body)
    traceback = body[body.index('<div class="traceback">') :]
    runs = re.findall(r"<details[^>]*>\s*<summary>(\d+) library frames?", traceback)
    assert runs, "the json frames fold into one run"
    assert int(runs[-1]) >= 2  # json.loads, decode, raw_decode: one run, not one box each
    # Without JavaScript the run is open: the page is complete.
    assert re.search(r"<details[^>]*\bopen[^>]*>\s*<summary>\d+ library frames", traceback)


def test_my_code_only_is_not_the_default_without_application_frames(
    tmp_path: Path, importer: Callable[[Path, str], Any]
) -> None:
    write_module(
        tmp_path, "acc17libonly", "import json\ndef application(e, s):\n    json.loads('{')\n"
    )
    app = importer(tmp_path, "acc17libonly").application
    body = fetch(middleware(app, library_paths=[str(tmp_path)])).text
    toggle = re.findall(r'<input type="checkbox" class="my-code-only"[^>]*>', body)
    assert toggle == ['<input type="checkbox" class="my-code-only">']  # there, unchecked
    assert "badge app" not in section(body, '<div class="traceback">', '<section class="request')


CHAIN_APP = """
def first():
    raise KeyError("first-key")


def second():
    try:
        first()
    except KeyError as error:
        raise ValueError("second-value") from error


def application(environ, start_response):
    try:
        second()
    except ValueError:
        raise RuntimeError("third-runtime")
"""


def test_failing_frame_of_each_exception_in_a_chain_is_one_click_away(
    tmp_path: Path, importer: Callable[[Path, str], Any]
) -> None:
    write_module(tmp_path, "acc17chain", CHAIN_APP)
    app = importer(tmp_path, "acc17chain").application
    body = fetch(middleware(app)).text
    index = section(body, '<nav class="frame-index"', "</nav>")
    failing = re.findall(r'<a class="idx-failing" href="#(frame-\d+)">(.*?)</a>', index)
    kinds = [re.sub(r"<[^>]+>", "", text).split(":")[0] for _, text in failing]
    assert kinds == ["KeyError", "ValueError", "RuntimeError"]
    lines = {"KeyError": 3, "ValueError": 10, "RuntimeError": 17}
    for (target, _), kind in zip(failing, kinds, strict=True):
        frame = section(body, f'id="{target}"', "</pre>")
        assert f'<b class="lineno">{lines[kind]}</b>' in frame, (kind, frame[:300])


def test_keyboard_and_controls_are_in_the_nonce_script(long_app: Any) -> None:
    response = fetch(middleware(long_app.application))
    tags = parse(response.text)
    script = tags.scripts[0]
    assert re.search(r"""["']j["']""", script)
    assert re.search(r"""["']k["']""", script)
    assert "keydown" in script
    assert_inert(response)
    # The controls that need the script are hidden until the script shows them.
    assert re.search(r'<div class="pe-controls" hidden>', response.text)
    assert re.search(r'<button[^>]*class="more-context"[^>]*hidden', response.text)


# --- context -------------------------------------------------------------------------------


def frame_lines(body: str, lineno: int) -> tuple[list[int], list[int]]:
    """The shown and the extra (expandable) line numbers of the frame failing at *lineno*."""
    for match in re.finditer(r'<pre class="code[^"]*">(.*?)</pre>', body, re.S):
        numbers = re.findall(
            r'<span class="line( [a-z ]+)?"><span class="no">(\d+)</span>', match[1]
        )
        if any(int(n) == lineno and "cur" in (css or "") for css, n in numbers):
            shown = [int(n) for css, n in numbers if "extra" not in (css or "")]
            extra = [int(n) for css, n in numbers if "extra" in (css or "")]
            return shown, extra
    raise AssertionError(f"no frame failing at line {lineno}")


def test_context_shows_two_lines_and_expands_to_the_five_collected(long_app: Any) -> None:
    body = fetch(middleware(long_app.application)).text
    shown, extra = frame_lines(body, 13)
    assert shown == [11, 12, 13, 14, 15]
    assert sorted(shown + extra) == list(range(8, 19))
    assert re.search(r'class="more-context"[^>]*>Show 6 more lines', body)


@pytest.mark.parametrize(("lines", "expected"), [(0, [13]), (1, [12, 13, 14]), (10, None)])
def test_context_lines_sets_how_much_is_collected(
    long_app: Any, lines: int, expected: list[int] | None
) -> None:
    body = fetch(middleware(long_app.application, context_lines=lines)).text
    shown, extra = frame_lines(body, 13)
    if expected is None:
        assert shown == [11, 12, 13, 14, 15]
        assert sorted(shown + extra) == list(range(3, 24))
    else:
        assert shown == expected
        assert extra == []
        assert 'class="more-context"' not in section(body, '<div class="traceback">', "</section>")


def test_context_lines_in_the_collector(long_app: Any) -> None:
    try:
        long_app.application({}, None)
    except ValueError:
        report = collect_exception(*sys.exc_info(), context_lines=3)
        default = collect_exception(*sys.exc_info())
    assert len(report.frames[-1].context_lines) == 7
    assert len(default.frames[-1].context_lines) == 11


@pytest.mark.parametrize("bad", [-1, 101, "many", "1.5", 1.5, True, [3], "-2"])
def test_context_lines_bad_values_raise_at_construction_naming_the_option(bad: object) -> None:
    with pytest.raises(ConfigError, match="context_lines"):
        middleware(lambda e, s: [], context_lines=bad)


@pytest.mark.parametrize(
    ("option", "bad"),
    [
        ("app_packages", ["not-a-module"]),
        ("app_packages", "my app.x-y"),
        ("app_packages", 42),
        ("library_paths", 42),
        ("library_paths", ["/opt/\x00lib"]),
        ("editor_url", "{line}"),
        ("editor_url", 42),
    ],
)
def test_list_and_editor_options_bad_values_name_the_option(option: str, bad: object) -> None:
    with pytest.raises(ConfigError, match=option):
        middleware(lambda e, s: [], **{option: bad})


def test_collector_options_are_validated_too() -> None:
    try:
        raise ValueError("x")
    except ValueError:
        info = sys.exc_info()
    with pytest.raises(ConfigError, match="context_lines"):
        collect_exception(*info, context_lines=-3)
    with pytest.raises(ConfigError, match="app_packages"):
        collect_exception(*info, app_packages=["a-b"])


INI = """
[pipeline:main]
pipeline = unset errors app

[filter:unset]
paste.filter_app_factory = {module}:make_unset_filter

[filter:errors]
use = egg:paste_exc#error_catcher
debug = true
debug_allow = *
error_log = {log}
context_lines = 1
app_packages = acc17ini_site, other.pkg
library_paths = {libdir}
editor_url = pycharm

[app:app]
paste.app_factory = {module}:make_app
"""

INI_APP = """
import acc17ini_lib.helpers

def make_unset_filter(app, global_conf):
    def unset(environ, start_response):
        environ["paste.throw_errors"] = False
        return app(environ, start_response)
    return unset

def make_app(global_conf, **local_conf):
    import acc17ini_site.views
    return acc17ini_site.views.application
"""


def test_ini_strings_through_pastedeploy(
    tmp_path: Path, importer: Callable[[Path, str], Any]
) -> None:
    site = tmp_path / "venv" / "lib" / "site-packages"
    libdir = tmp_path / "mylibs"
    write_module(
        site,
        "acc17ini_site.views",
        """
        import acc17ini_lib.helpers

        def application(environ, start_response):
            # one
            # two
            return acc17ini_lib.helpers.fail()
        """,
    )
    write_module(libdir, "acc17ini_lib.helpers", "def fail():\n    return 1 / 0\n")
    write_module(tmp_path, "acc17ini_factory", INI_APP)
    importer(libdir, "acc17ini_lib.helpers")
    importer(site, "acc17ini_site.views")
    importer(tmp_path, "acc17ini_factory")
    ini = tmp_path / "app.ini"
    ini.write_text(
        INI.format(module="acc17ini_factory", log=os.devnull, libdir=libdir),
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = loadapp(f"config:{ini}")
    body = webtest.TestApp(app).get("/", status=500, expect_errors=True).text
    views = section(body, "acc17ini_site.views</span>", "</pre>")
    assert '<span class="badge app">application</span>' in views  # app_packages
    helpers = section(body, "acc17ini_lib.helpers</span>", "</div>")
    assert "badge app" not in helpers  # library_paths
    assert "pycharm://open?file=" in body  # editor_url preset
    shown, extra = frame_lines(body, 7)
    assert (shown, extra) == ([6, 7], [])  # context_lines = 1 (line 7 is the file's last)


# --- application vs library ----------------------------------------------------------------


def badge_of(body: str, modname: str) -> str:
    heads = re.findall(r'<div class="frame-head">.*?</div>', body, re.S)
    mine = [head for head in heads if f'<span class="modname">{modname}</span>' in head]
    assert mine, modname
    return mine[0]


def site_app(tmp_path: Path, importer: Callable[[Path, str], Any], name: str) -> Any:
    site = tmp_path / "lib" / "python3" / "site-packages"
    write_module(
        site,
        f"{name}.views",
        "def application(environ, start_response):\n    return {}['missing']\n",
    )
    return importer(site, f"{name}.views").application


def test_installed_application_is_library_without_app_packages(
    tmp_path: Path, importer: Callable[[Path, str], Any]
) -> None:
    app = site_app(tmp_path, importer, "acc17inst")
    body = fetch(middleware(app)).text
    assert "badge app" not in badge_of(body, "acc17inst.views")


@pytest.mark.parametrize("packages", [["acc17inst2"], "acc17inst2", ["acc17inst2.views"]])
def test_app_packages_makes_an_installed_application_the_application(
    tmp_path: Path, importer: Callable[[Path, str], Any], packages: object
) -> None:
    app = site_app(tmp_path, importer, "acc17inst2")
    body = fetch(middleware(app, app_packages=packages)).text
    assert '<span class="badge app">application</span>' in badge_of(body, "acc17inst2.views")
    assert re.search(r'class="my-code-only"[^>]*checked', body)


def test_app_packages_is_a_module_prefix_not_a_string_prefix(
    tmp_path: Path, importer: Callable[[Path, str], Any]
) -> None:
    app = site_app(tmp_path, importer, "acc17instx")
    body = fetch(middleware(app, app_packages=["acc17ins"])).text
    assert "badge app" not in badge_of(body, "acc17instx.views")


def test_library_paths_make_local_code_a_library(
    tmp_path: Path, importer: Callable[[Path, str], Any]
) -> None:
    write_module(tmp_path / "vendor", "acc17vend", "def fail():\n    raise OSError('v')\n")
    write_module(
        tmp_path / "src",
        "acc17own",
        "import acc17vend\ndef application(e, s):\n    acc17vend.fail()\n",
    )
    importer(tmp_path / "vendor", "acc17vend")
    app = importer(tmp_path / "src", "acc17own").application
    plain = fetch(middleware(app)).text
    assert "badge app" in badge_of(plain, "acc17vend")
    for given in ([str(tmp_path / "vendor")], str(tmp_path / "vendor") + "/"):
        body = fetch(middleware(app, library_paths=given)).text
        assert "badge app" not in badge_of(body, "acc17vend")
        assert "badge app" in badge_of(body, "acc17own")
    # A prefix is a directory: /x/vendor is not /x/vendorish.
    body = fetch(middleware(app, library_paths=[str(tmp_path / "ven")])).text
    assert "badge app" in badge_of(body, "acc17vend")


def test_standard_library_and_interpreter_prefixes_are_libraries() -> None:
    import json.decoder

    try:
        json.loads("{")
    except ValueError:
        report = collect_exception(*sys.exc_info())
    stdlib = [f for f in report.frames if f.modname and f.modname.startswith("json")]
    assert stdlib
    assert all(f.is_library for f in stdlib)
    assert not report.frames[0].is_library  # this test's own frame
    assert json.decoder.__file__.startswith((sys.base_prefix, sys.prefix))
    # A file under the running interpreter's prefix (a venv's bin/ script) is a library's.
    tool = os.path.join(sys.prefix, "bin", "acc17-tool")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile("def run():\n    raise KeyError(1)\n", tool, "exec"), namespace)  # noqa: S102
    try:
        namespace["run"]()
    except KeyError:
        report = collect_exception(*sys.exc_info())
    assert report.frames[-1].filename == tool
    assert report.frames[-1].is_library


HIDE_APP = """
def boom():
    raise LookupError("hidden-pytest")


def pytest_style():
    __tracebackhide__ = True
    boom()


def paste_style():
    __traceback_hide__ = True
    pytest_style()


def not_hidden():
    __tracebackhide__ = False
    paste_style()


def application(environ, start_response):
    not_hidden()
"""


def test_tracebackhide_is_honoured_like_traceback_hide(
    tmp_path: Path, importer: Callable[[Path, str], Any]
) -> None:
    write_module(tmp_path, "acc17hide", HIDE_APP)
    module = importer(tmp_path, "acc17hide")
    try:
        module.application({}, None)
    except LookupError:
        report = collect_exception(*sys.exc_info())
    hides = {f.name: f.traceback_hide for f in report.frames}
    assert hides["pytest_style"]
    assert hides["paste_style"]
    assert not hides["not_hidden"]
    text = format_text(report)
    assert "in not_hidden" in text
    assert "in boom" in text
    assert "in pytest_style" not in text
    assert "in paste_style" not in text
    body = fetch(middleware(module.application)).text
    hidden = "".join(details_blocks(body, "hidden-frames"))
    assert '<code class="func">pytest_style</code>' in hidden
    assert '<code class="func">paste_style</code>' in hidden
    assert '<code class="func">not_hidden</code>' not in hidden
    assert '<code class="func">boom</code>' not in hidden


# --- editor links --------------------------------------------------------------------------


PRESETS = {
    "vscode": "vscode://file/{path}:{line}",
    "pycharm": "pycharm://open?file={path}&line={line}",
    "sublime": "subl://open?url=file://{path}&line={line}",
    "emacs": "emacs://open?url=file://{path}&line={line}",
    "file": "file://{path}",
}


def editor_hrefs(body: str) -> list[str]:
    return [
        attrs["href"] or ""
        for tag, attrs in parse(body).tags
        if tag == "a" and "editor" in (attrs.get("class") or "").split()
    ]


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_editor_presets_link_each_frames_file(long_app: Any, preset: str) -> None:
    response = fetch(middleware(long_app.application, editor_url=preset))
    hrefs = editor_hrefs(response.text)
    path = long_app.__file__
    expected = PRESETS[preset].format(path=path, line=13)
    assert expected in hrefs, (expected, hrefs)
    assert_inert(response)


def test_editor_template_with_http_and_custom_scheme(long_app: Any) -> None:
    body = fetch(
        middleware(long_app.application, editor_url="https://ide.example/open?f={path}&l={line}")
    ).text
    assert f"https://ide.example/open?f={long_app.__file__}&l=13" in editor_hrefs(body)
    body = fetch(middleware(long_app.application, editor_url="myide:{path}#{line}")).text
    assert f"myide:{long_app.__file__}#13" in editor_hrefs(body)


def test_no_editor_links_without_the_option(long_app: Any) -> None:
    assert editor_hrefs(fetch(middleware(long_app.application)).text) == []


def test_never_editor_links_on_the_safe_page(long_app: Any) -> None:
    remote = {"REMOTE_ADDR": "203.0.113.7"}  # a network client, not an in-process test
    for app in (
        middleware(long_app.application, editor_url="vscode", debug=False),
        middleware(long_app.application, editor_url="vscode", debug_allow=None),
    ):
        for accept in ("text/html", "application/json", "text/plain"):
            response = fetch(app, accept=accept, extra_environ=remote)
            assert "vscode:" not in response.text
            assert long_app.__file__ not in response.text


@pytest.mark.parametrize(
    "template",
    [
        "javascript:alert(1)//{path}",
        "JAVASCRIPT:alert(1)//{path}",
        "JavaScript:{path}",
        " javascript:{path}",
        "\tjavascript:{path}",
        "java\tscript:{path}",
        "java\nscript:{path}",
        "\x00javascript:{path}",
        "java\x00script:{path}",
        "\u200bjavascript:{path}",
        "data:text/html,{path}",
        "DATA:text/html;base64,{path}",
        "vbscript:{path}",
        "blob:{path}",
        "{path}",
        "//evil.example/{path}",
        "{path}:{line}",
        "javascript&#58;{path}",
        "&#106;avascript:{path}",
    ],
)
def test_editor_url_refuses_script_schemes(template: str) -> None:
    with pytest.raises(ConfigError, match="editor_url"):
        middleware(lambda e, s: [], editor_url=template)


def test_editor_url_with_markup_in_the_template_is_escaped(long_app: Any) -> None:
    template = 'vscode://file/{path}"><img/src=x/onerror=alert(1)>:{line}'
    response = fetch(middleware(long_app.application, editor_url=template))
    assert_inert(response)
    assert "<img/src=x" not in response.text


@pytest.mark.parametrize(
    "filename",
    [
        'q"><img src=x onerror=alert(1)> #?é.py',
        "sp ace&amp;'quote'.py",
        "hash#frag?query=1&line=999.py",
        "ünïcødé 文件.py",
    ],
)
def test_editor_links_of_hostile_file_names_are_encoded(tmp_path: Path, filename: str) -> None:
    path = tmp_path / filename
    path.write_text("def application(environ, start_response):\n    raise ValueError('f')\n")
    namespace: dict[str, Any] = {"__name__": "acc17file"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - a file name
    encoded = urllib.parse.quote(str(path), safe="/")
    for preset, template in sorted(PRESETS.items()):
        response = fetch(middleware(namespace["application"], editor_url=preset))
        assert_inert(response)
        hrefs = [
            h
            for h in editor_hrefs(response.text)
            if "acc17" in urllib.parse.unquote(h) or str(tmp_path) in urllib.parse.unquote(h)
        ]
        assert len(hrefs) == 1, (preset, editor_hrefs(response.text))
        href = hrefs[0]
        # The file name is one percent-encoded part: it cannot end the path, start a
        # query or a fragment, or add a parameter.
        assert href == template.format(path=encoded, line=2), href
        assert urllib.parse.unquote(href).count(str(path)) == 1


# --- request -------------------------------------------------------------------------------


def failing_webob(read_body: bool) -> App:
    def application(environ: dict[str, Any], start_response: Any) -> Any:
        request = webob.Request(environ)
        if read_body:
            request.POST  # noqa: B018 - the application parses the form
        raise RuntimeError("after the request")

    return application


# Built here so that the source lines the page shows never hold a secret's value.
SECRET = "S3C" + "RET"
SECRETS = tuple(f"{kind}-{SECRET}-{n}" for n, kind in enumerate(("AUTH", "COOKIE", "PW", "QT"), 1))


def secret_request(app: App, accept: str) -> webtest.TestResponse:
    return fetch(
        app,
        f"/orders?user=ann&access_token={SECRETS[3]}&page=2",
        accept=accept,
        method="POST",
        params={"quantity": "3", "password": SECRETS[2], "note": "hello"},
        headers={
            "Authorization": f"Bearer {SECRETS[0]}",
            "Cookie": f"theme=dark; sessionid={SECRETS[1]}",
            "X-Api-Key": f"KEY-{SECRET}",
            "X-Custom": "custom-header-value",
        },
    )


def test_request_tables_with_the_method_and_url_at_the_top() -> None:
    response = secret_request(middleware(failing_webob(True)), "text/html")
    body = response.text
    top = body[: body.index('<nav class="frame-index"')]
    assert re.search(r'<code class="method">POST</code>\s*<a href="http://localhost/orders\?', top)
    request = section(body, '<section class="request-data">', "</section>")
    query = section(request, 'class="data query"', "</table>")
    assert '<th scope="row">user</th><td>ann</td>' in query
    assert '<th scope="row">page</th><td>2</td>' in query
    assert "access_token" in query
    form = section(request, 'class="data form"', "</table>")
    assert "quantity" in form
    assert "3" in form
    assert "hello" in form
    assert "password" in form
    cookies = section(request, 'class="data cookies"', "</table>")
    assert "theme" in cookies
    assert "sessionid" in cookies
    headers = section(request, 'class="data headers"', "</table>")
    assert "X-Custom" in headers
    assert "custom-header-value" in headers
    assert "Authorization" in headers
    # WSGI gives these two without HTTP_: they are headers of the request all the same.
    assert '<th scope="row">Content-Type</th><td>application/x-www-form-urlencoded' in headers
    assert '<th scope="row">Content-Length</th>' in headers
    variables = re.search(
        r"<details[^>]*request-vars[^>]*>\s*<summary>WSGI and CGI variables[^<]*</summary>"
        r".*?REQUEST_METHOD.*?</details>",
        request,
        re.S,
    )
    assert variables is not None
    assert request.count("<summary>") == 1  # one heading for the WSGI and CGI variables


@pytest.mark.parametrize("accept", ["text/html", "application/json", "text/plain"])
def test_secrets_never_appear_in_page_text_or_json(accept: str) -> None:
    response = secret_request(middleware(failing_webob(True)), accept)
    for secret in (*SECRETS, f"KEY-{SECRET}"):
        assert secret not in response.text, (accept, secret)


def test_form_fields_only_when_the_application_read_the_body() -> None:
    unread = middleware(failing_webob(False))
    body = fetch(unread, "/f", method="POST", params={"marker": "UNREAD-BODY-MARKER"}).text
    assert "UNREAD-BODY-MARKER" not in body
    assert 'class="data form"' not in body
    data = problem(unread, "/f", method="POST", params={"marker": "UNREAD-BODY-MARKER"})
    assert data["request"]["form"] is None
    assert data["request"]["body_unread"] is True
    read = problem(middleware(failing_webob(True)), "/f", method="POST", params={"marker": "m1"})
    assert ["marker", "m1"] in read["request"]["form"]


def test_an_unread_body_stays_unread_for_the_application_after() -> None:
    seen: list[bytes] = []

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        raise RuntimeError("unread")

    class Probe:
        def __init__(self, app: App) -> None:
            self.app = app

        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            stream = environ["wsgi.input"]
            try:
                return self.app(environ, start_response)
            finally:
                seen.append(stream.read(int(environ.get("CONTENT_LENGTH") or 0)))

    fetch(Probe(middleware(application)), "/", method="POST", params={"a": "body-left"})
    assert seen == [b"a=body-left"]


# --- environment ---------------------------------------------------------------------------


def failing_in_webob(environ: dict[str, Any], start_response: Any) -> Any:
    request = webob.Request.blank("/", body=b"{not json", content_type="application/json")
    return request.json


def test_environment_facts_on_the_page() -> None:
    body = fetch(middleware(failing_in_webob)).text
    env = section(body, '<section class="environment">', "</section>")
    assert platform.python_version() in env
    assert platform.python_implementation() in env
    assert sys.executable in env
    assert platform.platform() in env
    assert str(os.getpid()) in env
    assert threading.current_thread().name in env
    assert re.search(r"UTC.*?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", env, re.S)
    assert re.search(r"local.*?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", env, re.S)
    for entry in sys.path[:3]:
        assert entry in env
    dists = section(env, 'class="data distributions"', "</table>")
    assert "WebOb" in dists or "webob" in dists.lower()
    assert importlib.metadata.version("webob") in dists


def test_environment_and_request_blocks_in_the_debug_text() -> None:
    text = secret_request(middleware(failing_webob(True)), "text/plain").text
    assert "Environment" in text
    assert "Request" in text
    assert "POST http://localhost/orders?" in text
    assert platform.python_version() in text
    assert sys.executable in text
    assert "sys.path" in text
    assert "custom-header-value" in text
    assert "theme" in text


DOCUMENTED_ENVIRONMENT = (
    "python_version",
    "implementation",
    "executable",
    "platform",
    "pid",
    "thread",
    "time_utc",
    "time_local",
    "sys_path",
    "distributions",
)
DOCUMENTED_REQUEST = ("method", "url", "query", "form", "body_unread", "cookies", "headers")


def test_debug_json_has_the_documented_environment_and_request() -> None:
    data = problem(
        middleware(failing_in_webob),
        "/j?q=1",
        headers={"Cookie": "theme=dark", "X-Custom": "v"},
    )
    env = data["exception"]["environment"]
    assert set(DOCUMENTED_ENVIRONMENT) <= set(env)
    assert env["python_version"] == platform.python_version()
    assert env["executable"] == sys.executable
    assert env["pid"] == os.getpid()
    assert env["sys_path"][: len(sys.path[:3])] == sys.path[:3]
    names = {d["name"].lower(): d for d in env["distributions"]}
    assert names["webob"]["version"] == importlib.metadata.version("webob")
    assert set(names["webob"]) == {"name", "version", "modules"}
    request = data["request"]
    assert set(DOCUMENTED_REQUEST) <= set(request)
    assert request["method"] == "GET"
    assert ["q", "1"] in request["query"]
    assert "theme" in request["cookies"]
    assert "dark" not in json.dumps(request["cookies"])


def test_the_docs_list_the_json_fields() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "formatter.rst").read_text()
    for name in (*DOCUMENTED_ENVIRONMENT, *DOCUMENTED_REQUEST):
        assert f"``{name}``" in docs, name


def test_the_safe_json_and_safe_page_have_no_environment_or_request_tables() -> None:
    app = middleware(failing_in_webob, debug_allow=None)
    remote = {"REMOTE_ADDR": "203.0.113.7"}
    body = fetch(app, extra_environ=remote).text
    assert sys.executable not in body
    assert 'class="request-data"' not in body
    data = json.loads(fetch(app, accept="application/json", extra_environ=remote).text)
    assert "environment" not in json.dumps(data)
    assert "sys_path" not in json.dumps(data)


# --- repeats and headline ------------------------------------------------------------------


def test_repeats_of_environ_and_start_response_say_same_as_in_frame_n(
    tmp_path: Path, importer: Callable[[Path, str], Any]
) -> None:
    write_module(
        tmp_path,
        "acc17rep",
        """
        def inner(environ, start_response):
            raise ValueError("deep")

        def middle(environ, start_response):
            return inner(environ, start_response)

        def application(environ, start_response):
            return middle(environ, start_response)
        """,
    )
    app = importer(tmp_path, "acc17rep").application
    body = fetch(middleware(app)).text
    blocks = re.split(r'(?=<div class="frame[^"]*" id="frame-\d+")', body)[1:]
    by_no = {int(re.search(r'id="frame-(\d+)"', b)[1]): b for b in blocks}  # type: ignore[index]

    def row(number: int, local: str) -> str:
        found = re.search(rf'<th scope="row">{local}</th><td>(.*?)</td></tr>', by_no[number], re.S)
        assert found is not None, (number, local)
        return found[1]

    app_no = next(n for n, b in by_no.items() if '<code class="func">application</code>' in b)
    referred = 0
    for number, block in by_no.items():
        if number <= app_no or 'class="func">' not in block:
            continue
        for local in ("environ", "start_response"):
            same = re.fullmatch(
                r'<a class="same-as" href="#frame-(\d+)">same as in frame (\d+)</a>',
                row(number, local),
            )
            assert same is not None, (number, local, row(number, local)[:200])
            assert same[1] == same[2]
            assert int(same[1]) < number
            assert "same-as" not in row(int(same[1]), local)  # the frame shown has the value
            referred += 1
    assert referred == 4  # middle and inner, environ and start_response
    assert "same-as" not in row(app_no, "start_response") or "same-as" in row(app_no, "environ")


def headline(app: App) -> str:
    found = re.search(r'<p class="root-cause">(.*?)</p>', fetch(middleware(app)).text, re.S)
    return re.sub(r"<[^>]+>", "", found[1]) if found else ""


def test_headline_while_handling_for_implicit_context() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            raise LookupError("the first")
        except LookupError:
            raise RuntimeError("the second")  # noqa: B904 - implicit on purpose

    line = headline(app)
    assert line.startswith("While handling LookupError")
    assert "Started with" not in line


def test_headline_started_with_only_for_explicit_cause() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            raise LookupError("the first")
        except LookupError as error:
            raise RuntimeError("the second") from error

    assert headline(app).startswith("Started with LookupError")


def test_headline_says_neither_for_from_none() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            raise LookupError("the first")
        except LookupError:
            raise RuntimeError("the second") from None

    line = headline(app)
    assert "Started with" not in line
    assert "While handling" not in line


def test_headline_of_a_long_chain_names_the_root_by_its_link() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            try:
                raise KeyError("root")
            except KeyError as error:
                raise ValueError("mid") from error
        except ValueError:
            raise RuntimeError("top")  # noqa: B904

    line = headline(app)
    # The immediate context is implicit: "While handling" the ValueError.
    assert line.startswith("While handling ValueError"), line


# --- attacks: hostile values in every new place --------------------------------------------


def hostile_environ(app: App) -> App:
    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ[f"HTTP_X_{SCRIPTY}"] = HOSTILE
        environ["HTTP_X_EVIL"] = SCRIPTY
        environ[f"wsgi.{SCRIPTY}"] = HOSTILE
        return app(environ, start_response)

    return wrapper


def hostile_app(tmp_path: Path) -> App:
    path = tmp_path / f"m{HOSTILE}.py"
    source = "def placeholder(environ, start_response):\n    raise ValueError('" + "x" + "')\n"
    path.write_text(source)
    namespace: dict[str, Any] = {"__name__": f"evil{SCRIPTY}mod"}
    exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - a module name
    function = namespace["placeholder"]
    function.__code__ = function.__code__.replace(co_name=f"fn{SCRIPTY}", co_qualname=f"q{HOSTILE}")
    function.__qualname__ = f"q{HOSTILE}"

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        webob.Request(environ).POST  # noqa: B018 - the form is read
        return function(environ, start_response)

    return application


def hostile_request(app: App, accept: str) -> webtest.TestResponse:
    client = webtest.TestApp(catching(hostile_environ(app)), lint=False)
    return client.post(
        f"/p?{SCRIPTY}={HOSTILE}&q={SCRIPTY}",
        {SCRIPTY: HOSTILE, "field": SCRIPTY},
        headers={
            "Accept": accept,
            "Cookie": f'a{SCRIPTY.replace(";", "")}=1; "><b>=2',
            "User-Agent": SCRIPTY,
        },
        status=500,
        expect_errors=True,
    )


@pytest.mark.parametrize("preset", ["vscode", "pycharm", "file", 'myide:{path}"><b>:{line}'])
def test_hostile_values_everywhere_are_inert_in_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, preset: str
) -> None:
    monkeypatch.setattr(sys, "path", [f"/x/{SCRIPTY}", HOSTILE, *sys.path])
    try:
        app = middleware(hostile_app(tmp_path), editor_url=preset)
    except ConfigError:
        app = middleware(hostile_app(tmp_path))
    response = hostile_request(app, "text/html")
    assert_inert(response)
    body = response.text
    assert "<b>" not in body.replace("<b>ValueError</b>", "").replace('<b class="lineno">', "")
    # The values are there, escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    for place in ("request-data", "environment", "frame-index"):
        assert place in body


@pytest.mark.parametrize("accept", ["application/json", "text/plain"])
def test_hostile_values_are_inert_in_json_and_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, accept: str
) -> None:
    monkeypatch.setattr(sys, "path", [f"/x/{SCRIPTY}", *sys.path])
    response = hostile_request(middleware(hostile_app(tmp_path), editor_url="vscode"), accept)
    assert "html" not in response.content_type
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    if accept == "application/json":
        raw = response.text
        assert "<" not in raw
        assert ">" not in raw
        data = json.loads(raw)
        text = json.dumps(data, ensure_ascii=False)
        assert SCRIPTY in text  # decoded, the values are whole
        assert f"/x/{SCRIPTY}" in data["exception"]["environment"]["sys_path"]


def test_secrets_in_hostile_places_stay_redacted(tmp_path: Path) -> None:
    app = middleware(failing_webob(True))
    for accept in ("text/html", "application/json", "text/plain"):
        response = fetch(
            app,
            f"/?password=Q1{SECRET}&api_key=Q2{SECRET}&csrf_token=Q3{SECRET}",
            accept=accept,
            method="POST",
            params={
                "user_password": f"F1{SECRET}",
                "credit_card": f"F2{SECRET}",
                "api_key": f"F3{SECRET}",
                "token": f"F4{SECRET}",
            },
            headers={
                "Cookie": f"csrftoken=C1{SECRET}; remember_me=C2{SECRET}; theme=C3{SECRET}",
                "X-Auth-Token": f"H1{SECRET}",
                "Proxy-Authorization": f"Basic H2{SECRET}",
            },
        )
        found = re.findall(rf"[A-Z]\d{SECRET}", response.text)
        assert found == [], (accept, found)


# --- the size budget -----------------------------------------------------------------------


def recurse(depth: int, environ: dict[str, Any]) -> Any:
    if depth == 0:
        raise ValueError("deep")
    return recurse(depth - 1, environ)


def test_the_new_sections_fold_first_over_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", [*(f"/opt/{i}/" + "x" * 200 for i in range(200)), *sys.path])

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        return recurse(25, environ)

    query = "/?" + "&".join(f"k{i}=v{i}" for i in range(100))
    full = fetch(middleware(app), query).text
    assert '<section class="environment">' in full
    assert '<section class="request-data">' in full
    budget = len(full) * 3 // 4
    body = fetch(middleware(app, max_page_size=budget), query).text
    assert len(body) <= budget
    assert '<section class="environment">' not in body
    assert '<section class="request-data">' not in body
    assert "leaves out the request tables, the environment" in body
    # Only the new sections (and the source beyond two lines) went: every frame stays.
    assert len(re.findall(r"data-frame=", body)) == len(re.findall(r"data-frame=", full))
    tight = fetch(middleware(app, max_page_size=30_000), query).text
    assert len(tight) <= 30_000
    assert "entrys" not in tight  # the folding note's plural
    data = problem(middleware(app, max_page_size=budget // 4), query)
    assert "environment" not in data["exception"]
    assert data["exception"]["folded"][0].startswith("the request tables, the environment")


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("context_lines", "many"),
        ("context_lines", "-1"),
        ("app_packages", "my-app"),
        ("editor_url", "javascript:{path}"),
        ("editor_url", "notepad"),
    ],
)
def test_bad_ini_values_name_the_option(
    tmp_path: Path, importer: Callable[[Path, str], Any], option: str, text: str
) -> None:
    source = INI_APP.replace("import acc17ini_lib.helpers\n", "").replace(
        "    import acc17ini_site.views\n    return acc17ini_site.views.application",
        "    return lambda environ, start_response: []",
    )
    write_module(tmp_path, "acc17badini", source)
    importer(tmp_path, "acc17badini")
    ini = tmp_path / "bad.ini"
    content = INI.format(module="acc17badini", log=os.devnull, libdir=tmp_path)
    content = re.sub(rf"^{option} = .*$", f"{option} = {text}", content, flags=re.M)
    ini.write_text(content, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ConfigError, match=option):
            loadapp(f"config:{ini}")
