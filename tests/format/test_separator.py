"""Paste's 60-dash separator is spelled in one place: ``paste_exc.format.records.SEPARATOR``."""

from __future__ import annotations

import ast
from pathlib import Path

import paste_exc
from paste_exc.format import records as _records

PACKAGE = Path(paste_exc.__file__).resolve().parent
DASHES = 60


def _spells_the_separator(node: ast.AST) -> bool:
    """``"-" * 60`` (either order), or a text holding 60 dashes or a ``-{60`` pattern."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        values = [side.value for side in (node.left, node.right) if isinstance(side, ast.Constant)]
        return DASHES in values and any(value in ("-", b"-") for value in values)
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
        text = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
        return "-" * DASHES in text or "-{" + str(DASHES) in text
    return False


def test_the_separator_is_pastes() -> None:
    assert _records.SEPARATOR == "-" * DASHES


def test_the_package_spells_the_separator_once() -> None:
    places = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if _spells_the_separator(node)
    ]
    source = Path(_records.__file__).read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(source, 1) if text.startswith("SEPARATOR: Final ="))
    assert places == [f"format/records.py:{line}"]


def test_the_check_finds_every_spelling() -> None:
    spellings = ['"-" * 60', "60 * '-'", 'b"-" * 60', f'"{"-" * 60}"', 're.compile("-{60,}")']
    for spelling in spellings:
        assert any(map(_spells_the_separator, ast.walk(ast.parse(spelling)))), spelling
    assert not any(map(_spells_the_separator, ast.walk(ast.parse('"-" * 59 + "=" * 60'))))
