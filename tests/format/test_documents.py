"""The documents around a report: debug, safe, fragment, problem JSON, short text, email."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from paste_exc.collector import CollectedException, ExceptionFrame, LocalVariable, collect_exception
from paste_exc.errors import ConfigError
from paste_exc.format import documents
from paste_exc.format.documents import (
    RenderedPage,
    problem_document,
    render_appended,
    render_debug_page,
    render_email_html,
    render_fragment,
    render_problem,
    render_safe_page,
    render_short_text,
)


def failing_view() -> None:
    __traceback_supplement__ = (Supplement,)
    secret_token = "tok" + "en-value"  # noqa: F841
    raise ValueError("the view failed")


class Supplement:
    source_url = "http://example.com/path"
    request_method = "GET"

    def extraData(self) -> dict[tuple[str, str], object]:
        return {("extra", "CGI Variables"): {"HTTP_HOST": "example.com"}}


@pytest.fixture(scope="module")
def data() -> CollectedException:
    try:
        failing_view()
    except ValueError:
        return collect_exception(*sys.exc_info(), collect_locals=True)
    raise AssertionError("did not raise")


def test_debug_page_is_whole_and_nonced(data: CollectedException) -> None:
    page = render_debug_page(data)
    assert isinstance(page, RenderedPage)
    assert page.content_type == "text/html; charset=utf-8"
    assert page.body.startswith("<!DOCTYPE html>")
    assert page.nonce
    assert f'<style nonce="{page.nonce}">' in page.body
    assert f'<script nonce="{page.nonce}">' in page.body
    assert page.body.count("<script") == 1
    assert " on" + "click=" not in page.body
    headers = dict(page.headers)
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert f"script-src 'nonce-{page.nonce}'" in csp
    assert f"style-src 'nonce-{page.nonce}'" in csp
    assert data.occurrence_id in page.body
    assert data.identification_code in page.body
    assert "ValueError" in page.body
    assert "CGI Variables" in page.body
    assert "http" + "s://" not in page.body.split("<main>")[0]  # nothing fetched from outside
    assert '<meta name="viewport"' in page.body
    assert "prefers-color-scheme: dark" in page.body
    assert "@media print" in page.body


def test_each_debug_page_gets_a_new_nonce(data: CollectedException) -> None:
    assert render_debug_page(data).nonce != render_debug_page(data).nonce


def test_debug_page_shows_reporting_failures(data: CollectedException) -> None:
    page = render_debug_page(data, reporting_failures=["EmailReporter: <refused>"])
    assert "EmailReporter: &lt;refused&gt;" in page.body


def test_fragment_has_no_css_js_or_environ(data: CollectedException) -> None:
    page = render_fragment(data)
    assert "<style" not in page.body
    assert "<script" not in page.body
    assert "<html" not in page.body
    assert "CGI Variables" not in page.body
    assert "the view failed" in page.body
    assert data.occurrence_id in page.body


def test_safe_page_has_codes_and_no_details(data: CollectedException) -> None:
    page = render_safe_page(data)
    assert data.identification_code in page.body
    assert data.occurrence_id in page.body
    assert "ValueError" not in page.body
    assert "the view failed" not in page.body
    assert "failing_view" not in page.body
    assert "test_documents" not in page.body
    assert documents.DEFAULT_ERROR_MESSAGE in page.body
    assert "<script" not in page.body
    assert page.nonce
    assert f'<style nonce="{page.nonce}">' in page.body


def test_safe_page_escapes_error_message(data: CollectedException) -> None:
    page = render_safe_page(data, error_message="<b>Sorry</b> & bye")
    assert "&lt;b&gt;Sorry&lt;/b&gt; &amp; bye" in page.body


def test_safe_page_user_template(data: CollectedException, tmp_path: Path) -> None:
    template = tmp_path / "error.html"
    template.write_text(
        "<h1>{{ title }}</h1><p>{{ error_message }}</p><code>{{ identification_code }}</code>"
        "<i>{{ occurrence_id }}</i>",
        encoding="utf-8",
    )
    page = render_safe_page(data, error_message="<oops>", template_file=template)
    assert page.body.startswith("<h1>Internal Server Error</h1>")
    assert "&lt;oops&gt;" in page.body
    assert data.identification_code in page.body
    assert data.occurrence_id in page.body


def test_safe_page_missing_or_broken_template(data: CollectedException, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="error_template"):
        render_safe_page(data, template_file=tmp_path / "missing.html")
    broken = tmp_path / "broken.html"
    broken.write_text("{% if %}", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid template"):
        render_safe_page(data, template_file=broken)


def test_safe_page_template_failing_at_render_falls_back(
    data: CollectedException, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    failing = tmp_path / "failing.html"
    failing.write_text("{{ 1 // 0 }}", encoding="utf-8")
    page = render_safe_page(data, template_file=failing)
    assert documents.DEFAULT_ERROR_MESSAGE in page.body
    assert "failed" in caplog.text


def test_problem_document_safe(data: CollectedException) -> None:
    doc = problem_document(data, debug=False)
    assert doc["type"] == "about:blank"
    assert doc["title"] == "Internal Server Error"
    assert doc["status"] == 500
    assert doc["identification_code"] == data.identification_code
    assert str(doc["instance"]).endswith(data.occurrence_id) or doc["instance"] == (
        data.occurrence_id
    )
    assert "exception" not in doc
    assert "ValueError" not in json.dumps(doc)


def test_problem_document_debug_has_exception(data: CollectedException) -> None:
    doc = problem_document(data, debug=True, status=503)
    assert doc["status"] == 503
    assert doc["title"] == "Service Unavailable"
    exc = doc["exception"]
    assert isinstance(exc, dict)
    assert exc["type"] == "ValueError"
    assert exc["message"] == "the view failed"
    frames = exc["frames"]
    assert isinstance(frames, list)
    assert frames[-1]["name"] == "failing_view"
    assert frames[-1]["line"] == 'raise ValueError("the view failed")'
    assert frames[-1]["locals"]["secret_token"] == "[REDACTED]"
    assert exc["request_url"] == "http://example.com/path"
    assert exc["request_method"] == "GET"


def test_problem_document_chain_and_group() -> None:
    try:
        try:
            raise KeyError("inner")
        except KeyError as exc:
            raise ExceptionGroup("group", [ValueError("a"), TypeError("b")]) from exc
    except ExceptionGroup:
        data = collect_exception(*sys.exc_info())
    doc = problem_document(data, debug=True)
    exc = doc["exception"]
    assert isinstance(exc, dict)
    assert exc["cause"]["type"] == "KeyError"
    assert [member["type"] for member in exc["exceptions"]] == ["ValueError", "TypeError"]


def test_render_problem_is_json(data: CollectedException) -> None:
    page = render_problem(data, debug=True)
    assert page.content_type == "application/problem+json"
    assert json.loads(page.body)["exception"]["type"] == "ValueError"


def test_short_text(data: CollectedException) -> None:
    page = render_short_text(data)
    assert page.content_type == "text/plain; charset=utf-8"
    header, *lines = page.body.strip().splitlines()
    assert header.startswith("=== paste_exc report time=")
    assert f"occurrence_id={data.occurrence_id}" in header
    assert len(lines) <= 2
    assert data.identification_code in page.body
    assert "ValueError" not in page.body


def test_email_html_inline_styles_no_script(data: CollectedException) -> None:
    body = render_email_html(data)
    assert body.startswith("<!DOCTYPE html>")
    assert "<script" not in body
    assert "<style" not in body
    assert 'style="' in body
    assert "the view failed" in body
    assert data.occurrence_id in body
    assert "<textarea" not in body


def test_appended_by_content_type(data: CollectedException) -> None:
    html_debug = render_appended(data, content_type="text/html; charset=utf-8", debug=True)
    assert b"the view failed" in html_debug
    assert b'<div class="pe-appended">' in html_debug
    html_safe = render_appended(data, content_type="text/html", debug=False)
    assert data.identification_code.encode() in html_safe
    assert b"the view failed" not in html_safe
    text = render_appended(data, content_type="text/plain", debug=True)
    assert b"ValueError: the view failed" in text
    assert f":{failing_view.__code__.co_firstlineno + 3} in failing_view".encode() in text
    assert b"<" not in text.split(b"ValueError", 1)[0]
    assert render_appended(data, content_type="image/png", debug=True) == b""
    assert render_appended(data, content_type="application/octet-stream", debug=True) == b""
    json_text = render_appended(data, content_type="application/json", debug=True)
    assert b"ValueError: the view failed" in json_text
    assert b"ValueError" in render_appended(data, content_type="", debug=True)
    latin = render_appended(data, content_type="text/plain; charset=latin-1", debug=False)
    assert data.identification_code.encode("latin-1") in latin


def test_lone_surrogates_do_not_break_encoding() -> None:
    data = CollectedException(
        frames=(ExceptionFrame(modname="m\ud800", filename="f.py", lineno=1, name="f"),),
        exception_type="ValueError",
        exception_value="bad \udcff text",
    )
    page = render_debug_page(data)
    page.body.encode("utf-8")
    render_fragment(data).body.encode("utf-8")
    render_email_html(data).encode("utf-8")
    json.loads(render_problem(data, debug=True).body)


text_st = st.text(max_size=40)


@st.composite
def collected(draw: st.DrawFn) -> CollectedException:
    frames = tuple(
        ExceptionFrame(
            modname=draw(st.one_of(st.none(), text_st)),
            filename=draw(st.one_of(st.none(), text_st)),
            lineno=draw(st.one_of(st.none(), st.integers(-5, 10**9))),
            name=draw(st.one_of(st.none(), text_st)),
            traceback_info=draw(st.one_of(st.none(), text_st)),
            context_lines=tuple(draw(st.lists(text_st, max_size=4))),
            context_start=draw(st.one_of(st.none(), st.integers(-3, 50))),
            locals=tuple(
                LocalVariable(draw(text_st), draw(text_st), draw(st.booleans()))
                for _ in range(draw(st.integers(0, 2)))
            ),
            traceback_hide=draw(st.sampled_from([None, True, False, "before", "after", "reset"])),
        )
        for _ in range(draw(st.integers(0, 4)))
    )
    return CollectedException(
        frames=frames,
        exception_type=draw(text_st),
        exception_value=draw(text_st),
        exception_module=draw(text_st),
        identification_code=draw(text_st),
        occurrence_id=draw(text_st),
        timestamp=draw(st.floats(allow_nan=True, allow_infinity=True)),
        notes=tuple(draw(st.lists(text_st, max_size=2))),
        extra_data={(draw(text_st), draw(text_st)): [draw(text_st)]},
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(collected(), st.booleans())
def test_problem_json_valid_for_any_input(data: CollectedException, debug: bool) -> None:
    body = render_problem(data, debug=debug).body
    doc = json.loads(body)
    assert doc["status"] == 500
    body.encode("ascii")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(collected())
def test_pages_render_for_any_input(data: CollectedException) -> None:
    assert render_debug_page(data).body.rstrip().endswith("</html>")
    assert render_safe_page(data).body.rstrip().endswith("</html>")
    assert "pe-report" in render_fragment(data).body


def paste_strip(page: str) -> str:
    """Paste's middleware tests: drop tags, unescape only &nbsp; &lt; &gt;."""
    text = re.sub("<.*?>", "", page)
    return text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">")


def outer_wrapper(inner: object, *args: object, **kw: object) -> object:
    return inner(*args, **kw)  # type: ignore[operator]


def inner_wrapper(inner: object, *args: object, **kw: object) -> object:
    return inner(*args, **kw)  # type: ignore[operator]


def test_failing_line_reads_once_per_frame_in_stripped_debug_page() -> None:
    try:
        outer_wrapper(inner_wrapper, failing_view)
    except ValueError:
        exc_data = collect_exception(*sys.exc_info())
    line = "return inner(*args, **kw)"
    body = render_debug_page(exc_data).body
    stripped = paste_strip(body)
    copy = paste_strip(body[body.index('<textarea class="text-report"') :])
    # Lines beyond the two shown at first (the expandable context) may show it too.
    extra = sum(
        paste_strip(chunk.split("</pre>", 1)[0]).count(line)
        for chunk in body.split('<span class="line')[1:]
        if chunk.startswith(' extra"')
    )
    # once in each wrapper's frame; the rest is the plain-text copy and the context
    assert stripped.count(line) - copy.count(line) - extra == 2
    assert line + "    " + line not in stripped
