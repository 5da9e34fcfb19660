"""Paste's built-in reporters with Paste's contract, the new ones, and the wiring."""

# ruff: noqa: B018

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import require_tool

from paste_exc import collector
from paste_exc.api import ExceptionReporter
from paste_exc.collector import CollectedException
from paste_exc.errors import ConfigError
from paste_exc.report.delivery import Dispatcher, reset_dispatcher
from paste_exc.reporter import (
    EmailReporter,
    FileReporter,
    JSONLinesReporter,
    LoggingReporter,
    LogReporter,
    Reporter,
    WSGIAppReporter,
    reporters_from_options,
)

ROOT = Path(__file__).resolve().parents[2]


def collect(exc: BaseException) -> CollectedException:
    return collector.collect_exception(type(exc), exc, exc.__traceback__)


def value_error() -> CollectedException:
    try:
        int("a")
    except ValueError as exc:
        return collect(exc)
    raise AssertionError("int('a') did not fail")


@pytest.fixture(autouse=True)
def own_dispatcher() -> Iterator[Dispatcher]:
    dispatcher = Dispatcher(fallback=io.StringIO())
    previous = reset_dispatcher(dispatcher)
    yield dispatcher
    dispatcher.shutdown(timeout=5.0)
    reset_dispatcher(previous)


# -- Paste's own test, against ours -------------------------------------------


def test_logger(tmp_path: Path) -> None:
    fn = tmp_path / "test_logger.log"
    rep = LogReporter(filename=str(fn), show_hidden_frames=False)
    try:
        int("a")
    except ValueError:
        exc_data = collector.collect_exception(*sys.exc_info())
    rep.report(exc_data)
    content = fn.read_text()
    # Paste's four lines, under the header line (time, codes) that ours adds.
    assert len(content.splitlines()) == 5, content
    assert content.startswith("=== paste_exc report time=")
    assert "ValueError" in content
    assert "int" in content
    assert "test_reporter.py" in content
    assert "test_logger" in content
    assert content.endswith("-" * 60 + "\n")
    try:
        1 / 0
    except ZeroDivisionError:
        exc_data = collector.collect_exception(*sys.exc_info())
    rep.report(exc_data)
    content = fn.read_text()
    assert len(content.splitlines()) == 10
    assert "ZeroDivisionError" in content


# -- the base class ------------------------------------------------------------


def test_every_reporter_is_an_exception_reporter(tmp_path: Path) -> None:
    assert issubclass(Reporter, ExceptionReporter)
    rep = LogReporter(filename=str(tmp_path / "x.log"))
    exc = KeyError("via report_exception")
    try:
        raise exc
    except KeyError:
        rep.report_exception(None, exc, "while testing", {})
    assert "via report_exception" in (tmp_path / "x.log").read_text()


def test_unknown_keyword_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="filenam"):
        LogReporter(filenam="x.log")
    with pytest.raises(TypeError, match="report"):
        LogReporter(filename="x.log", report=print)


@pytest.mark.parametrize(
    ("cls", "options", "option"),
    [
        (LogReporter, {}, "filename"),
        (LogReporter, {"filename": ""}, "filename"),
        (LogReporter, {"filename": "x", "show_hidden_frames": "maybe"}, "show_hidden_frames"),
        (FileReporter, {}, "file"),
        (FileReporter, {"file": "not a stream"}, "file"),
        (LoggingReporter, {"level": "LOUD"}, "level"),
        (JSONLinesReporter, {}, "filename"),
        (JSONLinesReporter, {"filename": "a", "stream": io.StringIO()}, "filename"),
        (LogReporter, {"filename": "x", "flood_window": "soon"}, "flood_window"),
        (
            LogReporter,
            {"filename": "x", "flood_window": 5, "flood_store": "ftp://x"},
            "flood_store",
        ),
    ],
)
def test_invalid_options_raise_config_error(
    cls: type[Reporter], options: dict[str, Any], option: str
) -> None:
    with pytest.raises(ConfigError) as info:
        cls(**options)
    assert info.value.option == option


def test_paste_style_subclass_overriding_report_still_works() -> None:
    seen: list[str] = []

    class MyReporter(Reporter):
        def report(self, exc_data: CollectedException) -> None:
            seen.append(exc_data.exception_type)

    try:
        raise OSError("custom")
    except OSError as exc:
        MyReporter().report_exception(None, exc, "", {})
    assert seen == ["OSError"]


def test_flood_window_works_for_any_reporter(tmp_path: Path) -> None:
    fn = tmp_path / "flood.log"
    data = value_error()
    rep = LogReporter(filename=str(fn), flood_window=60)
    for _ in range(3):
        rep.report(data)
    assert fn.read_text().count("-" * 60) == 1


