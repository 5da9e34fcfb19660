"""The header line and the record format: every report is findable and reads back as one."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from paste_exc.collector import (
    CollectedException,
    ExceptionFrame,
    LocalVariable,
    SupplementaryData,
    collect_exception,
)
from paste_exc.formatter import format_text
from paste_exc.report.delivery import Dispatcher, reset_dispatcher
from paste_exc.reporter import (
    FileReporter,
    LoggingReporter,
    LogReporter,
    ReportRecord,
    parse_log_records,
    read_log_records,
)

DASHES = "-" * 60
HEADER = "=== paste_exc report "
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
#: Every character str.splitlines() breaks a line at.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
FORGED = "boom\n" + DASHES + "\nFile '/etc/passwd', line 1 in evil\n  fake()"


@pytest.fixture(autouse=True)
def sync_dispatcher() -> Iterator[Dispatcher]:
    dispatcher = Dispatcher(synchronous=True, fallback=io.StringIO())
    previous = reset_dispatcher(dispatcher)
    yield dispatcher
    reset_dispatcher(previous)


def collected(message: str = FORGED) -> CollectedException:
    try:
        raise ValueError(message)
    except ValueError:
        return collect_exception(*sys.exc_info())


def request_report(url: str = "http://example.com/shop?item=3") -> CollectedException:
    data = collected()
    return CollectedException(
        frames=data.frames,
        exception_type=data.exception_type,
        exception_value=data.exception_value,
        identification_code=data.identification_code,
        occurrence_id=data.occurrence_id,
        timestamp=1714564800.25,
        request_method="POST",
        request_url=url,
    )


# -- the header line ---------------------------------------------------------------


def header_fields(line: str) -> dict[str, str]:
    assert line.startswith(HEADER), line
    return dict(token.split("=", 1) for token in line[len(HEADER) :].split(" "))


def test_log_file_starts_each_report_with_the_header_line(tmp_path: Path) -> None:
    log = tmp_path / "errors.log"
    data = request_report()
    LogReporter(filename=log).report(data)
    first = log.read_text(encoding="utf-8").split("\n")[0]
    fields = header_fields(first)
    assert fields == {
        "time": "2024-05-01T12:00:00.250Z",
        "identification_code": data.identification_code,
        "occurrence_id": data.occurrence_id,
        "request_method": "POST",
        "request_url": "http://example.com/shop?item=3",
    }


def test_header_without_a_request_has_no_request_fields(tmp_path: Path) -> None:
    data = collected("plain")
    stream = io.StringIO()
    FileReporter(file=stream).report(data)
    fields = header_fields(stream.getvalue().split("\n")[0])
    assert set(fields) == {"time", "identification_code", "occurrence_id"}
    assert ISO_UTC.match(fields["time"])
    assert fields["occurrence_id"] == data.occurrence_id


def test_header_url_is_redacted_and_one_line() -> None:
    url = "http://example.com/a b?password=hunter2&x=1\n" + HEADER + "occurrence_id=FAKE"
    stream = io.StringIO()
    data = request_report(url)
    FileReporter(file=stream).report(data)
    text = stream.getvalue()
    first = text.split("\n")[0]
    assert "hunter2" not in text
    assert header_fields(first)["request_url"].startswith("http://example.com/a%20b?password=")
    assert "%0A===%20paste_exc%20report%20occurrence_id=FAKE" in first
    assert len(text.splitlines()) == len(text.split("\n")) - 1
    assert [record.occurrence_id for record in parse_log_records(text)] == [data.occurrence_id]


def test_format_text_keeps_pastes_layout() -> None:
    data = request_report()
    text = format_text(data, show_hidden_frames=True)
    assert not text.startswith("===")
    assert "occurrence_id" not in text
    assert text.splitlines()[0].startswith("File '")


def test_logging_reporter_text_starts_with_the_header(caplog: pytest.LogCaptureFixture) -> None:
    data = request_report()
    with caplog.at_level(logging.ERROR, logger="paste_exc.report"):
        LoggingReporter().report(data)
    (record,) = caplog.records
    assert record.exc_text is not None
    fields = header_fields(record.exc_text.split("\n")[0])
    assert fields["occurrence_id"] == data.occurrence_id
    assert fields["request_url"] == "http://example.com/shop?item=3"
    assert record.time == "2024-05-01T12:00:00.250Z"  # type: ignore[attr-defined]
    # The message is one line, whatever the exception's message held.
    assert "\n" not in record.getMessage()
    assert "boom\\n" in record.getMessage()


# -- CWE-117: one report is one record ------------------------------------------------


def test_forged_separator_and_frame_read_back_as_one_report(tmp_path: Path) -> None:
    log = tmp_path / "errors.log"
    data = collected()
    LogReporter(filename=log).report(data)
    LogReporter(filename=log).report(collected("second"))
    content = log.read_text(encoding="utf-8")
    # Paste's readers split at the 60 dashes: one per report, no more.
    assert content.count(DASHES + "\n") == 2
    assert [line for line in content.split("\n") if line == DASHES] == [DASHES, DASHES]
    records = read_log_records(log)
    assert [r.occurrence_id for r in records] == [data.occurrence_id, records[1].occurrence_id]
    assert records[0].text == format_text(data, show_hidden_frames=True)
    assert "File '/etc/passwd', line 1 in evil" in records[0].lines
    assert all(r.complete for r in records)


def test_read_log_records_takes_a_path_text_bytes_or_stream(tmp_path: Path) -> None:
    log = tmp_path / "errors.log"
    data = collected()
    LogReporter(filename=log).report(data)
    content = log.read_text(encoding="utf-8")
    for source in (log, str(log), content, content.encode(), io.StringIO(content)):
        (record,) = read_log_records(source)
        assert isinstance(record, ReportRecord)
        assert record.occurrence_id == data.occurrence_id
        assert record.identification_code == data.identification_code
    assert read_log_records("") == []


def test_reader_skips_foreign_lines_and_keeps_a_cut_off_record() -> None:
    first, second = collected("one"), collected("two")
    one = io.StringIO()
    FileReporter(file=one).report(first)
    two = io.StringIO()
    FileReporter(file=two).report(second)
    text = "server started\n" + one.getvalue() + "GET / 200\n" + two.getvalue()[:-40]
    records = parse_log_records(text)
    assert [r.occurrence_id for r in records] == [first.occurrence_id, second.occurrence_id]
    assert [r.complete for r in records] == [True, False]
    assert "server started" not in records[0].lines
    assert "GET / 200" not in records[0].lines + records[1].lines


@pytest.mark.parametrize(
    "line",
    [
        DASHES,
        "  " + DASHES + "  ",
        DASHES + "-- more",
        ">" + DASHES,
        ">>" + DASHES,
        HEADER + "time=x occurrence_id=FAKE",
        "  === PASTE_EXC REPORT occurrence_id=FAKE",
        "\\ looks encoded",
        ">\\ looks quoted",
        "tab\there",
        "",
        ">",
        "plain > line",
    ],
)
def test_lines_that_look_like_record_syntax_round_trip(line: str) -> None:
    stream = io.StringIO()
    data = collected(f"start\n{line}\nend")
    FileReporter(file=stream).report(data)
    written = stream.getvalue().split("\n")
    assert written.count(DASHES) == 1
    assert stream.getvalue().count(DASHES) == 1
    assert sum(w.startswith(HEADER) for w in written) == 1
    (record,) = parse_log_records(stream.getvalue())
    assert record.text == format_text(data, show_hidden_frames=True)


@pytest.mark.parametrize("char", [*LINE_BREAKS[1:], "\x1b", "\x00", "\u202e", "\ud800", "\x7f"])
def test_control_characters_are_escaped_and_round_trip(char: str) -> None:
    stream = io.StringIO()
    data = collected(f"a{char}{DASHES}\\x41{char}")
    FileReporter(file=stream).report(data)
    text = stream.getvalue()
    assert char not in text
    assert text.splitlines() == text.split("\n")[:-1]
    (record,) = parse_log_records(text)
    assert record.text == format_text(data, show_hidden_frames=True)


# -- the property test ------------------------------------------------------------------

HOSTILE = st.sampled_from(
    [
        "\n",
        "\r\n",
        DASHES,
        "\n" + DASHES + "\n",
        "\n" + HEADER + "time=2024-01-01T00:00:00.000Z occurrence_id=FORGED\n",
        "\nFile '/etc/passwd', line 1 in evil\n  fake()\n",
        ">",
        "\\ ",
        "\\x0d",
        "\\\\",
        "\t",
        *LINE_BREAKS,
        "\x1b[2K",
        "\x00",
        "\u202e",
        "\ud800",
        "\udcff",
        "żółć",
    ]
)
TEXT = st.lists(st.one_of(HOSTILE, st.text(max_size=8)), max_size=6).map("".join)
IDS = st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789-", min_size=1, max_size=14)


@st.composite
def hostile_reports(draw: st.DrawFn) -> CollectedException:
    frames = tuple(
        ExceptionFrame(
            modname=draw(TEXT),
            filename=draw(TEXT),
            lineno=draw(st.integers(1, 30)),
            name=draw(TEXT),
            traceback_info=draw(st.one_of(st.none(), TEXT)),
            context_lines=tuple(draw(st.lists(TEXT, max_size=3))),
            context_start=1,
            locals=tuple(
                LocalVariable(draw(TEXT), draw(TEXT)) for _ in range(draw(st.integers(0, 2)))
            ),
            supplement=draw(
                st.one_of(
                    st.none(),
                    st.builds(
                        SupplementaryData,
                        object=st.one_of(st.none(), TEXT),
                        source_url=st.one_of(st.none(), TEXT),
                        expression=st.one_of(st.none(), TEXT),
                        warnings=st.lists(TEXT, max_size=2).map(tuple),
                        info=st.one_of(st.none(), TEXT),
                    ),
                )
            ),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    return CollectedException(
        frames=frames,
        exception_type=draw(TEXT),
        exception_value=draw(TEXT),
        identification_code=draw(IDS),
        occurrence_id=draw(IDS),
        timestamp=draw(st.floats(0, 4e9)),
        notes=tuple(draw(st.lists(TEXT, max_size=2))),
        extra_data={("important", draw(TEXT)): [draw(TEXT)], ("normal", "Request"): [draw(TEXT)]},
        request_method=draw(st.one_of(st.none(), TEXT)),
        request_url=draw(st.one_of(st.none(), TEXT)),
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(hostile_reports(), min_size=1, max_size=4))
def test_any_reports_read_back_as_exactly_the_reports_written(
    reports: list[CollectedException],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "errors.log"
        reporter = LogReporter(filename=log)
        for report in reports:
            reporter.report(report)
        raw = log.read_bytes()
        records = read_log_records(log)
    text = raw.decode("utf-8")  # always valid UTF-8, lone surrogates included
    lines = text.split("\n")
    assert lines[-1] == ""
    # No other line break anywhere: every reader sees the same lines.
    assert text.splitlines() == lines[:-1]
    assert lines.count(DASHES) == len(reports)
    # Nor for readers that split the text at the separator or search the header words.
    assert text.count(DASHES) == len(reports)
    assert len(re.findall("paste_exc report", text, re.IGNORECASE)) == len(reports)
    assert sum(line.startswith("=== paste_exc") for line in lines) == len(reports)
    assert len(records) == len(reports)
    for record, report in zip(records, reports, strict=True):
        assert record.complete
        assert record.occurrence_id == report.occurrence_id
        assert record.identification_code == report.identification_code
        assert record.time is not None
        assert ISO_UTC.match(record.time)
        assert (record.request_method is None) == (report.request_method is None)
        assert record.text == format_text(report, show_hidden_frames=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_wsgi_errors_records_read_back_whatever_the_message(message: str) -> None:
    from wsgiref.util import setup_testing_defaults

    from paste_exc.errormiddleware import ErrorMiddleware

    def app(environ: object, start_response: object) -> list[bytes]:
        raise ValueError(message)

    errors = io.StringIO()
    environ: dict[str, object] = {"wsgi.errors": errors, "PATH_INFO": "/x"}
    setup_testing_defaults(environ)
    headers: dict[str, str] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], *exc: object) -> None:
        headers.update(response_headers)

    middleware = ErrorMiddleware(app, show_exceptions_in_wsgi_errors=True)
    b"".join(middleware(environ, start_response))  # type: ignore[arg-type]
    (record,) = parse_log_records(errors.getvalue())
    assert record.occurrence_id == headers["X-Error-Id"]
    assert record.request_method == "GET"
    assert record.request_url == "http://127.0.0.1/x"
    assert "ValueError" in record.text
    assert errors.getvalue().splitlines() == errors.getvalue().split("\n")[:-1]
    assert errors.getvalue().count(DASHES) == 1


def test_json_lines_carry_the_four_fields(tmp_path: Path) -> None:
    from paste_exc.reporter import JSONLinesReporter

    path = tmp_path / "errors.jsonl"
    data = request_report()
    JSONLinesReporter(filename=path).report(data)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["time"] == "2024-05-01T12:00:00.250Z"
    assert doc["identification_code"] == data.identification_code
    assert doc["occurrence_id"] == data.occurrence_id
    assert doc["request_method"] == "POST"
    assert doc["request_url"] == "http://example.com/shop?item=3"


def test_problem_document_carries_the_four_fields() -> None:
    from paste_exc.format.documents import problem_document

    data = request_report("http://example.com/?api_key=abcdef1234567890")
    for debug in (False, True):
        doc = problem_document(data, debug=debug)
        assert doc["time"] == "2024-05-01T12:00:00.250Z"
        assert doc["occurrence_id"] == data.occurrence_id
        assert doc["identification_code"] == data.identification_code
        assert doc["request_method"] == "POST"
        assert "abcdef1234567890" not in str(doc["request_url"])
    no_request = problem_document(collected("x"), debug=False)
    assert no_request["request_method"] is None
    assert no_request["request_url"] is None


def test_a_failed_delivery_leaves_a_record_on_the_fallback_stream(tmp_path: Path) -> None:
    fallback = io.StringIO()
    dispatcher = Dispatcher(fallback=fallback)
    previous = reset_dispatcher(dispatcher)
    try:
        data = collected()
        LogReporter(filename=tmp_path, background=True).report(data)  # a directory: fails
        assert dispatcher.flush(timeout=10)
    finally:
        dispatcher.shutdown(timeout=5)
        reset_dispatcher(previous)
    (record,) = parse_log_records(fallback.getvalue())
    assert record.occurrence_id == data.occurrence_id
    assert record.text == format_text(data, show_hidden_frames=True)
    assert fallback.getvalue().count(DASHES) == 1


def test_wsgi_errors_notice_and_failures_stay_one_line_each() -> None:
    from wsgiref.util import setup_testing_defaults

    from paste_exc.errormiddleware import ErrorMiddleware

    class Broken(LoggingReporter):
        def deliver(self, exc_data: CollectedException, message: str = "") -> None:
            raise OSError("down\n" + HEADER + "occurrence_id=FAKE\n" + DASHES)

    def app(environ: object, start_response: object) -> list[bytes]:
        raise ValueError(FORGED)

    errors = io.StringIO()
    environ: dict[str, object] = {"wsgi.errors": errors}
    setup_testing_defaults(environ)
    middleware = ErrorMiddleware(app, reporters={"broken": Broken()})
    b"".join(middleware(environ, lambda status, headers, *exc: None))  # type: ignore[arg-type]
    text = errors.getvalue()
    # Nothing took the report: the notice, the record, the failure; no forged boundary.
    (record,) = parse_log_records(text)
    assert "FAKE" not in record.header
    assert text.count(DASHES) == 1
    assert text.count("paste_exc report") == 1
    notice = text.split("\n")[0]
    assert notice.startswith("Error - <class 'ValueError'>: boom\\n")
    assert any(line.startswith("paste_exc: reporter 'broken'") for line in text.split("\n"))


def test_header_of_a_paste_style_object_without_our_fields() -> None:
    from paste_exc.format.records import header_line

    class PasteData:  # what Paste code may hand to a reporter: no occurrence, no request
        identification_code = "E-PASTE"
        date = (2024, 5, 1, 12, 0, 0, 2, 122, -1)

    line = header_line(PasteData())  # type: ignore[arg-type]
    fields = header_fields(line)
    assert fields["identification_code"] == "E-PASTE"
    assert fields["occurrence_id"] == "unknown"
    assert ISO_UTC.match(fields["time"])
    assert "request_url" not in fields


def test_emergency_text_cannot_forge_a_record() -> None:
    from paste_exc.respond.fallback import emergency_text

    try:
        raise ValueError(FORGED + "\n" + HEADER + "occurrence_id=FAKE")
    except ValueError as exc:
        original = exc
    text = emergency_text(original, RuntimeError("x\r" + DASHES), "rendering the error page")
    assert parse_log_records(text) == []
    assert text.count(DASHES) == 1
    assert text.endswith(DASHES + "\n")
    assert text.splitlines() == text.split("\n")[:-1]
