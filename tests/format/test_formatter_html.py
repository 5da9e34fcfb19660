"""The HTML report: every field where expected, Paste's behaviours, the size budget, caching."""

from __future__ import annotations

import html
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from paste_exc.collector import (
    CollectedException,
    ExceptionFrame,
    LocalVariable,
    SupplementaryData,
    collect_exception,
)
from paste_exc.errors import ConfigError
from paste_exc.format.html import highlight as _highlight
from paste_exc.format.html.formatter import (
    HTMLFormatter,
    build_report,
    format_html,
    url_is_linkable,
)


def strip_tags(text: str) -> str:
    """Paste's test helper: drop tags, unescape entities."""
    return html.unescape(re.sub(r"<.*?>", "", text, flags=re.S))


def collect(func: object, **kw: object) -> CollectedException:
    try:
        func()  # type: ignore[operator]
    except BaseException:
        return collect_exception(*sys.exc_info(), **kw)  # type: ignore[arg-type]
    raise AssertionError("did not raise")


class Supplement:
    object = "the-object"
    source_url = "http://example.com/page?x=1"
    line = 7
    column = 3
    expression = "a / b"
    warnings = ("watch out",)

    def getInfo(self) -> str:
        return "supplement info text"


def app_frame() -> None:
    __traceback_info__ = "traceback info text"
    __traceback_supplement__ = (Supplement,)
    numbers = {"a": 1}
    numbers["missing"] += 1


def hide_me(inner: object, value: object = True) -> None:
    __traceback_hide__ = value
    inner()  # type: ignore[operator]


def chained() -> None:
    try:
        app_frame()
    except KeyError as exc:
        raise RuntimeError("wrapping failed") from exc


def implicit() -> None:
    try:
        app_frame()
    except KeyError:
        raise ValueError("during handling")  # noqa: B904


def grouped() -> None:
    def one() -> None:
        raise ValueError("first member")

    def two() -> None:
        raise TypeError("second member")

    errors: list[Exception] = []
    for func in (one, two):
        try:
            func()
        except Exception as exc:
            errors.append(exc)
    raise ExceptionGroup("two problems", errors)


def recurse(n: int) -> int:
    return recurse(n + 1) + 1


def test_plain_report_fields() -> None:
    data = collect(app_frame)
    out = format_html(data)
    text = strip_tags(out)
    assert "KeyError: 'missing'" in text
    assert f":{app_frame.__code__.co_firstlineno + 4} in app_frame" in text
    assert 'numbers["missing"] += 1' in text
    assert data.identification_code in text
    assert "traceback info text" in text
    assert "the-object" in text
    assert "supplement info text" in text
    assert "In expression: a / b" in text
    assert "Warning: watch out" in text
    assert "Line 7, Column 3" in text
    assert '<a href="http://example.com/page?x=1"' in out
    assert "tests/format/test_formatter_html.py" in text
    # the plain-text copy and its button
    assert '<textarea class="text-report"' in out
    assert "copy-text" in out
    # include_reusable brings the CSS and the script
    assert "<style>" in out
    assert "<script>" in out


def test_include_reusable_false_leaves_out_css_and_js() -> None:
    out = format_html(collect(app_frame), include_reusable=False)
    assert "<style" not in out
    assert "<script" not in out


def test_failing_expression_is_marked() -> None:
    out = format_html(collect(app_frame))
    assert '<span class="line cur">' in out
    marked = re.findall(
        r'<span class="mark">((?:<span class="\w+">[^<]*</span>|[^<])*)</span>', out
    )
    # the call in the test helper, then the failing expression
    assert [strip_tags(text) for text in marked] == ["func()", 'numbers["missing"]']


def test_marked_line_text_appears_once() -> None:
    """The underline is inside the line: stripped of tags, the line reads once."""
    out = format_html(collect(app_frame), include_reusable=False)
    code = re.findall(r'<pre class="code highlight">(.*?)</pre>', out, flags=re.S)
    assert sum(strip_tags(block).count('numbers["missing"]') for block in code) == 1


