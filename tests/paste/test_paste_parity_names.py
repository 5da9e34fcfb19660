"""Paste parity: every public name of Paste's modules exists here, compatibly.

The oracle is Paste 3.10.1 itself, imported in the same process: the names are
read from its modules with :mod:`inspect`, not written down here.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import io
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import paste.exceptions.collector as paste_collector
import paste.exceptions.errormiddleware as paste_errormiddleware
import paste.exceptions.formatter as paste_formatter
import paste.exceptions.reporter as paste_reporter
import paste.exceptions.serial_number_generator as paste_sng
import pytest

from paste_exc import collector, errormiddleware, formatter, reporter, serial_number_generator
from paste_exc.collector import ExceptionFrame

MODULES = ("collector", "formatter", "reporter", "errormiddleware", "serial_number_generator")
#: Paste's containers built with ``Bunch(**attrs)``; ours are dataclasses taking
#: each of Paste's attributes as a keyword.
BUNCHES = ("CollectedException", "SupplementaryData", "ExceptionFrame")


def paste_public_names(module: ModuleType) -> Iterator[tuple[str, object]]:
    """The public names a Paste module defines (imported modules and classes left out)."""
    for name, value in vars(module).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        defined_in = getattr(value, "__module__", module.__name__)
        if (inspect.isclass(value) or inspect.isfunction(value)) and (
            defined_in != module.__name__
        ):
            continue  # imported from elsewhere (StringIO, ...)
        yield name, value


def all_public_names() -> list[tuple[str, str]]:
    result = []
    for module_name in MODULES:
        module = importlib.import_module(f"paste.exceptions.{module_name}")
        result.extend((module_name, name) for name, _ in paste_public_names(module))
    return result


def incompatibilities(paste_obj: object, ours: object) -> list[str]:
    """Why a call that works on *paste_obj* may not work on *ours* (empty: compatible).

    Paste's parameters must come first, in Paste's order, with Paste's names and
    kinds, and a default wherever Paste has one; ours may add parameters after
    them that have defaults (or are keyword-only with defaults, or ``**``).
    """
    paste_params = list(inspect.signature(paste_obj).parameters.values())  # type: ignore[arg-type]
    our_params = list(inspect.signature(ours).parameters.values())  # type: ignore[arg-type]
    problems = []
    for index, theirs in enumerate(paste_params):
        if theirs.kind in (theirs.VAR_POSITIONAL, theirs.VAR_KEYWORD):
            if not any(mine.kind == theirs.kind for mine in our_params):
                problems.append(f"no {theirs}")
            continue
        if index >= len(our_params):
            problems.append(f"parameter {theirs.name!r} missing")
            continue
        mine = our_params[index]
        if (mine.name, mine.kind) != (theirs.name, theirs.kind):
            problems.append(f"parameter {index} is {mine} where Paste has {theirs}")
        elif theirs.default is not theirs.empty and mine.default is mine.empty:
            problems.append(f"{mine.name!r} has no default where Paste has one")
    for mine in our_params[len(paste_params) :]:
        required = mine.default is mine.empty and mine.kind not in (
            mine.VAR_POSITIONAL,
            mine.VAR_KEYWORD,
        )
        if required:
            problems.append(f"added parameter {mine.name!r} is required")
    return problems


def signature_or_none(obj: object) -> inspect.Signature | None:
    try:
        return inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize(("module_name", "name"), all_public_names())
def test_paste_name_exists_with_a_compatible_signature(module_name: str, name: str) -> None:
    paste_module = importlib.import_module(f"paste.exceptions.{module_name}")
    our_module = importlib.import_module(f"paste_exc.{module_name}")
    paste_obj = getattr(paste_module, name)
    assert hasattr(our_module, name), f"paste_exc.{module_name}.{name} is missing"
    ours = getattr(our_module, name)
    if callable(paste_obj):
        assert callable(ours)
        if name in BUNCHES:
            fields = inspect.signature(ours).parameters
            attributes = [a for a in vars(paste_obj) if not a.startswith("_")]
            plain = [a for a in attributes if not callable(getattr(paste_obj, a))]
            assert [a for a in plain if a not in fields] == []
            return
        if signature_or_none(paste_obj) is not None:
            assert incompatibilities(paste_obj, ours) == []
    if inspect.isclass(paste_obj):
        for member, value in vars(paste_obj).items():
            if member.startswith("_"):
                continue
            assert hasattr(ours, member), f"{name}.{member} is missing"
            if inspect.isfunction(value) and signature_or_none(getattr(ours, member)):
                assert incompatibilities(value, getattr(ours, member)) == [], member


def test_the_walk_reads_many_names() -> None:
    """The walk above is not vacuous: Paste's modules give dozens of names."""
    names = all_public_names()
    assert len(names) > 40
    assert ("formatter", "str2html") in names
    assert ("serial_number_generator", "hash_identifier") in names


