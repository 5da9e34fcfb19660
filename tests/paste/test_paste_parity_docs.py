"""The examples the Paste-parity changes added to the docs run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def code_block_containing(page: str, marker: str) -> str:
    """The ``.. code-block:: python`` of *page* whose code contains *marker*."""
    text = (DOCS / page).read_text("utf-8")
    for block in re.findall(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text):
        code = "\n".join(line[3:] for line in block.splitlines())
        if marker in code:
            return code
    raise AssertionError(f"no code block with {marker!r} in {page}")


def test_the_extra_data_example_runs() -> None:
    code = code_block_containing("collector.rst", "ExtraRepr")
    exec(compile(code, "collector.rst", "exec"), {"__name__": "docs_example"})  # noqa: S102


def test_the_handle_exception_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = code_block_containing("middleware.rst", "from_address=")
    exec(compile(code, "middleware.rst", "exec"), {"__name__": "docs_example"})  # noqa: S102
    assert capsys.readouterr().err.startswith("Error - <class 'ValueError'>: the nightly job")
    assert "the nightly job failed" in (tmp_path / "job-errors.log").read_text()


@pytest.mark.parametrize(
    ("page", "marker"),
    [("formatter.rst", "make_pre_wrappable("), ("collector.rst", "hash_identifier(0, 10")],
)
def test_the_paste_helper_examples_run(page: str, marker: str) -> None:
    code = code_block_containing(page, marker)
    exec(compile(code, page, "exec"), {"__name__": "docs_example"})  # noqa: S102