def test_mark_columns_splits_tokens_at_the_edges() -> None:
    line = _highlight.highlight_files({"m.py": _highlight.SourceRequest("m.py", {1: "ab = cd"})})
    marked = _highlight.mark_columns(line["m.py"][1], 1, 6)
    assert strip_tags(str(marked)) == "ab = cd"
    assert marked.count('<span class="mark">') == 1
    assert marked.count("<span") == marked.count("</span>")
    inner = re.search(r'<span class="mark">(.*)</span><span class="n">d', str(marked))
    assert inner is not None
    assert strip_tags(inner.group(1)) == "b = c"
    # a range past the line's text leaves the line as it was
    assert _highlight.mark_columns(line["m.py"][1], 1, 60) == line["m.py"][1]


def test_no_occurrence_data_in_format_html() -> None:
    first = collect(app_frame)
    second = collect(app_frame)
    assert first.occurrence_id != second.occurrence_id
    out = format_html(first)
    assert first.occurrence_id not in out
    assert format_html(first) == format_html(second)


def test_hidden_frames_removed_by_default_and_counted() -> None:
    data = collect(lambda: hide_me(app_frame))
    out = format_html(data)
    text = strip_tags(out)
    assert not re.search(r":\d+ in hide_me", text)
    assert "inner()  # type" not in text
    assert "1 hidden frame not shown" in text


def test_hidden_frames_collapsed_with_include_hidden_frames() -> None:
    data = collect(lambda: hide_me(app_frame))
    out = format_html(data, include_hidden_frames=True)
    assert '<details class="hidden-frames js-collapse" open>' in out
    assert "1 hidden frame (" in strip_tags(out)
    assert re.search(r":\d+ in hide_me", strip_tags(out))


def pass_through(info: str, inner: Callable[..., object], *args: object) -> object:
    __traceback_info__ = info
    return inner(*args)


def hide(value: object, inner: Callable[..., object], *args: object) -> object:
    __traceback_hide__ = value
    return inner(*args)


def test_paste_hide_after_keeps_hidden_arguments_out_of_the_context() -> None:
    """Paste's test_hide_after: an argument three lines below the call stays out of view."""
    try:
        # fmt: off
        pass_through(
            "AABB",
            hide, "after",
            pass_through, "CCDD",
            # A little whitespace to keep this line out of the
            # content part of the report
            hide, "reset",
            app_frame)
        # fmt: on
    except KeyError:
        exc_data = collect_exception(*sys.exc_info())
    out = format_html(exc_data)
    assert "AABB" in out
    assert "CCDD" not in out
    assert "app_frame" in out


def test_show_hidden_frames_shows_them_plainly() -> None:
    out = format_html(collect(lambda: hide_me(app_frame)), show_hidden_frames=True)
    assert '<details class="hidden-frames' not in out
    assert re.search(r":\d+ in hide_me", strip_tags(out))


def test_hide_ignored_when_error_frame_hidden_gives_identical_html() -> None:
    def pass_through(inner: object) -> None:
        __traceback_info__ = "pass"
        inner()  # type: ignore[operator]

    results = []
    for value in (False, "after"):
        data = collect(lambda v=value: pass_through(lambda: hide_me(app_frame, v)))
        results.append(format_html(data))
    assert results[0] == results[1]


def test_chain_with_sentences() -> None:
    out = strip_tags(format_html(collect(chained)))
    assert "KeyError: 'missing'" in out
    assert "The above exception was the direct cause of the following exception:" in out
    assert "RuntimeError: wrapping failed" in out
    assert out.index("KeyError: 'missing'") > out.index("RuntimeError: wrapping failed")  # headline
    # in the traceback part the cause comes first, as Python prints it
    body = out[out.index("Traceback (most recent call last)") :]
    assert (
        body.index("KeyError: 'missing'")
        < body.index("direct cause")
        < body.index("RuntimeError: wrapping failed")
    )


def test_implicit_context_sentence() -> None:
    out = strip_tags(format_html(collect(implicit)))
    assert "During handling of the above exception, another exception occurred:" in out


def cyclic_chain() -> None:
    first = ValueError("first of the loop")
    second = KeyError("second of the loop")
    first.__context__ = second
    second.__context__ = first
    raise first


def test_chain_cycle_ends_the_chain_as_in_the_text_report() -> None:
    # Python stops at a link it has seen; the collector marks it as a cycle.
    data = collect(cyclic_chain)
    view = build_report(data, text_version="")
    assert [(s.type_name, s.is_cycle) for s in view.sections] == [
        ("KeyError", False),
        ("ValueError", False),
    ]
    assert view.root_cause == "KeyError: 'second of the loop'"
    assert "already shown above" not in format_html(data)