# -- each missing name behaves as Paste's ---------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((0, 5), {}),
        ((0, 10), {}),
        (("this is a test of a long string", 5), {}),
        ((0, 26), {}),
        ((0, 10), {"group": 4}),
        ((0, 10), {"group": 4, "upper": True, "prefix": "M-"}),
        ((b"bytes", 7), {"pad": False}),
        (("x", 12), {"hasher": hashlib.sha1}),
        (("x", 40), {"hasher": hashlib.sha256}),
        ((["a", 1], 6), {}),
    ],
)
def test_hash_identifier_gives_pastes_result(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    ours = serial_number_generator.hash_identifier(*args, **kwargs)
    assert ours == paste_sng.hash_identifier(*args, **kwargs)


def test_hash_identifier_refuses_long_md5_identifiers_as_paste_does() -> None:
    with pytest.raises(ValueError, match="26") as paste_error:
        paste_sng.hash_identifier(0, 30)
    with pytest.raises(ValueError, match="26") as our_error:
        serial_number_generator.hash_identifier(0, 30)
    assert str(our_error.value) == str(paste_error.value)


@pytest.mark.parametrize("number", [0, 1, 29, 30, 1000, 10**12, 2**200, True])
def test_make_identifier_gives_pastes_result(number: int) -> None:
    assert serial_number_generator.make_identifier(number) == paste_sng.make_identifier(number)


@pytest.mark.parametrize("bad", [-100, "test", 1.5, None])
def test_make_identifier_refuses_what_paste_refuses(bad: Any) -> None:
    with pytest.raises(ValueError) as paste_error:
        paste_sng.make_identifier(bad)
    with pytest.raises(ValueError) as our_error:
        serial_number_generator.make_identifier(bad)
    assert str(our_error.value) == str(paste_error.value)


def test_serial_number_generator_constants_are_pastes() -> None:
    assert serial_number_generator.good_characters == paste_sng.good_characters
    assert serial_number_generator.base == paste_sng.base == 30
    assert serial_number_generator.byte2int(b"\x07x") == paste_sng.byte2int(b"\x07x") == 7


def test_collector_identification_code_uses_the_same_function() -> None:
    assert collector.hash_identifier("a b", 5) == paste_sng.hash_identifier("a b", 5)


@pytest.mark.parametrize("value", ["<a href='x'>&\"", 42, None, "plain"])
def test_html_quote_is_pastes(value: object) -> None:
    assert formatter.html_quote(value) == paste_formatter.html_quote(value)


@pytest.mark.parametrize("pattern", ["error_re", "pre_re", "whitespace_re"])
def test_patterns_match_as_pastes(pattern: str) -> None:
    ours, theirs = getattr(formatter, pattern), getattr(paste_formatter, pattern)
    sample = "<pre class='x'>a  b   c</pre><h3>ERROR: bad</h3> <h3>ERROR: x</h3>"
    assert ours.sub("#", sample) == theirs.sub("#", sample)
    assert ours.pattern == theirs.pattern


def visible_text(markup: str) -> str:
    """What a browser shows of *markup*: tags dropped, entities read."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]*>", "", markup)).replace("\xa0", " ")


@pytest.mark.parametrize(
    ("src", "options"),
    [
        ("x = 1", {}),
        ("  call(a,  b)  \n", {"strip": True}),
        ("def f():\n    return '<b>'\n\nf()", {"indent_subsequent": 4}),
        ("a = 1\nb = 2\nc = 3\nd = 4", {"indent_subsequent": 4, "highlight_inner": True}),
        ("", {}),
    ],
)
def test_str2html_shows_what_pastes_shows(src: str, options: dict[str, Any]) -> None:
    ours = formatter.str2html(src, **options)
    theirs = paste_formatter.str2html(src, **options)
    assert visible_text(ours) == visible_text(theirs)
    assert ours.count("<br>\n") == theirs.count("<br>\n")
    assert ours.count('class="source-highlight"') == theirs.count('class="source-highlight"')
    assert "<b>" not in visible_text(ours).replace("'<b>'", "")


def test_str2html_escapes_what_it_cannot_highlight() -> None:
    class Odd(str):
        def strip(self, chars: str | None = None) -> str:
            raise RuntimeError("no strip")

    assert formatter.str2html(Odd("<x>"), strip=True) == "&lt;x&gt;"


def test_error_css_and_hide_display_js_are_elements_with_pastes_parts() -> None:
    assert formatter.error_css.strip().startswith('<style type="text/css">')
    assert formatter.error_css.strip().endswith("</style>")
    for selector in ("tr.header", "tr.even", "table.variables td", "a.button", "code.source"):
        assert selector in formatter.error_css
        assert selector in paste_formatter.error_css
    script = formatter.hide_display_js.strip()
    assert script.startswith('<script type="text/javascript">')
    assert script.endswith("</script>")
    for function in ("hide_display(id)", "show_button(toggle_id, name)", "switch_source(el"):
        assert function in script
        assert function in paste_formatter.hide_display_js


def test_error_template_is_pastes_page() -> None:
    args = ("<style>h1 {}</style>", "<p>the report</p>", "<p>extra</p>")
    ours = errormiddleware.error_template(*args)
    theirs = paste_errormiddleware.error_template(*args)
    assert ours.split() == theirs.split()


class FailingReporter:
    def report(self, exc_data: object) -> None:
        raise RuntimeError("SMTP <down>")

    def __str__(self) -> str:
        return "<failing>"


class WorkingReporter:
    def __init__(self) -> None:
        self.got: list[object] = []

    def report(self, exc_data: object) -> None:
        self.got.append(exc_data)


def test_send_report_returns_nothing_when_the_reporter_works() -> None:
    rep = WorkingReporter()
    assert errormiddleware.send_report(rep, "data") == ""
    assert paste_errormiddleware.send_report(WorkingReporter(), "data") == ""
    assert rep.got == ["data"]


def test_send_report_describes_a_failure_in_text_as_paste_does() -> None:
    ours = errormiddleware.send_report(FailingReporter(), "data", html=False)
    theirs = paste_errormiddleware.send_report(FailingReporter(), "data", html=False)
    first = "Additionally an error occurred while sending the <failing> report:"
    assert ours.splitlines()[0] == theirs.splitlines()[0] == first
    assert ours.rstrip().endswith("RuntimeError: SMTP <down>")
    assert theirs.rstrip().endswith("RuntimeError: SMTP <down>")


def test_send_report_describes_a_failure_in_escaped_html() -> None:
    # Paste's HTML branch raises (its ``html`` parameter hides the html module).
    ours = errormiddleware.send_report(FailingReporter(), "data")
    assert "&lt;failing&gt;" in ours
    assert "RuntimeError: SMTP &lt;down&gt;" in ours
    assert "<failing>" not in ours
    assert "<down>" not in ours


def test_send_report_redacts_the_failure() -> None:
    class Leaky:
        def report(self, exc_data: object) -> None:
            raise RuntimeError("login failed with password=hunter2")

    assert "hunter2" not in errormiddleware.send_report(Leaky(), "d", html=False)
    assert "hunter2" not in errormiddleware.send_report(Leaky(), "d")


def test_sslerror_is_pastes() -> None:
    assert reporter.sslerror is paste_reporter.sslerror


def test_exception_frame_accepts_traceback_decorator() -> None:
    def decorator(data: object) -> object:
        return data

    frame = ExceptionFrame(filename="f.py", lineno=3, traceback_decorator=decorator)
    paste_frame = paste_collector.ExceptionFrame(filename="f.py", traceback_decorator=decorator)
    assert frame.traceback_decorator is decorator is paste_frame.traceback_decorator
    assert ExceptionFrame().traceback_decorator is None
    assert frame == ExceptionFrame(filename="f.py", lineno=3)
    assert "decorator" in frame_json(frame)


def frame_json(frame: ExceptionFrame) -> str:
    import json

    from paste_exc.collector import CollectedException

    return json.dumps(CollectedException(frames=(frame,)).as_json_dict())


def test_collected_frames_leave_traceback_decorator_unset() -> None:
    def decorate(data: Any) -> Any:
        return data

    def fails() -> None:
        __traceback_decorator__ = decorate  # noqa: F841
        raise ValueError("x")

    try:
        fails()
    except ValueError:
        data = collector.collect_exception(*sys.exc_info())
    assert all(frame.traceback_decorator is None for frame in data.frames)


def body_app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"one"
    raise ValueError("in the body")


def test_catching_iter_takes_pastes_start_checker() -> None:
    from wsgiref.util import setup_testing_defaults

    parameters = list(inspect.signature(errormiddleware.CatchingIter).parameters)
    assert parameters == ["app_iter", "environ", "start_checker", "error_middleware"]
    middleware = errormiddleware.ErrorMiddleware(body_app)
    environ: dict[str, Any] = {"wsgi.errors": io.StringIO()}
    setup_testing_defaults(environ)
    calls: list[tuple[Any, ...]] = []
    checker = errormiddleware.ResponseStartChecker(lambda *args: calls.append(args))
    app_iter = body_app(environ, checker)
    guarded = errormiddleware.CatchingIter(app_iter, environ, checker, middleware)
    assert guarded.start_checker is checker
    chunks = list(guarded)
    assert chunks[0] == b"one"
    # The response had started (the checker says so): the error is appended, not a 500.
    assert [call[0] for call in calls] == ["200 OK"]
    assert b"error" in b"".join(chunks[1:]).lower()


def test_catching_iter_answers_500_before_a_paste_checker_started() -> None:
    from wsgiref.util import setup_testing_defaults

    def late_start(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        raise ValueError("before start")
        yield b""  # a generator

    middleware = errormiddleware.ErrorMiddleware(late_start)
    environ: dict[str, Any] = {"wsgi.errors": io.StringIO()}
    setup_testing_defaults(environ)
    calls: list[tuple[Any, ...]] = []
    checker = errormiddleware.ResponseStartChecker(lambda *args: calls.append(args))
    guarded = middleware.make_catching_iter(late_start(environ, checker), environ, checker)
    assert isinstance(guarded, errormiddleware.CatchingIter)
    body = b"".join(guarded)
    assert [call[0] for call in calls] == ["500 Internal Server Error"]
    assert checker.response_started
    assert b"ValueError" not in body  # debug is off: the safe page


def test_catching_iter_next_is_pastes_spelling() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"a"
        yield b"b"

    from wsgiref.util import setup_testing_defaults

    environ: dict[str, Any] = {"wsgi.errors": io.StringIO()}
    setup_testing_defaults(environ)
    checker = errormiddleware.ResponseStartChecker(lambda *args: None)
    middleware = errormiddleware.ErrorMiddleware(app)
    guarded = errormiddleware.CatchingIter(app(environ, checker), environ, checker, middleware)
    assert guarded.next() == b"a"
    assert guarded.next() == b"b"
    with pytest.raises(StopIteration):
        guarded.next()


def test_supplement_process_combos_are_pastes() -> None:
    combos = errormiddleware.Supplement.process_combos
    assert combos == paste_errormiddleware.Supplement.process_combos
    assert combos[(1, 0, 1)] == "CGI"


# -- HTMLFormatter's hook methods give Paste's markup ----------------------------------

HOOK_CASES: list[tuple[str, tuple[Any, ...]]] = [
    ("quote", ("a<b\"'&",)),
    ("quote_long", ("x<y",)),
    ("emphasize", ("<i>html</i>",)),
    ("format_sup_url", ("http://example.org/x?a=1",)),
    ("format_combine_lines", (["a", "<b>b</b>"],)),
    ("format_source", ("  x = 1  ",)),
    ("format_traceback_info", ("info <here>",)),
    ("format_sup_line_pos", (3, 4)),
    ("format_sup_line_pos", (3, None)),
    ("format_sup_expression", ("a < b",)),
    ("format_sup_warning", ("careful",)),
    ("format_exception_info", ("ValueError", "bad <value>")),
    ("format_sup_info", ("some info",)),
    ("zebra_table", ("T", {"a": 1, "b": "x" * 200, "c": [1, 2]})),
    ("format_extra_data", ("normal", "T", "a string")),
    ("format_extra_data", ("normal", "T", "two\nlines")),
    ("format_extra_data", ("normal", "T", {"k": [1, 2]})),
    ("format_extra_data", ("normal", "T", ["x" * 50] * 3)),
    ("format_extra_data", ("normal", "T", 5)),
]


@pytest.mark.parametrize(("hook", "args"), HOOK_CASES)
def test_html_hook_gives_pastes_markup(hook: str, args: tuple[Any, ...]) -> None:
    ours = getattr(formatter.HTMLFormatter(), hook)(*args)
    theirs = getattr(paste_formatter.HTMLFormatter(), hook)(*args)
    assert ours == theirs


def test_html_source_line_hook_gives_pastes_markup() -> None:
    ours = formatter.HTMLFormatter().format_source_line(
        "app.py", ExceptionFrame(modname="app", lineno=3, name="view")
    )
    theirs = paste_formatter.HTMLFormatter().format_source_line(
        "app.py", paste_collector.ExceptionFrame(modname="app", lineno=3, name="view")
    )
    assert ours == theirs


def test_html_combine_hook_gives_pastes_markup_without_the_reusable_parts() -> None:
    data = {"important": [("a", "A")], "normal": [("n", "N")], "extra": [("e", "E")]}
    ours = formatter.HTMLFormatter(include_reusable=False).format_combine(data, ["l"], "exc")
    paste = paste_formatter.HTMLFormatter(include_reusable=False)
    theirs = paste.format_combine({**data, "supplemental": []}, ["l"], "exc")
    assert ours == theirs
    with_reusable = formatter.HTMLFormatter().format_combine(data, ["l"], "exc")
    assert with_reusable == formatter.error_css + formatter.hide_display_js + ours


def test_html_hooks_escape_what_pastes_left_raw() -> None:
    hooks = formatter.HTMLFormatter()
    assert "<script>" not in hooks.format_sup_url("javascript:<script>x</script>")
    assert "<a " not in hooks.format_sup_url("javascript:alert(1)")
    assert "<b>T</b>" not in hooks.format_extra_data("normal", "<b>T</b>", 1)
    frame = ExceptionFrame(modname="<m>", lineno=1, name="f")
    assert "<m>" not in hooks.format_source_line('"><x', frame)
