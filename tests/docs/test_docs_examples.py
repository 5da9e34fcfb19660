"""Every code block of the documentation runs, or says in the source why it cannot.

The blocks come from :mod:`docs_blocks` (every ``docs/*.rst`` page and the
``python`` and ``ini`` blocks of ``README.md``). An unmarked ``python`` block
is executed; an unmarked ``ini`` block is loaded with PasteDeploy into a
pipeline and asked for a page; a block marked with a name runs with the
runner of that name (:mod:`docs_runner` and the guide modules register them);
a block marked ``not runnable: <reason>`` is listed with its reason. Any
other block fails here.
"""

from __future__ import annotations

import configparser
import contextlib
import io
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docs_asgi  # noqa: F401 (registers the ASGI examples' runners)
import docs_guides  # noqa: F401 (registers the guides' runners)
import docs_migration  # noqa: F401 (registers the migration guide's runner)
import docs_servers  # noqa: F401 (registers the servers' runners)
import pytest
from docs_blocks import Block, MarkerError, all_blocks, markdown_blocks, rst_blocks
from docs_runner import (
    RUNNERS,
    PlaceholderError,
    Scenario,
    placeholders,
    run_script,
    runner,
    write_reader_packages,
)

from paste_exc.report.dispatch import get_process_config, set_process_config

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    from webtest import TestApp

BLOCKS = list(all_blocks())
RUN_AS_IS = [block for block in BLOCKS if block.marker is None]
NOT_RUNNABLE = [block for block in BLOCKS if block.not_runnable_reason is not None]


def _scenarios() -> dict[str, list[Block]]:
    found: dict[str, list[Block]] = {}
    for block in BLOCKS:
        if block.scenario is not None and block.filename is not None:
            found.setdefault(block.scenario, []).append(block)
    return found


#: Scenario name -> its files (markers ``name/file``), run together by the name's runner.
SCENARIOS = _scenarios()
#: The blocks marked with a runner's name alone, each run on its own by that runner.
NAMED = [block for block in BLOCKS if block.scenario is not None and block.filename is None]


