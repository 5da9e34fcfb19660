"""Format: syntax highlighting of source context with Pygments, cached.

Part of the format stage.  A report asks for the source lines of its frames
file by file (:class:`SourceRequest`); :func:`highlight_files` answers with one
:class:`~markupsafe.Markup` string per line.  Results are cached per (file
name, modification time) in a bounded LRU, and within one report each file's
lines go through Pygments once: the lines wanted from one file are merged into
contiguous runs and each run is highlighted in one call, so a lexer sees a
docstring or a bracket that spans lines as one.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup
from pygments import highlight  # type: ignore[import-untyped]
from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
from pygments.lexer import Lexer  # type: ignore[import-untyped]
from pygments.lexers import Python3Lexer, TextLexer, get_lexer_for_filename  # type: ignore[import-untyped]
from pygments.util import ClassNotFound  # type: ignore[import-untyped]

__all__ = ["SourceRequest", "cache_clear", "cache_info", "highlight_files", "mark_columns"]

#: Files kept in the cache, and lines kept per file.
MAX_FILES = 256
MAX_LINES_PER_FILE = 4000
#: Lines longer than this are cut before highlighting (minified code).
MAX_LINE_LENGTH = 400
LONG_LINE_MARK = " …"

_lock = threading.Lock()
# (filename, mtime_ns) -> {lineno: (source text, highlighted html)}
_cache: OrderedDict[tuple[str, int | None], dict[int, tuple[str, Markup]]] = OrderedDict()
_stats = {"hits": 0, "misses": 0, "runs": 0}
_lexers: dict[str, Lexer] = {}
_formatter = HtmlFormatter(nowrap=True)
_inline_formatter = HtmlFormatter(nowrap=True, noclasses=True, style="default")


@dataclass(slots=True)
class SourceRequest:
    """The lines wanted from one file: line number → source text."""

    filename: str
    lines: dict[int, str] = field(default_factory=dict)

    def add(self, start: int, lines: Iterable[str]) -> None:
        """Ask for *lines*, the first being line number *start*."""
        for offset, text in enumerate(lines):
            self.lines[start + offset] = clip_line(text)


def clip_line(text: str) -> str:
    """Cut a source line to :data:`MAX_LINE_LENGTH` characters, marking the cut."""
    if len(text) > MAX_LINE_LENGTH:
        return text[:MAX_LINE_LENGTH] + LONG_LINE_MARK
    return text


def _lexer_for(filename: str) -> Lexer:
    ext = os.path.splitext(filename)[1].lower()
    if ext in ("", ".py", ".pyw", ".pyi") or filename.startswith("<"):
        ext = ".py"
    lexer = _lexers.get(ext)
    if lexer is None:
        options = {"stripnl": False, "ensurenl": False, "tabsize": 0}
        if ext == ".py":
            lexer = Python3Lexer(**options)
        else:
            try:
                lexer = get_lexer_for_filename(filename, **options)
            except ClassNotFound:
                lexer = TextLexer(**options)
        _lexers[ext] = lexer
    return lexer


def _mtime(filename: str) -> int | None:
    try:
        return os.stat(filename).st_mtime_ns
    except (OSError, ValueError):
        return None


def _runs(numbers: Iterable[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


def _highlight_run(filename: str, texts: list[str], *, inline: bool) -> list[Markup]:
    source = "\n".join(texts) + "\n"
    try:
        html = highlight(source, _lexer_for(filename), _inline_formatter if inline else _formatter)
    except Exception:  # noqa: BLE001 - a lexer bug must not break the report
        html = ""
    out = html.split("\n")
    if out and out[-1] == "":
        out.pop()
    if len(out) != len(texts):
        return [Markup.escape(text) for text in texts]
    # Pygments' HtmlFormatter escapes every character of the source it is given
    # (&, <, >, " and ') and adds only its own <span class="..."> tags, each closed
    # on the line it opens (multi-line tokens are split per line).  That makes
    # each line a balanced, trusted fragment: the one place markup is trusted.
    return [Markup(line) for line in out]  # noqa: S704


def highlight_files(
    requests: Mapping[str, SourceRequest], *, inline_styles: bool = False
) -> dict[str, dict[int, Markup]]:
    """Highlight the requested lines, file by file.

    :param requests: file name → the lines wanted from it
    :param inline_styles: emit ``style`` attributes instead of classes (email)
    :returns: file name → line number → highlighted line
    """
    result: dict[str, dict[int, Markup]] = {}
    for filename, request in requests.items():
        key = ("inline:" + filename if inline_styles else filename, _mtime(filename))
        with _lock:
            cached = _cache.get(key)
            if cached is not None:
                _cache.move_to_end(key)
        lines: dict[int, Markup] = {}
        missing: list[int] = []
        for number, text in request.lines.items():
            hit = cached.get(number) if cached is not None else None
            if hit is not None and hit[0] == text:
                lines[number] = hit[1]
            else:
                missing.append(number)
        fresh: dict[int, tuple[str, Markup]] = {}
        runs = _runs(missing)
        for run in runs:
            texts = [request.lines[n] for n in run]
            for number, text, html in zip(
                run, texts, _highlight_run(filename, texts, inline=inline_styles), strict=True
            ):
                lines[number] = html
                fresh[number] = (text, html)
        with _lock:
            _stats["hits"] += len(request.lines) - len(missing)
            _stats["misses"] += len(missing)
            _stats["runs"] += len(runs)
            if fresh:
                entry = _cache.setdefault(key, {})
                if len(entry) + len(fresh) > MAX_LINES_PER_FILE:
                    entry.clear()
                entry.update(fresh)
                _cache.move_to_end(key)
                while len(_cache) > MAX_FILES:
                    _cache.popitem(last=False)
        result[filename] = lines
    return result


# A highlighted line is text and Pygments' own tags; an entity is one character.
_TAG_OR_CHAR = re.compile(r"(<[^>]*>)|(&[#\w]+;|[^<&])")
_MARK_OPEN = Markup('<span class="mark">')
_CLOSE = Markup("</span>")


def mark_columns(line: Markup, start: int, end: int) -> Markup:
    """Wrap characters *start* to *end* of a highlighted *line* in ``<span class="mark">``.

    The mark underlines the failing expression in place, so the line's text
    appears once.  Pygments' token spans are not nested (``nowrap``), so a token
    cut by the mark's edge is closed before the mark opens or closes and opened
    again after.  The line is returned unchanged if its text is not as long as
    expected (a lexer that changed the text).

    :param line: one line from :func:`highlight_files`
    :param start: the first marked character (index into the line's text)
    :param end: the index after the last marked character
    """
    parts: list[str] = []
    token: str | None = None  # the Pygments span open at this point
    position = 0
    edges = {start: _MARK_OPEN, end: _CLOSE}

    def edge() -> None:
        # Close the open token around the mark's edge and open it again after.
        parts.extend([_CLOSE, edges.pop(position), token] if token else [edges.pop(position)])

    for match in _TAG_OR_CHAR.finditer(line):
        tag, char = match.groups()
        if position in edges and (char is not None or not tag.startswith("</")):
            edge()
        if char is None:
            token = None if tag.startswith("</") else tag
            parts.append(tag)
        else:
            parts.append(char)
            position += 1
    if position in edges:
        edge()
    if edges:
        return line
    # Pygments' trusted tags and escaped text (see _highlight_run) and our two
    # constant tags, balanced: still a trusted fragment.
    return Markup("".join(parts))  # noqa: S704


def cache_info() -> dict[str, int]:
    """Return counters: line ``hits`` and ``misses``, highlighter ``runs``, cached ``files``."""
    with _lock:
        return {**_stats, "files": len(_cache)}


def cache_clear() -> None:
    """Empty the highlighting cache and reset its counters."""
    with _lock:
        _cache.clear()
        for name in _stats:
            _stats[name] = 0