def test_exception_group_as_tree() -> None:
    out = format_html(collect(grouped))
    text = strip_tags(out)
    assert "ExceptionGroup: two problems (2 sub-exceptions)" in text
    assert "Sub-exception 1 of 2" in text
    assert "ValueError: first member" in text
    assert "Sub-exception 2 of 2" in text
    assert "TypeError: second member" in text
    assert "exc-section depth-1" in out
    assert re.search(r":\d+ in one", text)
    assert re.search(r":\d+ in two", text)


def test_notes_shown() -> None:
    def noted() -> None:
        exc = ValueError("with notes")
        exc.add_note("first note")
        exc.add_note("second note")
        raise exc

    text = strip_tags(format_html(collect(noted)))
    assert "first note" in text
    assert "second note" in text


def test_locals_when_collected_and_redacted() -> None:
    def with_locals() -> None:
        password = "hun" + "ter2"  # noqa: F841
        count = 3  # noqa: F841
        raise ValueError("boom")

    data = collect(with_locals, collect_locals=True)
    out = format_html(data)
    assert "Local variables" in out
    assert "hunter2" not in out
    assert '<span class="redacted">' in out
    assert '<th scope="row">count</th><td>3</td>' in out


def test_recursion_folded_and_bounded() -> None:
    data = collect(lambda: recurse(0))
    out = format_html(data)
    text = strip_tags(out)
    assert "RecursionError" in text
    assert "more times" in text or "left out by the collector" in text
    assert len(out) < 1_000_000


def test_library_frames_quieter() -> None:
    def lib_call() -> None:
        import json

        json.loads("{not json")

    out = format_html(collect(lib_call))
    assert 'class="frame lib' in out
    assert "library</span>" in out


def test_extra_data_by_importance() -> None:
    data = CollectedException(
        frames=(ExceptionFrame(modname="m", filename="m.py", lineno=1, name="f"),),
        exception_type="ValueError",
        exception_value="x",
        identification_code="CODE",
        extra_data={
            ("important", "Important title"): ["important value"],
            ("normal", "Normal title"): [{"k": "v"}],
            ("supplemental", "Supp title"): [("a", "b")],
            ("extra", "CGI Variables"): [{"HTTP_HOST": "example.com"}],
        },
    )
    out = format_html(data)
    assert out.index("Important title") < out.index("Traceback") < out.index("Normal title")
    assert out.index("Normal title") < out.index("Supp title") < out.index("CGI Variables")
    assert '<details class="extra extra-data js-collapse" open>' in out
    hidden = format_html(data, show_extra_data=False)
    assert "CGI Variables" not in hidden
    assert "Important title" not in hidden


def test_trim_source_paths() -> None:
    data = collect(app_frame)
    prefix = app_frame.__code__.co_filename.rsplit("/", 1)[0]
    out = format_html(data, trim_source_paths=[(prefix, ".")])
    assert prefix not in out
    assert "./test_formatter_html.py" in out


def test_request_line_and_url_link_only_for_http() -> None:
    base = CollectedException(
        exception_type="ValueError",
        exception_value="x",
        request_method="POST",
        request_url="https://example.com/a?b=1",
    )
    out = format_html(base)
    assert '<code class="method">POST</code>' in out
    assert '<a href="https://example.com/a?b=1"' in out
    other = CollectedException(exception_type="E", request_url="javascript:alert(1)")
    assert "<a href" not in format_html(other)
    assert url_is_linkable("http://x.org/")
    assert not url_is_linkable("javascript:alert(1)")
    assert not url_is_linkable("http://x.org/ a")
    assert not url_is_linkable("ftp://x.org/")


def test_supplement_url_not_linked_unless_http() -> None:
    frame = ExceptionFrame(
        modname="m",
        filename="m.py",
        lineno=1,
        name="f",
        supplement=SupplementaryData(source_url="javascript:alert(1)"),
    )
    out = format_html(CollectedException(frames=(frame,), exception_type="E"))
    assert "<a href" not in out
    assert "javascript:alert(1)" in out


def test_syntax_error_caret() -> None:
    def bad() -> None:
        compile("x = (1 +\n", "<snippet>", "exec")

    text = strip_tags(format_html(collect(bad)))
    assert "SyntaxError" in text
    assert "^" in text