# -- LogReporter -----------------------------------------------------------------


def test_log_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    fn = tmp_path / "u.log"
    try:
        raise ValueError("żółć ✓ \udcff")
    except ValueError as exc:
        LogReporter(filename=fn).report(collect(exc))
    text = fn.read_bytes().decode("utf-8")
    assert "żółć ✓" in text


def test_log_in_read_only_directory_fails_clearly(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import os, sys
        from paste_exc.reporter import LogReporter
        from paste_exc import collector
        try:
            int("a")
        except ValueError:
            data = collector.collect_exception(*sys.exc_info())
        try:
            LogReporter(filename=os.path.join(sys.argv[1], "errors.log")).report(data)
        except PermissionError as exc:
            print("PermissionError", exc.filename)
    """)
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    command = [sys.executable, "-c", script, str(folder)]
    if os.geteuid() == 0:  # root writes anywhere: drop the capability that allows it
        command = [
            require_tool("setpriv"),
            "--bounding-set",
            "-dac_override,-dac_read_search",
            "--inh-caps",
            "-all",
            *command,
        ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"PermissionError {folder / 'errors.log'}"
        assert not (folder / "errors.log").exists()
    finally:
        folder.chmod(0o755)


def test_log_from_many_processes_never_interleaves(tmp_path: Path) -> None:
    fn = tmp_path / "shared.log"
    script = textwrap.dedent("""
        import sys
        from paste_exc.reporter import LogReporter
        from paste_exc import collector
        rep = LogReporter(filename=sys.argv[1])
        for n in range(40):
            try:
                raise ValueError(f"worker {sys.argv[2]} report {n} " + "x" * 3000)
            except ValueError:
                rep.report(collector.collect_exception(*sys.exc_info()))
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(fn), str(w)], env=env) for w in range(4)
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0, 0]
    records = fn.read_text(encoding="utf-8").split("-" * 60 + "\n")
    assert records[-1] == ""
    records = records[:-1]
    assert len(records) == 160
    seen = set()
    for record in records:
        assert record.count("ValueError: worker") == 1, record[:200]
        line = next(line for line in record.splitlines() if line.startswith("ValueError"))
        seen.add(tuple(line.split()[2:5:2]))
    assert len(seen) == 160


# -- FileReporter and WSGIAppReporter -------------------------------------------


def test_file_reporter_writes_and_flushes() -> None:
    class Stream(io.StringIO):
        flushed = 0

        def flush(self) -> None:
            self.flushed += 1
            super().flush()

    stream = Stream()
    FileReporter(file=stream).report(value_error())
    assert "ValueError" in stream.getvalue()
    assert stream.getvalue().endswith("-" * 60 + "\n")
    assert stream.flushed == 1


