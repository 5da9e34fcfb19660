"""A third-party backend, installed with pip, is found by its entry-point name."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paste_exc.errors import ConfigError
from paste_exc.process import configure_reporters
from paste_exc.report.building import build_reporters
from paste_exc.report.dispatch import ReportingConfig, set_process_config
from paste_exc.report.registry import available_backends
from paste_exc.respond.reporting import report_exception

PLUGIN_SOURCE = Path(__file__).parents[1] / "plugin_dist"


@pytest.fixture(scope="module")
def plugin_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install tests/plugin_dist (copied, so no build files land in the tree)."""
    base = tmp_path_factory.mktemp("plugin")
    source = base / "src"
    shutil.copytree(PLUGIN_SOURCE, source)
    target = base / "site"
    result = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
            "--no-build-isolation", "--disable-pip-version-check", "--target", str(target),
            str(source),
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(target.glob("paste_exc_demo_plugin-1.0.dist-info"))
    return target


@pytest.fixture
def plugin(plugin_target: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.syspath_prepend(str(plugin_target))
    import paste_exc_demo_plugin  # type: ignore[import-not-found]

    paste_exc_demo_plugin.REPORTS.clear()
    previous = set_process_config(ReportingConfig())
    yield paste_exc_demo_plugin
    set_process_config(previous)
    monkeypatch.delitem(sys.modules, "paste_exc_demo_plugin")


@pytest.mark.slow
def test_installed_plugin_is_listed_and_used_by_name(plugin: Any) -> None:
    assert "demo" in available_backends()
    configure_reporters(
        {"ops": {"backend": "demo", "label": "ops"}, "demo": {}},
        install_default_handler=False,
    )
    error = ValueError("reported to a plug-in")
    report_exception(None, "plug-in check", error, logger=False)
    assert [(label, message, exc) for label, message, exc, _ in plugin.REPORTS] == [
        ("ops", "plug-in check", error),
        ("demo", "plug-in check", error),
    ]


@pytest.mark.slow
def test_plugin_config_errors_name_the_key(plugin: Any) -> None:
    with pytest.raises(ConfigError) as info:
        build_reporters({"ops": {"backend": "demo", "label": ""}})
    assert str(info.value) == "reporters.ops.label: must not be empty"


def test_without_the_plugin_the_name_is_unknown() -> None:
    with pytest.raises(ConfigError, match="unknown reporter backend 'demo'"):
        build_reporters({"ops": {"backend": "demo"}})
