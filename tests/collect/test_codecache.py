"""A repeated error reuses what depends only on its code; an edited file is read again."""

from __future__ import annotations

import linecache
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from paste_exc.collect import codecache
from paste_exc.collect.collector import collect_exception
from paste_exc.model.report import CollectedException
from paste_exc.redact.engine import Redactor


def load(path: Path, source: str) -> ModuleType:
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    module = ModuleType(path.stem)
    module.__file__ = str(path)
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    exec(code, module.__dict__)  # noqa: S102 (a module of the test's own, from a file)
    return module


def collect(failing: Callable[[], object]) -> CollectedException:
    try:
        failing()
    except Exception:
        return collect_exception(*sys.exc_info())
    raise AssertionError("did not fail")


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    codecache.clear_code_facts()
    yield
    codecache.clear_code_facts()


SOURCE = """
    def fail():
        api_key = "sk_live_" + "abc"
        return {}["missing order"]
    """


def test_a_repeat_reads_no_source_and_shows_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load(tmp_path / "orders_repeat.py", SOURCE)
    first = collect(module.fail)
    reads: list[str] = []
    getlines = linecache.getlines

    def counting(filename: str, module_globals: object = None) -> list[str]:
        reads.append(filename)
        return getlines(filename, module_globals)  # type: ignore[arg-type]

    monkeypatch.setattr(linecache, "getlines", counting)
    again = collect(module.fail)
    assert reads == []  # nothing of the code was read or worked out again
    (frame,) = [f for f in again.frames if f.name == "fail"]
    (before,) = [f for f in first.frames if f.name == "fail"]
    assert frame.context_lines == before.context_lines
    assert frame.get_source_line().strip() == 'return {}["missing order"]'
    assert (frame.colno, frame.end_colno) == (before.colno, before.end_colno)
    assert again.identification_code == first.identification_code
    assert again.occurrence_id != first.occurrence_id


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "orders_edited.py"
    module = load(path, SOURCE)
    collect(module.fail)
    text = path.read_text(encoding="utf-8").replace("missing order", "missing ORDER")
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    (frame,) = [f for f in collect(module.fail).frames if f.name == "fail"]
    # The running code is the old one; the file shown is the file on disk now, as
    # Python's own traceback shows it.
    assert frame.get_source_line().strip() == 'return {}["missing ORDER"]'


def test_credentials_in_source_are_redacted_in_cached_lines_too(tmp_path: Path) -> None:
    module = load(
        tmp_path / "orders_secret.py",
        SOURCE.replace('"sk_live_" + "abc"', '"sk_live_4eC39HqLyjWDarjtT1zdp7dc"'),
    )
    for _ in range(2):
        (frame,) = [f for f in collect(module.fail).frames if f.name == "fail"]
        assert "4eC39HqLyjWDarjtT1zdp7dc" not in "\n".join(frame.context_lines)


def test_another_redactor_is_another_entry(tmp_path: Path) -> None:
    module = load(tmp_path / "orders_redactor.py", SOURCE)
    strict = Redactor(extra_value_patterns=[r"missing order"])
    collect(module.fail)
    try:
        module.fail()
    except KeyError:
        data = collect_exception(*sys.exc_info(), redactor=strict)
    (frame,) = [f for f in data.frames if f.name == "fail"]
    assert "missing order" not in frame.get_source_line()


def test_the_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codecache, "CACHED_LOCATIONS", 3)
    modules = [load(tmp_path / f"orders_{n}.py", SOURCE) for n in range(6)]
    for module in modules:
        collect(module.fail)
    assert len(codecache._cache) <= 3