def test_size_budget_folds_and_says_so() -> None:
    frames = tuple(
        ExceptionFrame(
            modname=f"mod{i}",
            filename=f"/nowhere/mod{i}.py",
            lineno=10,
            name=f"func{i}",
            context_lines=tuple(f"line_{i}_{j} = {j}" for j in range(11)),
            context_start=5,
            locals=(LocalVariable("big", "x" * 500),),
        )
        for i in range(400)
    )
    data = CollectedException(
        frames=frames,
        exception_type="ValueError",
        exception_value="deep",
        extra_data={("extra", "Big"): [{f"k{i}": "v" * 200 for i in range(300)}]},
    )
    full = format_html(data, size_budget=None)
    assert len(full) > 300_000
    out = format_html(data, size_budget=150_000)
    assert len(out) <= 150_000
    text = strip_tags(out)
    assert "This report was shortened" in text
    assert "the extra data" in text
    assert "the local variables" in text
    assert "frames folded to fit the size budget" in text
    assert "func0" in text
    assert "func399" in text


def test_size_budget_must_be_positive() -> None:
    with pytest.raises(ConfigError):
        HTMLFormatter(size_budget=0)
    with pytest.raises(ConfigError):
        HTMLFormatter(size_budget="big")  # type: ignore[arg-type]


def test_highlighting_cached_and_each_file_once_per_report() -> None:
    _highlight.cache_clear()
    data = collect(chained)
    build_report(data, text_version="")
    first = _highlight.cache_info()
    assert first["misses"] > 0
    # several frames of this one file: merged into few runs, each line lexed once
    assert first["runs"] <= first["misses"]
    build_report(data, text_version="")
    second = _highlight.cache_info()
    assert second["misses"] == first["misses"]
    assert second["hits"] > first["hits"]


def test_highlight_falls_back_to_escaped_text_for_odd_files() -> None:
    frame = ExceptionFrame(
        modname="tpl",
        filename="/nowhere/page.unknownext",
        lineno=2,
        name="render",
        context_lines=("<a>", "<b onclick=x>", "</a>"),
        context_start=1,
    )
    out = format_html(CollectedException(frames=(frame,), exception_type="E"))
    assert "&lt;b onclick=x&gt;" in out
    assert "<b onclick" not in out


def test_highlight_cache_is_keyed_by_modification_time(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("value = 1\n", encoding="utf-8")
    _highlight.cache_clear()
    request = {str(source): _highlight.SourceRequest(str(source), {1: "value = 1"})}
    _highlight.highlight_files(request)
    _highlight.highlight_files(request)
    assert _highlight.cache_info()["misses"] == 1
    assert _highlight.cache_info()["hits"] == 1
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    _highlight.highlight_files(request)
    # a new modification time is a new cache entry: highlighted again
    assert _highlight.cache_info()["misses"] == 2
    assert _highlight.cache_info()["files"] == 2


def test_highlight_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    _highlight.cache_clear()
    monkeypatch.setattr(_highlight, "MAX_FILES", 3)
    for number in range(10):
        name = f"/nowhere/file{number}.py"
        _highlight.highlight_files({name: _highlight.SourceRequest(name, {1: "x = 1"})})
        assert _highlight.cache_info()["files"] <= 3
    assert _highlight.cache_info()["files"] == 3
    # the oldest files were dropped: asking again highlights again
    misses = _highlight.cache_info()["misses"]
    _highlight.highlight_files({"/nowhere/file0.py": _highlight.SourceRequest("x", {1: "x = 1"})})
    assert _highlight.cache_info()["misses"] == misses + 1
    _highlight.cache_clear()


def test_show_extra_data_false_keeps_supplement_object_and_url() -> None:
    # Paste: show_extra_data drops exc_data.extra_data only; the supplement's
    # object and URL are still shown.
    from dataclasses import replace

    data = replace(
        collect(app_frame), extra_data={("normal", "Env title"): [{"HTTP_HOST": "h.example"}]}
    )
    shown = format_html(data)
    assert "Env title" in shown
    hidden = format_html(data, show_extra_data=False)
    assert "Env title" not in hidden
    assert "h.example" not in hidden
    assert "the-object" in hidden
    assert "http://example.com/page?x=1" in strip_tags(hidden)