def test_wsgi_app_reporter_answers_500_with_bytes() -> None:
    from wsgiref.util import setup_testing_defaults

    app = WSGIAppReporter(value_error())
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    started: list[tuple[str, list[tuple[str, str]]]] = []
    body = b"".join(
        app(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
    )  # type: ignore[arg-type, func-returns-value]
    [(status, headers)] = started
    assert status.startswith("500 ")
    assert dict(headers)["Content-Type"].startswith("text/html")
    assert int(dict(headers)["Content-Length"]) == len(body)
    assert b"ValueError" in body


# -- LoggingReporter --------------------------------------------------------------


def test_logging_reporter(caplog: pytest.LogCaptureFixture) -> None:
    data = value_error()
    rep = LoggingReporter(logger="myapp.errors", level="WARNING")
    with caplog.at_level(logging.WARNING, logger="myapp.errors"):
        rep.report_exception(None, _raised(), "while paying", {})
    [record] = [r for r in caplog.records if r.name == "myapp.errors"]
    assert record.levelno == logging.WARNING
    assert data.identification_code != record.identification_code  # a different bug
    assert record.getMessage().startswith(f"while paying [{record.identification_code}] KeyError")
    assert record.exception_type == "KeyError"
    assert record.report_message == "while paying"
    assert "_raised" in record.exc_text
    formatted = logging.Formatter("%(message)s").format(record)
    assert "Traceback" in formatted or "_raised" in formatted


def _raised() -> KeyError:
    try:
        raise KeyError("card")
    except KeyError as exc:
        return exc


def test_logging_reporter_respects_disabled_levels(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.CRITICAL, logger="quiet"):
        LoggingReporter(logger="quiet", level=logging.ERROR).report(value_error())
    assert [r for r in caplog.records if r.name == "quiet"] == []


# -- JSON lines ---------------------------------------------------------------------


def test_json_lines_to_a_file(tmp_path: Path) -> None:
    fn = tmp_path / "errors.jsonl"
    rep = JSONLinesReporter(filename=str(fn))
    rep.report(value_error())
    rep.report_exception(None, _raised(), "second", {})
    lines = fn.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["status"] == 500
    assert "ValueError" in json.dumps(first)
    assert second["report_message"] == "second"


def test_json_lines_to_a_stream() -> None:
    stream = io.StringIO()
    JSONLinesReporter(stream=stream, debug="false").report(value_error())
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["status"] == 500


# -- wiring ----------------------------------------------------------------------------


def test_reporters_from_options_builds_pastes_set(tmp_path: Path) -> None:
    stream = io.StringIO()
    reporters = reporters_from_options(
        error_email="a@example.com, b@example.com",
        error_log=str(tmp_path / "e.log"),
        show_exceptions_in_wsgi_errors="true",
        error_stream=stream,
        smtp_use_tls="false",
        smtp_port="2525",
    )
    email, log, file = reporters
    assert isinstance(email, EmailReporter)
    assert email.to_addresses == ["a@example.com", "b@example.com"]
    assert email.smtp_use_tls is False
    assert email.from_address == "errors@localhost"
    assert email._port == 2525
    assert isinstance(log, LogReporter)
    assert isinstance(file, FileReporter)
    assert file.file is stream


def test_reporters_from_options_false_strings_mean_false() -> None:
    assert (
        reporters_from_options(show_exceptions_in_wsgi_errors="false", error_stream=io.StringIO())
        == []
    )
    assert reporters_from_options(error_email="", error_log=None) == []


def test_reporters_from_options_rejects_bad_values() -> None:
    with pytest.raises(ConfigError) as info:
        reporters_from_options(show_exceptions_in_wsgi_errors="sometimes")
    assert info.value.option == "show_exceptions_in_wsgi_errors"
    with pytest.raises(TypeError, match="smtp_sever"):
        reporters_from_options(smtp_sever="x")


def test_signatures_follow_paste_positional_order(tmp_path: Path) -> None:
    import inspect

    email = inspect.signature(EmailReporter)
    assert list(email.parameters)[:7] == [
        "to_addresses",
        "from_address",
        "smtp_server",
        "smtp_username",
        "smtp_password",
        "smtp_use_tls",
        "subject_prefix",
    ]
    assert email.parameters["smtp_server"].default == "localhost"
    assert email.parameters["smtp_use_tls"].default is False
    assert email.parameters["subject_prefix"].default == ""
    assert 0 < email.parameters["smtp_timeout"].default <= 5
    for name in ("smtp_port", "smtp_use_ssl", "smtp_verify", "smtp_ca_file"):
        assert name in email.parameters
    rep = EmailReporter("a@example.com, b@example.com", "e@x.org", "mail.example.com:2525")
    assert rep.to_addresses == ["a@example.com", "b@example.com"]
    assert (rep._host, rep._port) == ("mail.example.com", 2525)
    assert rep.smtp_timeout == email.parameters["smtp_timeout"].default
    log = LogReporter(str(tmp_path / "x.log"), False)
    assert log.filename == str(tmp_path / "x.log")
    assert log.show_hidden_frames is False
    assert inspect.signature(LogReporter).parameters["show_hidden_frames"].default is True
    stream = io.StringIO()
    assert FileReporter(stream).file is stream
    assert inspect.signature(FileReporter).parameters["show_hidden_frames"].default is True
    assert LoggingReporter("myapp.errors", "WARNING").level == logging.WARNING
    assert JSONLinesReporter(str(tmp_path / "r.jsonl")).filename == str(tmp_path / "r.jsonl")


def test_paste_style_subclass_class_attribute_defaults_survive() -> None:
    class SiteEmail(EmailReporter):
        smtp_server = "mail.example.com"
        subject_prefix = "[site] "

    rep = SiteEmail(to_addresses="a@example.com", from_address="e@x.org")
    assert rep.smtp_server == "mail.example.com"
    assert rep.subject_prefix == "[site] "
    assert (
        SiteEmail(to_addresses="a@example.com", from_address="e@x.org", smtp_server="h")._host
        == "h"
    )


def test_missing_required_option_is_a_value_error_not_a_type_error() -> None:
    with pytest.raises(ValueError, match="to_addresses"):
        EmailReporter()
    with pytest.raises(ValueError, match="from_address"):
        EmailReporter("a@example.com")
    with pytest.raises(ValueError, match="filename"):
        LogReporter()
    with pytest.raises(ValueError, match="file"):
        FileReporter()
