"""The table of contents follows the pipeline: one page per stage, every page once."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

PIPELINE = [
    "Quick start",
    "Architecture",
    "Catch",
    "Collect",
    "Format",
    "Report",
    "Respond",
    "Configuration",
    "Redaction",
    "Command line",
    "Guides",
    "Migration",
]
#: Each stage's caption -> its one page.
STAGE_PAGES = {
    "Catch": "catch",
    "Collect": "collector",
    "Format": "formatter",
    "Report": "reporters",
    "Respond": "middleware",
    "Configuration": "configuration",
}


def _toctrees() -> list[tuple[str, list[str]]]:
    """(caption, entries) of each toctree of docs/index.rst, in order."""
    trees: list[tuple[str, list[str]]] = []
    lines = (DOCS / "index.rst").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.startswith(".. toctree::"):
            caption = ""
            entries: list[str] = []
            for option in lines[index + 1 :]:
                if option and not option.startswith(" "):
                    break
                stripped = option.strip()
                if stripped.startswith(":caption:"):
                    caption = stripped.removeprefix(":caption:").strip()
                elif stripped and not stripped.startswith(":"):
                    entries.append(stripped)
            trees.append((caption, entries))
    return trees


def test_the_sections_follow_the_pipeline() -> None:
    assert [caption for caption, _ in _toctrees()] == PIPELINE


def test_every_page_is_listed_once() -> None:
    listed = [entry for _, entries in _toctrees() for entry in entries]
    pages = sorted(
        str(path.relative_to(DOCS).with_suffix(""))
        for path in DOCS.rglob("*.rst")
        if "_build" not in path.parts and path.name != "index.rst"
    )
    assert sorted(listed) == pages
    assert len(listed) == len(set(listed))


def test_no_glob_puts_the_pages_back_in_alphabetical_order() -> None:
    assert not re.search(r":glob:", (DOCS / "index.rst").read_text(encoding="utf-8"))


def test_each_guide_is_under_guides_and_migration_under_migration() -> None:
    trees = dict(_toctrees())
    assert all(entry.startswith("guides/") for entry in trees["Guides"])
    assert trees["Migration"] == ["migrating-paste", "migrating-asphalt"]
    assert trees["Quick start"] == ["quickstart"]


def test_each_stage_has_one_page() -> None:
    trees = dict(_toctrees())
    assert {caption: trees[caption] for caption in STAGE_PAGES} == {
        caption: [page] for caption, page in STAGE_PAGES.items()
    }
    assert trees["Architecture"] == ["architecture"]