@contextlib.contextmanager
def _process_state_kept() -> Iterator[None]:
    """What an example may change process-wide is put back after it."""
    config = get_process_config()
    hooks = sys.excepthook, threading.excepthook
    try:
        yield
    finally:
        set_process_config(config)
        sys.excepthook, threading.excepthook = hooks


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory with the reader's packages on the path and a /var/log of its own.

    The modules an example imported from it are forgotten afterwards: the
    next example's ``shop`` is its own.
    """
    write_reader_packages(tmp_path)
    for folder in ("var/log/myapp", "var/log/app"):
        (tmp_path / folder).mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]


def in_sandbox(code: str, sandbox: Path) -> str:
    """The code with the absolute log paths of the examples moved into the sandbox."""
    return code.replace("/var/log/", f"{sandbox}/var/log/")


def run_python(code: str, where: str, sandbox: Path, **names: Any) -> dict[str, Any]:
    namespace = {"__name__": "docs_example", **placeholders(), **names}
    with _process_state_kept():
        exec(compile(in_sandbox(code, sandbox), where, "exec"), namespace)  # noqa: S102
    return namespace


# --- the blocks that run as they are


@pytest.mark.parametrize("block", RUN_AS_IS, ids=[block.where for block in RUN_AS_IS])
def test_unmarked_block_runs(block: Block, sandbox: Path) -> None:
    if block.language == "python":
        run_python(block.code, block.where, sandbox)
    elif block.language == "ini":
        load_ini(block.code, sandbox)
    else:
        pytest.fail(
            f"{block.where}: a {block.language} block that no test runs; make it run, "
            f"or mark it '.. example: not runnable: <reason>'"
        )


def _filter_section(parser: configparser.ConfigParser) -> str | None:
    for section in parser.sections():
        if section.startswith("filter:") and "error_catcher" in parser[section].get("use", ""):
            return section.split(":", 1)[1]
    return None


def load_ini(code: str, sandbox: Path) -> object:
    """Load an ini example with PasteDeploy: its error_catcher filter over the reader's app.

    The app ``myapp`` (and the pipeline, when the example shows only the
    filter) is added; the loaded pipeline must hold the middleware with every
    reporter the example configures, and answer a healthy request.
    """
    from paste.deploy import loadapp

    from paste_exc.testing import find_error_middleware, through_middleware

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(code)
    name = _filter_section(parser)
    assert name is not None, "an ini example for PasteDeploy has an error_catcher filter"
    additions = ""
    if not parser.has_section("app:myapp"):
        additions += "\n[app:myapp]\nuse = call:docs_runner:reader_app_factory\n"
    if not parser.has_section("pipeline:main"):
        additions += f"\n[pipeline:main]\npipeline = {name} myapp\n"
    path = sandbox / "example.ini"
    path.write_text(in_sandbox(code, sandbox) + additions, encoding="utf-8")
    with _process_state_kept():
        app = loadapp(f"config:{path}")
    middleware = find_error_middleware(app)
    assert middleware is not None
    expected = set(re.findall(r"^reporters\.([^.\s]+)\.", code, re.MULTILINE))
    if re.search(r"^(error_email|admin_email)\s*=", code, re.MULTILINE):
        expected.add("email")
    if re.search(r"^error_log\s*=", code, re.MULTILINE):
        expected.add("log")
    assert expected <= set(middleware.reporting.reporters)
    response = TestApp(through_middleware(app)).get("/")
    assert response.status_int == 200
    assert response.text == "healthy\n"
    return app


# --- the blocks that cannot run, and why


@pytest.mark.parametrize("block", NOT_RUNNABLE, ids=[block.where for block in NOT_RUNNABLE])
def test_a_block_that_cannot_run_says_why(block: Block) -> None:
    reason = block.not_runnable_reason
    assert reason is not None
    assert len(reason.split()) >= 3, f"{block.where}: give a reason a reader understands"


# --- named runners and scenarios


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_runs(name: str, sandbox: Path) -> None:
    assert name in RUNNERS, f"{SCENARIOS[name][0].where}: no runner for the marker {name!r}"
    scenario = Scenario(name, SCENARIOS[name], sandbox, SCENARIOS)
    with _process_state_kept():
        RUNNERS[name](scenario)


@pytest.mark.parametrize("block", NAMED, ids=[f"{b.scenario}-{b.where}" for b in NAMED])
def test_named_block_runs(block: Block, sandbox: Path) -> None:
    name = block.scenario
    assert name is not None
    assert name in RUNNERS, f"{block.where}: no runner for the marker {name!r}"
    assert name not in SCENARIOS, f"{name!r} is a scenario of files: mark {block.where} with a file"
    with _process_state_kept():
        RUNNERS[name](Scenario(name, [block], sandbox))


def test_every_runner_runs_a_block() -> None:
    used = set(SCENARIOS) | {block.scenario for block in NAMED}
    assert sorted(set(RUNNERS) - used) == []


def test_the_docs_have_blocks_of_every_kind() -> None:
    """The extraction finds what the pages hold (a broken parser would find nothing)."""
    languages = {block.language for block in BLOCKS}
    assert {"python", "ini", "literal", "console"} <= languages
    assert any(block.path.name == "README.md" for block in BLOCKS)
    assert len(BLOCKS) > 50


# --- the extraction itself


def _rst(tmp_path: Path, text: str) -> list[Block]:
    path = tmp_path / "page.rst"
    path.write_text(text, encoding="utf-8")
    return rst_blocks(path)


def test_extraction_finds_directives_literal_blocks_and_markers(tmp_path: Path) -> None:
    blocks = _rst(
        tmp_path,
        "Title\n=====\n\n"
        ".. code-block:: python\n   :caption: x\n\n   print(1)\n\n     indented\n\n"
        ".. example: not runnable: it needs the network to run\n\n"
        "A literal block::\n\n    $ make\n\ntext\n\n"
        ".. example: flask/app.py\n"
        ".. code-block:: ini\n\n   [app:main]\n",
    )
    assert [(b.language, b.code, b.marker) for b in blocks] == [
        ("python", "print(1)\n\n  indented\n", None),
        ("literal", "$ make\n", "not runnable: it needs the network to run"),
        ("ini", "[app:main]\n", "flask/app.py"),
    ]
    assert blocks[2].scenario == "flask"
    assert blocks[2].filename == "app.py"
    assert blocks[1].not_runnable_reason == "it needs the network to run"


def test_a_console_block_without_marker_is_not_run_as_is(tmp_path: Path) -> None:
    [block] = _rst(tmp_path, ".. code-block:: console\n\n   $ rm -rf /\n")
    assert block.marker is None
    assert block.language not in ("python", "ini")  # test_unmarked_block_runs fails on it


@pytest.mark.parametrize(
    "text",
    [
        ".. example: not runnable\n\n.. code-block:: sh\n\n   x\n",
        ".. example: not runnable: no\n\n.. code-block:: sh\n\n   x\n",
        ".. example: Has Spaces\n\n.. code-block:: sh\n\n   x\n",
        ".. example: flask/app.py\n\nno block follows\n",
        ".. example: a\n.. example: b\n\n.. code-block:: sh\n\n   x\n",
    ],
)
def test_a_bad_marker_fails(tmp_path: Path, text: str) -> None:
    with pytest.raises(MarkerError):
        _rst(tmp_path, text)


def test_markdown_blocks_and_markers(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text(
        "```sh\nmake\n```\n\n<!-- example: reraises -->\n```python\nmain()\n```\n\n"
        "```ini\n[x]\n```\n",
        encoding="utf-8",
    )
    blocks = markdown_blocks(path)
    assert [(b.language, b.code, b.marker) for b in blocks] == [
        ("python", "main()\n", "reraises"),
        ("ini", "[x]\n", None),
    ]


# --- named runners of the reference pages


@runner("reraises")
def _reraises(scenario: Scenario) -> None:
    """A script's ``except`` reports the reader's failure, then re-raises it."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), pytest.raises(PlaceholderError):
        run_python(scenario.code, scenario.blocks[0].where, scenario.directory)
    assert "PlaceholderError" in stderr.getvalue()


