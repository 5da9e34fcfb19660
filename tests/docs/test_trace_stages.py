"""bench/trace_stages.py, whose figures the architecture page quotes, maps and counts right."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def trace_stages() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "trace_stages", ROOT / "bench" / "trace_stages.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_module_of_the_package_has_its_stage(trace_stages: ModuleType) -> None:
    cache: dict[str, str | None] = {}
    package = trace_stages.PACKAGE
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).parts
        stage = trace_stages.stage_of_file(str(path), cache)
        if len(parts) > 1:
            assert stage == parts[0], path
        elif path.stem in ("errors", "api"):
            assert stage == "base"
        elif path.stem == "process":
            assert stage == "process"
        else:
            assert stage == "api", path  # the package root and Paste's modules
    assert trace_stages.stage_of_file(sys.modules["pytest"].__file__, cache) is None


def test_a_flat_module_is_named_by_its_docstring(trace_stages: ModuleType, tmp_path: Path) -> None:
    for word, stage in trace_stages.DOCSTRING_WORDS.items():
        module = tmp_path / f"{stage}.py"
        module.write_text(f'"""{word} something."""\n', encoding="utf-8")
        assert trace_stages._docstring_stage(module) == stage
    (tmp_path / "plain.py").write_text('"""Nothing said."""\n', encoding="utf-8")
    assert trace_stages._docstring_stage(tmp_path / "plain.py") is None


def test_changes_count_the_runs(trace_stages: ModuleType) -> None:
    sequence = ["respond", "collect", "collect", "respond", "report", "report"]
    assert trace_stages.compress(sequence) == [
        ("respond", 1),
        ("collect", 2),
        ("respond", 1),
        ("report", 2),
    ]
    assert trace_stages.changes(sequence) == 3
    assert trace_stages.changes([]) == 0


def test_the_traced_request_goes_through_every_stage(trace_stages: ModuleType) -> None:
    app = trace_stages.ErrorMiddleware(trace_stages.failing_app, {}, debug=False)
    with trace_stages.synchronous_delivery():
        sequence = trace_stages.trace(trace_stages.request(app))
    assert sys.getprofile() is None
    assert sequence[0] == sequence[-1] == "respond"
    assert {"respond", "collect", "format", "model", "redact"} <= set(sequence)
    pipeline = [stage for stage in sequence if stage not in trace_stages.BENEATH]
    assert 0 < trace_stages.changes(pipeline) < trace_stages.changes(sequence)
