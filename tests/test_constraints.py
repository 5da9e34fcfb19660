"""The tool versions are pinned: a fresh clone installs exactly what main was last tested with."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"

#: Tools whose verdict can change from one release to the next: exact pins in setup.cfg too.
VERDICT_TOOLS = ("ruff", "mypy", "sphinx", "pytest", "pytest-timeout", "hypothesis", "playwright")
RUNTIME = ("webob", "jinja2", "pygments")

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _setup_cfg() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    return parser


def _requirements(text: str) -> dict[str, str]:
    """``{canonical name: the whole requirement}`` for a setup.cfg list."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _NAME.match(line)
        if match:
            found[_canonical(match.group(1))] = line.strip()
    return found


def _extras() -> dict[str, dict[str, str]]:
    section = _setup_cfg()["options.extras_require"]
    return {extra: _requirements(section[extra]) for extra in section}


def _pins() -> dict[str, list[str]]:
    """``{canonical name: [versions]}``: a universal resolution may pin one name per marker."""
    pins: dict[str, list[str]] = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if match:
            pins.setdefault(_canonical(match.group(1)), []).append(match.group(2))
    return pins


def test_constraints_file_says_how_to_regenerate_it() -> None:
    head = CONSTRAINTS.read_text(encoding="utf-8").splitlines()[:5]
    assert any("make constraints" in line for line in head)


@pytest.mark.parametrize("extra", sorted(_extras()))
def test_every_package_of_an_extra_has_an_exact_pin(extra: str) -> None:
    pins = _pins()
    unpinned = sorted(name for name in _extras()[extra] if name not in pins)
    assert unpinned == [], f"not pinned in {CONSTRAINTS.name}: {unpinned} (run make constraints)"


def test_runtime_dependencies_and_build_tools_are_pinned() -> None:
    runtime = _requirements(_setup_cfg()["options"]["install_requires"])
    pins = _pins()
    missing = sorted(name for name in [*runtime, "pip", "setuptools", "wheel"] if name not in pins)
    assert missing == []


def test_a_pin_agrees_with_the_extras() -> None:
    """An exact requirement in an extra and its pin name the same version."""
    pins = _pins()
    for requirements in _extras().values():
        for name, requirement in requirements.items():
            exact = re.search(r"==\s*([^\s;,]+)", requirement)
            if exact:
                assert pins[name] == [exact.group(1)], requirement


@pytest.mark.parametrize("tool", VERDICT_TOOLS)
def test_verdict_tools_are_pinned_exactly_in_the_extras(tool: str) -> None:
    named = {name: req for reqs in _extras().values() for name, req in reqs.items()}
    assert re.fullmatch(rf"{re.escape(tool)}==[0-9][^\s,;]*", named[tool]), named[tool]


@pytest.mark.parametrize("package", RUNTIME)
def test_runtime_dependencies_stay_lower_bounds(package: str) -> None:
    runtime = _requirements(_setup_cfg()["options"]["install_requires"])
    assert ">=" in runtime[package]
    assert "==" not in runtime[package]


def test_every_install_goes_through_the_constraints() -> None:
    """Each ``pip install`` in the Makefile names the constraints file."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^PIP := .*-c \$\(CONSTRAINTS\)", makefile, re.MULTILINE)
    assert "pip install" not in makefile.replace("pip install --quiet -c $(CONSTRAINTS)", "")