@runner("redaction-in-except")
def _redaction_in_except(scenario: Scenario) -> None:
    """The redaction examples, run inside an ``except`` (the last line collects the exception).

    Each line ``expression  # value`` must give that value.
    """
    from paste_exc.collector import collect_exception

    block = scenario.blocks[0]
    try:
        raise ValueError("the exception being handled")
    except ValueError:
        namespace = run_python(
            scenario.code,
            block.where,
            scenario.directory,
            sys=sys,
            collect_exception=collect_exception,
        )
    checked = 0
    for line in scenario.code.splitlines():
        expression, sep, expected = line.partition("  # ")
        if sep and expression.strip():
            value = eval(expression, namespace)  # noqa: S307 (the page's own example)
            assert repr(value) == expected.strip(), line
            checked += 1
    assert checked >= 1
    assert namespace["redactor"].is_secret_name("ssn")
    assert not namespace["redactor"].is_secret_name("session")


@runner("report-in-a-request")
def _report_in_a_request(scenario: Scenario) -> None:
    """The application reports what it caught; the middleware's reporters get it."""
    from paste_exc.errormiddleware import ErrorMiddleware
    from paste_exc.testing import CapturingReporter, through_middleware

    class PaymentError(Exception):
        pass

    def charge_card(environ: Any) -> None:
        raise PaymentError("card declined")

    def render_apology(start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"sorry, try another card"]

    namespace = run_python(
        scenario.code,
        scenario.blocks[0].where,
        scenario.directory,
        PaymentError=PaymentError,
        charge_card=charge_card,
        render_apology=render_apology,
    )
    capture = CapturingReporter()
    app = through_middleware(ErrorMiddleware(namespace["checkout"]), capture=capture)
    with contextlib.redirect_stderr(io.StringIO()):  # the report's ERROR log line
        response = TestApp(app).get("/checkout")
    assert response.text == "sorry, try another card"
    assert capture.exception_types == ["PaymentError"]
    assert capture.last.message == "charging the card failed"
    assert capture.last.exc_data.request_url == "http://localhost/checkout"


@runner("plugin-entry-point")
def _plugin_entry_point(scenario: Scenario) -> None:
    """The plug-in's entry point names the group paste_exc looks in, and a reporter class."""
    from paste_exc.api import ExceptionReporter
    from paste_exc.report.registry import ENTRY_POINT_GROUP, resolve_reference

    parser = configparser.ConfigParser()
    parser.read_string(scenario.code)
    entries = parser["options.entry_points"][ENTRY_POINT_GROUP]
    name, _, reference = entries.strip().partition("=")
    assert name.strip() == "pager"
    cls = resolve_reference(reference.strip())
    assert issubclass(cls, ExceptionReporter)


