"""Each stage's page opens with what flows in and out and names its folder; autodoc paths exist."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path

import pytest
from docs_blocks import DOCS, rst_blocks

import paste_exc

PACKAGE = Path(paste_exc.__file__).resolve().parent
#: Stage page -> the package paths it must name (each exists in the package).
STAGE_FOLDERS = {
    "catch": ["paste_exc/process.py", "paste_exc/respond/wsgi/"],
    "collector": ["paste_exc/collect/", "paste_exc/model/"],
    "formatter": ["paste_exc/format/", "paste_exc/format/html/"],
    "reporters": ["paste_exc/report/"],
    "middleware": ["paste_exc/respond/"],
    "configuration": ["paste_exc/config/"],
}
_SECTION = re.compile(r"^([=\-~^])\1{2,}$")
_KINDS = "module|class|function|data|exception|method|attribute"
_AUTODOC = re.compile(rf"^\.\. auto(?P<kind>{_KINDS})::\s*(?P<name>\S+)", re.MULTILINE)


def _first_section_line(path: Path) -> int:
    """The 1-based line of the first section title after the page's title."""
    lines = path.read_text(encoding="utf-8").splitlines()
    titles = [i for i in range(1, len(lines)) if _SECTION.match(lines[i]) and lines[i - 1].strip()]
    return titles[1] if len(titles) > 1 else len(lines) + 1


@pytest.mark.parametrize("page", sorted(STAGE_FOLDERS))
def test_a_stage_page_opens_with_its_diagram(page: str) -> None:
    path = DOCS / f"{page}.rst"
    first = rst_blocks(path)[0]
    assert first.language == "text"
    assert first.not_runnable_reason is not None
    assert "diagram" in first.not_runnable_reason
    assert "-->" in first.code
    assert first.line < _first_section_line(path), f"{page}: the diagram comes first"


@pytest.mark.parametrize("page", sorted(STAGE_FOLDERS))
def test_a_stage_page_names_its_folders(page: str) -> None:
    text = (DOCS / f"{page}.rst").read_text(encoding="utf-8")
    for folder in STAGE_FOLDERS[page]:
        assert f"``{folder}``" in text, f"{page}.rst does not name {folder}"
        assert (PACKAGE.parent / folder).exists(), f"{folder} is not in the package"
    assert ":ref:`import-rule`" in text, f"{page}.rst does not point to the import rule"


def test_the_architecture_page_has_the_tree_and_the_import_rule() -> None:
    text = (DOCS / "architecture.rst").read_text(encoding="utf-8")
    assert "model <- collect <- format <- report <- respond <- process" in text
    assert "beneath all" in text
    blocks = rst_blocks(DOCS / "architecture.rst")
    tree = next(block for block in blocks if "paste_exc/\n" in block.code)
    folders = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert folders >= {"model", "collect", "format", "report", "respond", "config", "redact"}
    for folder in folders:
        assert re.search(rf"^\s+{folder}/ ", tree.code, re.MULTILINE), f"{folder}/ not in the tree"
    assert "process.py" in tree.code


def _autodoc_targets() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(DOCS.glob("**/*.rst")):
        for match in _AUTODOC.finditer(path.read_text(encoding="utf-8")):
            found.append((path.name, match.group("kind"), match.group("name")))
    return found


def test_the_pages_have_autodoc_directives() -> None:
    assert len(_autodoc_targets()) > 30


@pytest.mark.parametrize(("page", "kind", "name"), _autodoc_targets())
def test_an_autodoc_directive_names_an_existing_object(page: str, kind: str, name: str) -> None:
    if kind == "module":
        importlib.import_module(name)
        return
    module_name, _, attributes = name.rpartition(".")
    while module_name and module_name not in sys.modules:
        try:
            importlib.import_module(module_name)
        except ModuleNotFoundError:
            module_name, _, first = module_name.rpartition(".")
            attributes = f"{first}.{attributes}"
        else:
            break
    target: object = sys.modules[module_name]
    for attribute in attributes.split("."):
        assert hasattr(target, attribute), f"{page}: {name} does not exist"
        target = getattr(target, attribute)


#: Pages merged into the page of their stage: old name -> (page, label of its section).
MERGED_PAGES = {
    "api": ("reporters", "api"),
    "backends-raygun": ("reporters", "backends-raygun"),
    "backends-sentry": ("reporters", "backends-sentry"),
    "delivery": ("reporters", "delivery"),
    "rendering": ("formatter", "rendering"),
    "security": ("middleware", "security"),
}


def test_the_merged_pages_resolve_to_a_section_of_their_stage() -> None:
    for old, (page, label) in MERGED_PAGES.items():
        assert not (DOCS / f"{old}.rst").exists()
        assert f".. _{label}:" in (DOCS / f"{page}.rst").read_text(encoding="utf-8")


def test_no_doc_link_names_a_missing_page() -> None:
    """Docstrings and pages link a merged page's section by its label, never the old page."""
    link = re.compile(r":doc:`(?:[^`<]*<)?/?(?P<page>[\w/-]+)>?`")
    missing = []
    sources = [*DOCS.glob("**/*.rst"), *(DOCS.parent / "paste_exc").glob("**/*.py")]
    for path in sources:
        if "_build" in path.parts:
            continue
        for match in link.finditer(path.read_text(encoding="utf-8")):
            page = match.group("page")
            if not any((base / f"{page}.rst").exists() for base in (DOCS, path.parent)):
                missing.append(f"{path.name}: {match.group(0)}")
    assert not missing, "\n".join(missing)


_ROLE = re.compile(
    r":(?:py:)?(?P<role>mod|func|class|exc|data|meth|attr):`(?:[^`<]*<)?~?(?P<name>paste_exc[\w.]*)>?`"
)


def _role_targets() -> list[tuple[str, str, str]]:
    found = set()
    for path in sorted(DOCS.glob("**/*.rst")):
        for match in _ROLE.finditer(path.read_text(encoding="utf-8")):
            found.add((str(path.relative_to(DOCS)), match.group("role"), match.group("name")))
    return sorted(found)


def _resolve(name: str) -> object:
    """The object of a dotted name: the longest importable module, then attributes."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(name)


@pytest.mark.parametrize(("page", "role", "name"), _role_targets())
def test_a_role_names_an_existing_path(page: str, role: str, name: str) -> None:
    if role == "attr":  # an instance attribute: its class exists and one of its methods sets it
        owner, _, attribute = name.rpartition(".")
        cls = _resolve(owner)
        assert isinstance(cls, type), f"{page}: {owner} is not a class"
        methods = [
            value.__code__
            for klass in cls.__mro__
            for value in vars(klass).values()
            if inspect.isfunction(value)
        ]
        assert hasattr(cls, attribute) or any(attribute in code.co_names for code in methods), (
            f"{page}: {name}"
        )
        return
    _resolve(name)
