"""Where a SyntaxError points, shown as the running Python's :mod:`traceback` shows it.

The collected ``exception_formatted``, the text report and the HTML report
(tags stripped) all carry the same file/line/caret lines, and those are the
lines :func:`traceback.format_exception_only` prints, for real errors of the
compiler and for hand-built ones with odd positions.
"""

from __future__ import annotations

import html
import re
import traceback

import pytest
from hypothesis import given, strategies as st

from paste_exc.collector import (
    INFO_LIMIT,
    CollectedException,
    ExceptionCollector,
    collect_exception,
)
from paste_exc.format.documents import render_email_html
from paste_exc.format.html.formatter import format_html
from paste_exc.format.textparts import exception_label
from paste_exc.formatter import TextFormatter, format_text

#: Broken sources and how to compile them: indentation errors, unterminated
#: strings, f-strings, invalid characters, tabs, wide characters, ranges.
SOURCES = [
    ("    foo bar baz\n", "exec"),
    ("a = 1 +* 2\n", "exec"),
    ("x = (1 +\n", "exec"),
    ("foo(\n", "exec"),
    ("x = [1, 2\ny = 3\n", "exec"),
    ("\n\n\n)\n", "exec"),
    ("def f():\nreturn 1\n", "exec"),
    ("if x:\n    a\n  b\n", "exec"),
    ("x = 1\n  y = 2\n", "exec"),
    ("if True:\n\tx = 1\n        y = 2\n", "exec"),
    ("if True:\n        x = 1\n\ty = 2\n", "exec"),
    ("\tfoo bar\n", "exec"),
    ("if x:\n\t\ta b c\n", "exec"),
    ("  \f  x y\n", "exec"),
    ("s = 'abc\n", "exec"),
    ('s = """abc\n\ndef\n', "exec"),
    ("s = b'\\xff' 'x\n", "exec"),
    ("f'{'\n", "exec"),
    ("f'{a b}'\n", "exec"),
    ("f'{a!x}'\n", "exec"),
    ("f'{}'\n", "exec"),
    ("x = f'{1 +}'\n", "exec"),
    ("x = 1 € 2\n", "exec"),
    ("x = \u2018a\u2019\n", "exec"),
    ("x = '日本語' +\n", "exec"),
    ("日本語 = 1 $ 2\n", "exec"),
    ("名前 名前\n", "exec"),
    ("x = 'é' + )\n", "exec"),
    ("print 'hello'\n", "exec"),
    ("a b c d e\n", "exec"),
    ("1 = x\n", "exec"),
    ("f() = 1\n", "exec"),
    ("f(x for x in y, 1)\n", "exec"),
    ("def f(a, a): pass\n", "exec"),
    ("return\n", "exec"),
    ("nonlocal x\n", "exec"),
    ("x = 0b12\n", "exec"),
    ("x = 1_\n", "exec"),
    ("import a.b as\n", "exec"),
    ("async def f():\n    await = 1\n", "exec"),
    ("class C:\n    def f(self):\n        yield from\n", "exec"),
    ("(" * 250 + ")" * 250 + "\n", "exec"),
    ("x = " + "1 + " * 60 + "\n", "exec"),
    ("    " + "y = 2; " * 30 + "z z\n", "exec"),
    ("a b", "eval"),
    ("1 +", "eval"),
    ("x = 1", "eval"),
    ("if x:\n", "single"),
    ("x = 1\r\ny y\r\n", "exec"),
    ("x = (\n1,\n2 3)\n", "exec"),
    ("{1: 2, 3}\n", "exec"),
    ("del f()\n", "exec"),
    ("for x in range(3):\n    pass\nelse\n", "exec"),
    ("try:\n    pass\n", "exec"),
    ("lambda x=1, y: x\n", "exec"),
    ("def f(*):\n    pass\n", "exec"),
    ("x = 'a' 'b\n", "exec"),
    ("x ≠ 1\n", "exec"),
    ("\N{NO-BREAK SPACE}x = 1\n", "exec"),
]


def _compile_error(source: str, mode: str) -> SyntaxError:
    try:
        compile(source, "<broken>", mode)
    except SyntaxError as error:
        return error
    raise AssertionError(f"{source!r} compiled")


def _python_block(error: SyntaxError) -> str:
    """The file/line/caret lines Python prints (all of format_exception_only but the last)."""
    return "".join(traceback.format_exception_only(type(error), error)[:-1])


def _collected(error: SyntaxError) -> CollectedException:
    return collect_exception(type(error), error, None)


def _text_block(data: CollectedException) -> str:
    """The text report without its final ``Type: value`` line (there are no frames)."""
    report = format_text(data)
    last = TextFormatter().format_exception_info(*exception_label(data))
    assert report.endswith(last)
    return report[: len(report) - len(last)]


_PRE = re.compile(r'<pre class="syntax-error"[^>]*>(.*?)</pre>', re.S)


def _html_block(page: str) -> str:
    """The SyntaxError block of an HTML page, tags stripped, as lines ending in newlines."""
    found = _PRE.findall(page)
    assert len(found) <= 1
    if not found:
        return ""
    return html.unescape(re.sub(r"<.*?>", "", found[0], flags=re.S)) + "\n"


def _assert_like_python(error: SyntaxError) -> None:
    data = _collected(error)
    expected = _python_block(error)
    assert data.exception_formatted == "".join(traceback.format_exception_only(type(error), error))
    assert _text_block(data) == expected
    assert _html_block(format_html(data)) == expected
    assert _html_block(render_email_html(data)) == expected


