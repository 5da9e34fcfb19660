"""The code blocks of the documentation, as tests/docs/test_docs_examples.py runs them.

Every ``.. code-block::`` (``.. code::``, ``.. sourcecode::``) and every
literal block (a paragraph ending in ``::``) of ``docs/*.rst``, and every
``python`` or ``ini`` fenced block of ``README.md``, is a :class:`Block`.
A marker before a block, visible in the source and not in the built pages,
says how it runs:

``.. example: not runnable: <reason>``
    (README: ``<!-- example: not runnable: <reason> -->``) the block is not
    run; the reason is required and shown in the test's report.
``.. example: <scenario>/<file>``
    the block is the file ``<file>`` of the scenario ``<scenario>``: the test
    writes every file of the scenario into a directory and runs the
    scenario's runner, which starts the real framework or server.
``.. example: <runner>``
    the block runs with the named runner (a setup it needs, a check of what
    it does).

An unmarked ``python`` block runs as it is; an unmarked ``ini`` block is
loaded with PasteDeploy. Any other unmarked block fails the test: it must
run or say why it cannot.

The marker is the last ``.. example:`` comment after the previous block; a
literal block's marker stands before the paragraph that introduces it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"

_RST_MARKER = re.compile(r"^\.\. example: (?P<body>.*\S)\s*$")
_MD_MARKER = re.compile(r"^<!-- example: (?P<body>.*\S)\s*-->\s*$")
_DIRECTIVE = re.compile(
    r"^(?P<indent>\s*)\.\. (?:code-block|code|sourcecode)::\s*(?P<lang>\S*)\s*$"
)
_FENCE = re.compile(r"^```(?P<lang>\S*)\s*$")
_NOT_RUNNABLE = re.compile(r"^not runnable: (?P<reason>.{10,})$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*(?:/[A-Za-z0-9_./-]+)?$")


class MarkerError(ValueError):
    """A marker that says nothing usable, or a marker without a block."""


@dataclass(frozen=True)
class Block:
    """One code block of the documentation."""

    path: Path
    line: int  #: 1-based line of the directive (or of the ``::`` paragraph's last line)
    language: str  #: ``python``, ``ini``, ``console``, ..., ``literal`` for ``::`` blocks
    code: str  #: the content, dedented, ending with a newline
    marker: str | None  #: the marker's text after ``example:``, if any

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def not_runnable_reason(self) -> str | None:
        if self.marker is None:
            return None
        match = _NOT_RUNNABLE.match(self.marker)
        return match.group("reason") if match else None

    @property
    def scenario(self) -> str | None:
        """The scenario or runner name of the marker (``flask`` for ``flask/shop.py``)."""
        if self.marker is None or self.not_runnable_reason is not None:
            return None
        return self.marker.split("/", 1)[0]

    @property
    def filename(self) -> str | None:
        """The file name of a scenario's block (``shop.py`` for ``flask/shop.py``)."""
        if self.marker is None or "/" not in self.marker or self.not_runnable_reason:
            return None
        return self.marker.split("/", 1)[1]


def _check_marker(body: str, where: str) -> str:
    if body.startswith("not runnable"):
        if not _NOT_RUNNABLE.match(body):
            raise MarkerError(f"{where}: 'not runnable: <reason>' needs a reason: {body!r}")
        return body
    if not _NAME.match(body):
        raise MarkerError(f"{where}: a marker is 'not runnable: <reason>' or a name: {body!r}")
    return body


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _dedent(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    width = min((_indent(line) for line in lines if line.strip()), default=0)
    return "".join(line[width:] + "\n" if line.strip() else "\n" for line in lines)


def _content(lines: list[str], start: int, parent_indent: int) -> tuple[list[str], int]:
    """The indented lines from *start* on (after options and blank lines)."""
    index = start
    content: list[str] = []
    while index < len(lines):
        line = lines[index]
        if line.strip() and _indent(line) <= parent_indent:
            break
        content.append(line)
        index += 1
    return content, index


def rst_blocks(path: Path) -> list[Block]:
    """Every code block and literal block of one reStructuredText file, with its marker."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    marker: tuple[str, int] | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        where = f"{path.name}:{index + 1}"
        found = _RST_MARKER.match(line)
        if found:
            if marker is not None:
                raise MarkerError(
                    f"{path.name}:{marker[1]}: a marker without a block before {where}"
                )
            marker = (_check_marker(found.group("body"), where), index + 1)
            index += 1
            continue
        directive = _DIRECTIVE.match(line)
        literal = directive is None and (
            line.strip() == "::"
            or (line.rstrip().endswith("::") and not line.lstrip().startswith(".."))
        )
        if directive or literal:
            indent = _indent(line)
            body_start = index + 1
            if directive:  # skip the directive's options
                while body_start < len(lines) and re.match(r"^\s+:[\w-]+:", lines[body_start]):
                    body_start += 1
            content, end = _content(lines, body_start, indent)
            if literal and not any(item.strip() for item in content):
                index += 1  # "::" ending a paragraph with nothing indented after it
                continue
            language = (directive.group("lang") or "text") if directive else "literal"
            blocks.append(
                Block(path, index + 1, language, _dedent(content), marker[0] if marker else None)
            )
            marker = None
            index = end
            continue
        index += 1
    if marker is not None:
        raise MarkerError(f"{path.name}:{marker[1]}: a marker without a block after it")
    return blocks


def markdown_blocks(path: Path, languages: tuple[str, ...] = ("python", "ini")) -> list[Block]:
    """The fenced blocks of a Markdown file in *languages*, with their markers."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    marker: str | None = None
    index = 0
    while index < len(lines):
        found = _MD_MARKER.match(lines[index])
        if found:
            marker = _check_marker(found.group("body"), f"{path.name}:{index + 1}")
            index += 1
            continue
        fence = _FENCE.match(lines[index])
        if fence:
            end = index + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            language = fence.group("lang")
            if language in languages:
                code = "".join(line + "\n" for line in lines[index + 1 : end])
                blocks.append(Block(path, index + 1, language, code, marker))
            marker = None
            index = end + 1
            continue
        index += 1
    return blocks


def all_blocks() -> Iterator[Block]:
    """Every block of every page of docs/ and of README.md."""
    for path in sorted(DOCS.glob("**/*.rst")):
        if "_build" not in path.parts:
            yield from rst_blocks(path)
    yield from markdown_blocks(README)
