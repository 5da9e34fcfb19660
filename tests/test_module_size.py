"""Each module is one idea: about 100 to 400 lines (a module past ~400 lines is two ideas)."""

from __future__ import annotations

from pathlib import Path

import paste_exc

PACKAGE = Path(paste_exc.__file__).parent
LIMIT = 400
#: Modules another change of the re-layout splits (issue 14); each entry names why it waits.
WAITING = {}


def sizes() -> dict[str, int]:
    return {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }


def test_every_module_is_read() -> None:
    found = sizes()
    assert "format/formatter.py" in found
    assert all(name in found for name in WAITING)


def test_no_module_is_past_the_limit() -> None:
    over = {name: lines for name, lines in sizes().items() if lines > LIMIT and name not in WAITING}
    assert over == {}


def test_no_private_module_names() -> None:
    # Every module lives in a stage folder that already says what it is for;
    # a leading underscore on a module name would only repeat "internal".
    private = [
        name
        for name in sizes()
        if name.rpartition("/")[2].startswith("_")
        and name.rpartition("/")[2] not in ("__init__.py", "__main__.py")
    ]
    assert private == []
