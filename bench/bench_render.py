"""Benchmark: rendering an error report, paste_exc beside Paste, in one process.

Two cases:

* a 32-frame traceback from a generated module: Paste's ``format_html`` against
  our ``render_debug_page``, alternating, with a warm highlighting cache; then
  ours with the cache emptied before every render (cold); and the first render
  of the process, which also compiles the templates;
* a ``RecursionError`` about 10,000 frames deep: collecting and rendering, once
  each, ours and Paste's.

Prints medians in milliseconds, the ratios ours / Paste, and the sizes of the
pages.  Bounded: each timed loop stops after ``ROUNDS`` rounds or ``LOOP_SECONDS``
seconds, whichever comes first.

Run: ``.venv/bin/python bench/bench_render.py``
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TypeAlias

from paste.exceptions import collector as paste_collector, formatter as paste_formatter

from paste_exc.collector import collect_exception
from paste_exc.format.documents import render_debug_page
from paste_exc.format.html import highlight as _highlight

ExcInfo: TypeAlias = tuple[type[BaseException], BaseException, TracebackType]

#: Frames in the first case's traceback (the bench's own two calls included).
FRAMES = 32
ROUNDS = 60
LOOP_SECONDS = 8.0
RECURSION_LIMIT = 10_000


def write_chain(directory: Path, depth: int) -> ModuleType:
    """Write and import a module whose ``call_0`` calls down *depth* functions and fails."""
    source: list[str] = []
    for level in range(depth - 1):
        source += [
            f"def call_{level}(count):",
            f"    scaled_{level} = count * {level + 1}",
            f"    return call_{level + 1}(count) + scaled_{level}",
            "",
        ]
    source += [
        f"def call_{depth - 1}(count):",
        "    settings = {'depth': count}",
        "    return settings['timeout']",
        "",
    ]
    path = directory / "render_chain.py"
    path.write_text("\n".join(source), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("render_chain", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def raised(func: Callable[[], object]) -> ExcInfo:
    """Call *func* and return the exception it raised."""
    try:
        func()
    except Exception as exc:
        return type(exc), exc, exc.__traceback__  # type: ignore[return-value]
    raise RuntimeError("the function did not raise")


def timed(func: Callable[[], object]) -> float:
    """Return the seconds one call of *func* takes."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def ms(samples: list[float]) -> float:
    """Return the median of *samples* in milliseconds."""
    return statistics.median(samples) * 1000


def page_case() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        module = write_chain(Path(tmp), FRAMES - 2)  # raised() and the lambda add two
        exc_info = raised(lambda: module.call_0(1))
        ours_data = collect_exception(*exc_info)
        paste_data = paste_collector.collect_exception(*exc_info)

        def paste_render() -> str:
            return str(paste_formatter.format_html(paste_data, include_hidden_frames=True))

        def ours_render() -> str:
            return render_debug_page(ours_data).body

        first = timed(ours_render)
        paste: list[float] = []
        warm: list[float] = []
        cold: list[float] = []
        deadline = time.monotonic() + LOOP_SECONDS
        while len(warm) < ROUNDS and time.monotonic() < deadline:
            paste.append(timed(paste_render))
            warm.append(timed(ours_render))
            _highlight.cache_clear()
            cold.append(timed(ours_render))
        paste_size, ours_size = len(paste_render()), len(ours_render())
    print(f"{len(ours_data.frames)}-frame debug page, median of {len(warm)} rounds:")
    print(f"  Paste format_html          {ms(paste):8.2f} ms  {paste_size:>10,} chars")
    print(
        f"  ours, warm cache           {ms(warm):8.2f} ms  {ours_size:>10,} chars"
        f"  ratio {ms(warm) / ms(paste):.2f}"
    )
    print(f"  ours, cold cache           {ms(cold):8.2f} ms  ratio {ms(cold) / ms(paste):.2f}")
    print(f"  ours, first of the process {first * 1000:8.2f} ms  (compiles the templates)")


def recurse(depth: int) -> int:
    return recurse(depth + 1) + 1


def recursion_case() -> None:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        exc_info = raised(lambda: recurse(0))
    finally:
        sys.setrecursionlimit(old)
    depth = 0
    tb: TracebackType | None = exc_info[2]
    while tb is not None:
        depth += 1
        tb = tb.tb_next
    start = time.perf_counter()
    ours_data = collect_exception(*exc_info)
    ours_collect = time.perf_counter() - start
    start = time.perf_counter()
    ours_page = render_debug_page(ours_data).body
    ours_render = time.perf_counter() - start
    start = time.perf_counter()
    paste_data = paste_collector.collect_exception(*exc_info)
    paste_collect = time.perf_counter() - start
    start = time.perf_counter()
    paste_page = str(paste_formatter.format_html(paste_data, include_hidden_frames=True))
    paste_render = time.perf_counter() - start
    ours_total, paste_total = ours_collect + ours_render, paste_collect + paste_render
    print(f"RecursionError, {depth:,} frames, one run each:")
    print(
        f"  Paste collect {paste_collect * 1000:8.1f} ms + format {paste_render * 1000:8.1f} ms"
        f"  {len(paste_page):>12,} chars"
    )
    print(
        f"  ours  collect {ours_collect * 1000:8.1f} ms + render {ours_render * 1000:8.1f} ms"
        f"  {len(ours_page):>12,} chars  ratio {ours_total / paste_total:.4f}"
    )


def main() -> int:
    page_case()
    recursion_case()
    return 0


if __name__ == "__main__":
    sys.exit(main())
