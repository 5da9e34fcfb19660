"""The package as users get it: the wheel, the sdist and the public API."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

import paste_exc

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist_dir(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--sdist",
            "--wheel",
            "--outdir",
            str(out),
            str(project_root),
        ],
        check=True,
        capture_output=True,
    )
    return out


def test_wheel_ships_templates_and_loads_one_when_installed(dist_dir: Path, tmp_path: Path) -> None:
    (wheel,) = dist_dir.glob("paste_exc-*.whl")
    env_dir = tmp_path / "fresh-venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    probe = (
        "import paste_exc, pathlib, importlib.resources as r\n"
        "from paste_exc.format.templates import environment\n"
        "root = r.files('paste_exc') / 'templates'\n"
        "assert root.is_dir(), root\n"
        "names = sorted(p.name for p in root.iterdir())\n"
        "template = environment().get_template(names[0])\n"
        "print(paste_exc.__file__)\n"
        "print(template.filename)\n"
    )
    done = subprocess.run(
        [str(python), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path
    )
    module_file, template_file = done.stdout.split()
    assert module_file.startswith(str(env_dir))
    assert template_file.startswith(str(env_dir))


def test_wheel_is_pure_python(dist_dir: Path) -> None:
    """No compiled code: one wheel for every platform and Python 3 version."""
    (wheel,) = dist_dir.glob("paste_exc-*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "paste_exc/errormiddleware.py" in names
    assert "paste_exc/py.typed" in names
    assert not [name for name in names if name.endswith((".so", ".pyd", ".c", ".pyi"))]


def test_sdist_contains_templates_docs_and_tests(dist_dir: Path) -> None:
    (sdist,) = dist_dir.glob("paste_exc-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    top = names[0].split("/")[0]
    assert any(n.startswith(f"{top}/templates/") and n.endswith(".html") for n in names)
    assert f"{top}/docs/conf.py" in names
    assert f"{top}/docs/index.rst" in names
    assert f"{top}/tests/test_packaging.py" in names
    assert f"{top}/setup.cfg" in names


def test_every_name_in_all_exists() -> None:
    missing = [name for name in paste_exc.__all__ if not hasattr(paste_exc, name)]
    assert missing == []
    assert len(set(paste_exc.__all__)) == len(paste_exc.__all__)


def test_import_loads_no_optional_sdk() -> None:
    probe = (
        "import sys, paste_exc; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sentry_sdk', 'raygun4py', 'redis', 'pytest', 'waitress'}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("paste_exc.collector", ["collect_exception", "ExceptionCollector"]),
        (
            "paste_exc.formatter",
            [
                "TextFormatter",
                "HTMLFormatter",
                "format_text",
                "format_html",
                "truncate",
                "make_wrappable",
                "make_pre_wrappable",
            ],
        ),
        (
            "paste_exc.reporter",
            ["Reporter", "EmailReporter", "LogReporter", "FileReporter", "WSGIAppReporter"],
        ),
        (
            "paste_exc.errormiddleware",
            ["ErrorMiddleware", "handle_exception", "make_error_middleware"],
        ),
        ("paste_exc.api", ["ExceptionReporter", "ExtrasProvider"]),
    ],
)
def test_paste_module_names_exist(module: str, names: list[str]) -> None:
    loaded = importlib.import_module(module)
    assert [n for n in names if not hasattr(loaded, n)] == []
