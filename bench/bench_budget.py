"""Benchmark: the size of every output for an oversize report, and the time to fold it.

Two reports built as collected data: 100 frames x 40 locals of 1 KB (the case
of issue 12), and the collector's own limits, 200 frames x 100 locals of 1 KB.
For each, every output the middleware and the built-in reporters produce, at
their default size budget (1,000,000 characters): the debug page, the
fragment, the debug problem+json document, the text/plain response (the text
report of the log file, ``wsgi.errors``, the email's text part and
``LoggingReporter`` is the same text), the JSON line, the email's HTML part.

Prints each size in characters and the time to produce it (one run each); the
figures before and after the shared folding policy are in docs/rendering.rst.

Run: ``.venv/bin/python bench/bench_budget.py``
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from paste_exc.collector import CollectedException, ExceptionFrame, LocalVariable
from paste_exc.format.documents import (
    render_debug_page,
    render_email_html,
    render_fragment,
    render_problem,
)
from paste_exc.formatter import format_text
from paste_exc.reporter import JSONLinesReporter


def oversize_report(frames: int, locals_per_frame: int, value_size: int) -> CollectedException:
    """A report of *frames* distinct frames, each with *locals_per_frame* locals of *value_size*."""
    return CollectedException(
        frames=tuple(
            ExceptionFrame(
                modname=f"app.module{index}",
                filename=f"/srv/app/module{index}.py",
                lineno=20,
                name=f"handler{index}",
                qualname=f"handler{index}",
                context_lines=tuple(f"    value_{index}_{n} = compute({n})" for n in range(11)),
                context_start=15,
                locals=tuple(
                    LocalVariable(f"var{number}", repr("v" * (value_size - 2)))
                    for number in range(locals_per_frame)
                ),
                is_library=index % 3 == 0,
            )
            for index in range(frames)
        ),
        exception_formatted="ValueError: too big\n",
        exception_type="ValueError",
        exception_value="too big",
        exception_module="builtins",
        identification_code="E-BENCH",
        occurrence_id="0123456789abcdef0123456789abcdef",
        locals_collected=True,
    )


def outputs(data: CollectedException) -> dict[str, Callable[[], str]]:
    jsonl = JSONLinesReporter(stream=io.StringIO())
    return {
        "debug page": lambda: render_debug_page(data).body,
        "fragment": lambda: render_fragment(data).body,
        "debug problem+json": lambda: render_problem(data, debug=True).body,
        "text report (text/plain, log, email text, logging)": lambda: format_text(
            data, show_hidden_frames=True
        ),
        "JSON line": lambda: jsonl.line(data),
        "email HTML part": lambda: render_email_html(data),
    }


def main() -> None:
    for shape in ((100, 40, 1000), (200, 100, 1000)):
        data = oversize_report(*shape)
        print(f"\n{shape[0]} frames x {shape[1]} locals of {shape[2]} characters")
        for name, produce in outputs(data).items():
            started = time.perf_counter()
            text = produce()
            elapsed = time.perf_counter() - started
            print(f"  {name:52} {len(text):>12,} chars  {elapsed * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