@pytest.mark.parametrize(("source", "mode"), SOURCES)
def test_compile_errors_are_shown_as_python_shows_them(source: str, mode: str) -> None:
    _assert_like_python(_compile_error(source, mode))


def test_the_issues_example_has_no_caret_where_python_shows_none() -> None:
    error = _compile_error("    foo bar baz\n", "exec")
    data = _collected(error)
    assert _text_block(data) == '  File "<broken>", line 1\n    foo bar baz\n'
    assert _html_block(format_html(data)) == '  File "<broken>", line 1\n    foo bar baz\n'


def test_a_range_gets_one_caret_per_column() -> None:
    error = SyntaxError("bad", ("f.py", 3, 5, "    abc def\n", 3, 8))
    expected = '  File "f.py", line 3\n    abc def\n    ^^^\n'
    assert _python_block(error) == expected
    assert _text_block(_collected(error)) == expected


_NUMBER = st.one_of(st.none(), st.integers(min_value=-6, max_value=60))
_LINE_TEXT = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            "x",
            "\n",
            "  abc def\n",
            "\tx = 1\n",
            "  \t x = 1\n",
            "日本語 = 1\n",
            "  é + ü\n",
            "a\nb\n",
            "  \f x\n",
            "x\r\n",
            "   \n",
            "a" * 70,
        ]
    ),
    st.text(alphabet=" \t\f\nabxyz=+()'日é", max_size=30),
)


@given(
    kind=st.sampled_from([SyntaxError, IndentationError, TabError]),
    msg=st.sampled_from(["bad", "", "unterminated string literal (detected at line 4)"]),
    filename=st.sampled_from([None, "", "f.py", "<s>"]),
    lineno=_NUMBER,
    offset=_NUMBER,
    text=_LINE_TEXT,
    end_lineno=_NUMBER,
    end_offset=_NUMBER,
)
def test_hand_built_errors_with_odd_positions_are_shown_as_python_shows_them(
    kind: type[SyntaxError],
    msg: str,
    filename: str | None,
    lineno: int | None,
    offset: int | None,
    text: str | None,
    end_lineno: int | None,
    end_offset: int | None,
) -> None:
    _assert_like_python(kind(msg, (filename, lineno, offset, text, end_lineno, end_offset)))


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("only a message",),
        ("m", ("f.py", None, None, None, None, None)),
        ("m", ("f.py", None, 3, "abc\n", None, None)),
        ("m", (None, 2, 1, None, None, None)),
        ("m", ("f.py", 0, 0, "x\n", 0, 0)),
        ("m", ("f.py", 1, 500, "short\n", 1, 900)),
        ("m", ("f.py", 1, 4, "short\n", 1, 2)),
        ("m", ("f.py", 1, 2, "one\ntwo\n", 2, 3)),
    ],
)
def test_missing_parts_are_shown_as_python_shows_them(args: tuple[object, ...]) -> None:
    _assert_like_python(SyntaxError(*args))


def test_the_file_line_is_trimmed_as_the_frames_are() -> None:
    error = SyntaxError("bad", ("/srv/app/bad.py", 2, 1, "x y\n", 2, 2))
    data = _collected(error)
    trim = {"trim_source_paths": [("/srv/app", "(app)")]}
    assert format_text(data, **trim).startswith('  File "(app)/bad.py", line 2\n')
    assert _html_block(format_html(data, **trim)).startswith('  File "(app)/bad.py", line 2\n')


def test_the_source_line_is_still_redacted() -> None:
    secret = "q1-syntax-block-pw"
    error = _compile_error(f'dsn = "postgresql://app:{secret}@db/x" +\n', "exec")
    data = _collected(error)
    assert secret not in data.exception_formatted
    assert secret not in format_text(data)
    assert secret not in format_html(data)
    assert "postgresql://app:" in _text_block(data)


@pytest.mark.parametrize("end_offset", [10**6, 10**12, 2**63])
def test_a_huge_range_is_bounded(end_offset: int) -> None:
    # Python would print end_offset carets; a report stays bounded (and as
    # Python's for any range that fits in the collected text's bound).
    error = SyntaxError("bad", ("f.py", 1, 1, "x y\n", 1, end_offset))
    data = _collected(error)
    assert len(data.exception_formatted) < 2 * INFO_LIMIT
    carets = data.exception_formatted.splitlines()[2]
    assert carets == "    " + "^" * INFO_LIMIT
    assert len(format_text(data)) < 3 * INFO_LIMIT
    assert _html_block(format_html(data)).splitlines()[2] == carets


def test_markup_in_a_syntax_error_is_escaped_in_html() -> None:
    error = SyntaxError("bad", ("<script>f</script>.py", 1, 2, "<b onclick=x>&amp;\n", 1, 5))
    page = format_html(_collected(error))
    assert "<script>f" not in page
    assert "<b onclick" not in page
    assert _html_block(page) == _python_block(error)


@pytest.mark.parametrize(("source", "mode"), SOURCES[:12])
def test_pastes_collect_exception_only_shows_a_syntax_error_as_python(
    source: str, mode: str
) -> None:
    error = _compile_error(source, mode)
    lines = ExceptionCollector().collectExceptionOnly(type(error), error)
    assert lines == traceback.format_exception_only(type(error), error)