@runner("read-log-records")
def _read_log_records(scenario: Scenario) -> None:
    """A report in the log file is found again by its occurrence id."""
    from paste_exc.collector import collected_data
    from paste_exc.report.delivery import synchronous_delivery
    from paste_exc.reporter import LogReporter

    log = scenario.directory / "var/log/myapp/errors.log"
    try:
        raise KeyError("c-17")
    except KeyError as error:
        report = collected_data(error)
    with synchronous_delivery():
        LogReporter(filename=str(log)).report(report)
    # The page's example looks for the id a user quoted: give the report that one.
    text = log.read_text(encoding="utf-8").replace(report.occurrence_id, "4K2M-9QXT-P7HA")
    log.write_text(text, encoding="utf-8")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        run_python(scenario.code, scenario.blocks[0].where, scenario.directory)
    lines = printed.getvalue().splitlines()
    # record.time and record.request_url (None: the report was made outside a request)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z None", lines[0]), lines[0]
    assert lines[-1] == "KeyError: 'c-17'"


@runner("pager-reporter")
def _pager_reporter(scenario: Scenario) -> None:
    """A reporter of one's own: its option is checked when built; it delivers."""
    from paste_exc.errors import ConfigError
    from paste_exc.report.delivery import synchronous_delivery

    posted: list[tuple[str, str, float]] = []

    def post(url: str, code: str, timeout: float) -> None:
        posted.append((url, code, timeout))

    namespace = run_python(scenario.code, scenario.blocks[0].where, scenario.directory, post=post)
    pager_reporter = namespace["PagerReporter"]
    with pytest.raises(ConfigError, match=r"^url: "):
        pager_reporter()
    pager = pager_reporter(url="https://pager.example/hook")
    try:
        raise OSError("disk full")
    except OSError as error:
        with synchronous_delivery():
            pager.report_exception(None, error, "", {})
    assert len(posted) == 1
    assert posted[0][0] == "https://pager.example/hook"
    assert posted[0][1]  # the identification code
    assert posted[0][2] == 5


@runner("delivery-stats")
def _delivery_stats(scenario: Scenario) -> None:
    """The counters after one failing request with an email (to aiosmtpd) and a log file."""
    from docs_runner import mail_server

    from paste_exc.errormiddleware import ErrorMiddleware
    from paste_exc.report.delivery import Dispatcher, get_dispatcher, reset_dispatcher
    from paste_exc.testing import through_middleware

    with mail_server() as mail:
        previous = reset_dispatcher(Dispatcher())
        try:
            app = ErrorMiddleware(
                lambda environ, start_response: 1 / 0,
                error_email="ops@example.com",
                smtp_server=f"127.0.0.1:{mail.port}",
                error_log=str(scenario.directory / "errors.log"),
            )
            TestApp(through_middleware(app)).get("/", status=500)
            get_dispatcher().flush(10)
            namespace = run_python(scenario.code, scenario.blocks[0].where, scenario.directory)
        finally:
            reset_dispatcher(previous)
    stats = namespace["stats"]
    assert stats["email"].delivered == 1
    assert stats["log"].delivered == 1
    assert stats["log"].failed == 0
    assert stats.submitted == 2
    assert stats.pending == 0
    assert len(mail.received) == 1


@runner("reports-fixture")
def _reports_fixture(scenario: Scenario) -> None:
    """The documented test, run by pytest with the installed plug-in, passes."""
    scenario.write(
        extra={
            "shop.py": """
                class PaymentError(Exception):
                    pass


                def checkout_app(environ, start_response):
                    raise PaymentError("card declined")
                """,
            "test_recipe.py": scenario.code,
        }
    )
    result = run_script(scenario.directory, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert result.returncode == 0, result.stdout
    assert "1 passed" in result.stdout


@runner("thread-hook")
def _thread_hook(scenario: Scenario) -> None:
    """A thread's exception: reported to the log file, and printed by Python's own hook."""
    from paste_exc.reporter import read_log_records

    stderr = io.StringIO()
    # The hook it chains to is Python's own here (pytest's would turn the output into a warning).
    threading.excepthook = threading.__excepthook__
    with contextlib.redirect_stderr(stderr):
        run_python(scenario.code, scenario.blocks[0].where, scenario.directory)
    assert "ZeroDivisionError: division by zero" in stderr.getvalue()
    [record] = read_log_records(str(scenario.directory / "errors.log"))
    assert "ZeroDivisionError: division by zero" in record.lines
    assert threading.excepthook is threading.__excepthook__  # removed again
