"""The debug page for real applications: index, my code only, context, editor links, repeats,
the headline's rule, the environment block and the size budget."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from paste_exc.collector import (
    CollectedException,
    ExceptionFrame,
    LocalVariable,
    collect_exception,
)
from paste_exc.format.documents import render_debug_page, render_email_html, render_fragment
from paste_exc.format.foldsteps import SECTIONS_FOLDED
from paste_exc.format.html.build import build_report
from paste_exc.formatter import format_text

ENVIRON_REPR = "{" + ", ".join(f"'KEY_{i}': 'value number {i}'" for i in range(40)) + "}"


def collect(function: Any, **options: Any) -> CollectedException:
    try:
        function()
    except Exception:
        return collect_exception(*sys.exc_info(), collect_locals=True, **options)
    raise AssertionError("did not raise")


def innermost() -> None:
    value = 1
    raise KeyError(f"deep {value}")


def middle() -> None:
    innermost()


def outer() -> None:
    middle()


def frames_of(body: str) -> list[str]:
    return re.findall(r'<div class="frame[^"]*" id="(frame-\d+)"', body)


def test_the_index_links_every_frame_and_marks_the_applications() -> None:
    data = collect(outer)
    body = render_debug_page(data).body
    ids = frames_of(body)
    assert ids == [f"frame-{n}" for n in range(1, len(ids) + 1)]
    index = body[body.index('<nav class="frame-index"') : body.index("</nav>")]
    for anchor in ids:
        assert f'href="#{anchor}"' in index
    assert index.count('<span class="badge app">application</span>') == len(ids)
    assert 'class="idx-failing" href="#' + ids[-1] + '"' in index


def test_each_exception_of_a_chain_has_its_failing_frame_one_click_away() -> None:
    def chained() -> None:
        try:
            outer()
        except KeyError as error:
            raise RuntimeError("wrapped") from error

    body = render_debug_page(collect(chained)).body
    index = body[body.index('<nav class="frame-index"') : body.index("</nav>")]
    failing = re.findall(r'class="idx-failing" href="#(frame-\d+)"', index)
    assert len(failing) == 2
    for anchor in failing:
        assert f'id="{anchor}"' in body


def library_frame(number: int) -> ExceptionFrame:
    return ExceptionFrame(
        modname=f"framework.layer{number}",
        filename=f"/venv/site-packages/framework/layer{number}.py",
        lineno=number,
        name=f"call{number}",
        is_library=True,
    )


def report_with(frames: list[ExceptionFrame]) -> CollectedException:
    return CollectedException(
        frames=tuple(frames), exception_type="ValueError", exception_value="v"
    )


def test_library_runs_fold_behind_one_summary_and_my_code_only_is_the_default() -> None:
    app = ExceptionFrame(modname="myapp.views", filename="/srv/myapp/views.py", lineno=3, name="v")
    data = report_with([*map(library_frame, range(1, 15)), app, library_frame(20)])
    body = render_debug_page(data).body
    runs = re.findall(r'<details class="lib-run" open>\s*<summary>(\d+) library frames?', body)
    assert runs == ["14", "1"]
    assert 'class="my-code-only" checked' in body
    only_libraries = render_debug_page(report_with(list(map(library_frame, range(3))))).body
    assert 'class="my-code-only">' in only_libraries  # nothing of the app's: all shown


def test_the_context_shows_two_lines_and_expands_to_all_collected() -> None:
    data = collect(outer)
    frame = data.frames[-1]
    assert len(frame.context_lines) == 11
    body = render_debug_page(data).body
    last = body[body.index(f'id="frame-{len(data.frames)}"') :]
    block = last[: last.index("</pre>")]
    assert block.count('<span class="line') == 11
    assert block.count('<span class="line extra"') == 6
    assert 'data-more="6"' in last[: last.index("</div>\n<p class")]
    # context_lines=1: nothing more to expand
    small = render_debug_page(collect(outer, context_lines=1)).body
    assert "more-context" not in small.split('id="frame-', 1)[1].split("</pre>", 2)[1][:200]
    assert "line extra" not in small


def test_editor_links_only_on_the_debug_page_and_only_for_real_files() -> None:
    data = collect(outer)
    body = render_debug_page(data, editor_url="vscode").body
    assert re.search(
        r'<a class="path editor" href="vscode://file//[^"]+test_debugpage\.py:\d+"', body
    )
    assert "vscode://" not in render_debug_page(data).body
    assert "vscode://" not in render_fragment(data).body
    assert "vscode://" not in render_email_html(data)
    pseudo = report_with([ExceptionFrame(filename="<string>", lineno=1, name="m")])
    assert "editor" not in render_debug_page(pseudo, editor_url="vscode").body.split("<main>")[1]


def test_a_value_shown_in_an_outer_frame_is_referred_to() -> None:
    frames = [
        ExceptionFrame(
            filename=f"/srv/app/m{n}.py",
            modname=f"m{n}",
            lineno=n,
            name=f"f{n}",
            locals=(
                LocalVariable("environ", ENVIRON_REPR),
                LocalVariable("cookie_env", "{'HTTP_COOKIE': '[REDACTED]', 'A': 1}", True),
                LocalVariable("n", str(n)),
                LocalVariable("password", "[REDACTED]", redacted=True),
                LocalVariable("small", "1"),
            ),
        )
        for n in (1, 2, 3)
    ]
    body = render_debug_page(report_with(frames)).body
    assert body.count("value number 39") == 1 + body.count(
        "value number 39", body.index("<textarea")
    )
    assert body.count('<a class="same-as" href="#frame-1">same as in frame 1</a>') == 4
    assert body.count("[REDACTED]") >= 4  # a value redacted whole is never compared
    view = build_report(report_with(frames), navigation=True, text_version="")
    locals_of_3 = view.sections[0].runs[0].frames[2].locals
    assert locals_of_3 is not None
    assert [(v.name, v.same_as) for v in locals_of_3] == [
        ("environ", 1),
        ("cookie_env", 1),  # redacted in part: the same object, referred to
        ("n", None),
        ("password", None),
        ("small", None),
    ]


def implicit_context() -> None:
    try:
        {}["missing"]
    except KeyError:
        raise RuntimeError("the error page failed")  # noqa: B904 - the implicit context


def explicit_cause() -> None:
    try:
        {}["missing"]
    except KeyError as error:
        raise RuntimeError("could not load") from error


def headline(body: str) -> str | None:
    found = re.search(r'<p class="root-cause">(.*?)</p>', body)
    return found[1] if found else None


def test_the_headline_says_started_with_only_for_an_explicit_cause() -> None:
    implicit_page = render_debug_page(collect(implicit_context)).body
    assert headline(implicit_page) == (
        'While handling <a href="#frame-1"><code>KeyError: &#39;missing&#39;</code></a>'
    )
    explicit_page = render_debug_page(collect(explicit_cause)).body
    assert headline(explicit_page) == (
        'Started with <a href="#frame-1"><code>KeyError: &#39;missing&#39;</code></a>'
    )
    view = build_report(collect(implicit_context), text_version="")
    assert (view.root_cause_sentence, view.root_cause) == ("While handling", "KeyError: 'missing'")


def test_a_suppressed_context_has_no_headline_origin() -> None:
    def suppressed() -> None:
        try:
            {}["missing"]
        except KeyError:
            raise RuntimeError("clean") from None

    assert headline(render_debug_page(collect(suppressed)).body) is None


def test_the_environment_block_and_the_text_copy() -> None:
    data = collect(outer)
    body = render_debug_page(data).body
    assert '<section class="environment">' in body
    assert "sys.path (" in body
    for label in ("Python", "Executable", "Platform", "Process", "Server time (UTC)"):
        assert f'<th scope="row">{label}</th>' in body
    text = format_text(data, show_environment=True)
    assert "\nEnvironment\n-----------\n  Python: " in text
    assert "Environment\n---" not in format_text(data)  # Paste's text by default


def test_new_sections_fold_first_past_the_budget() -> None:
    data = collect(outer)
    full = render_debug_page(data, size_budget=None).body
    budget = len(full) - 500
    folded = render_debug_page(data, size_budget=budget).body
    assert len(folded) <= budget
    assert SECTIONS_FOLDED in folded
    assert '<section class="environment">' not in folded
    assert "line extra" not in folded
    assert "Local variables" in folded  # the locals are still there


@pytest.mark.parametrize("budget", [30_000, 60_000])
def test_a_long_traceback_stays_within_the_budget(budget: int) -> None:
    def recurse(n: int) -> None:
        if n == 0:
            raise ValueError("bottom")
        recurse(n - 1)

    data = collect(lambda: recurse(40))
    body = render_debug_page(data, size_budget=budget).body
    assert len(body) <= budget
