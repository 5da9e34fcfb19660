"""The package's import graph: one direction, no cycle (every import, at any depth, counts)."""

from __future__ import annotations

import ast
from pathlib import Path

import paste_exc

PACKAGE = Path(paste_exc.__file__).parent
#: Paste's module paths: re-exports for code written against Paste, never imported inside.
PASTE_MODULES = {"collector", "formatter", "reporter", "errormiddleware", "serial_number_generator"}
#: The stages, lowest first; a module may import its own stage and those below it.
ORDER = {
    "errors": 0,
    "api": 0,
    "redact": 0,
    "config": 0,
    "model": 1,
    "collect": 2,
    "format": 3,
    "report": 4,
    "respond": 5,
}
TOP = 6  # process, cli, demo, testing, Paste's modules, the package itself


def module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of ours that *name* imports, anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    names = module_names()
    return {name: imports_of(name, path, set(names)) for name, path in names.items()}


def stage(name: str) -> int:
    inner = name.split(".")[1] if "." in name else ""
    return ORDER.get(inner, TOP)


def test_the_graph_is_read() -> None:
    edges = graph()
    assert "paste_exc.collect.collector" in edges
    assert "paste_exc.model.report" in edges["paste_exc.collect.collector"]
    assert len(edges) > 60


def test_no_import_cycle() -> None:
    edges = graph()
    state: dict[str, int] = {}  # 1: on the path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_imports_flow_one_way() -> None:
    against = [
        f"{name} (stage {stage(name)}) imports {target} (stage {stage(target)})"
        for name, targets in graph().items()
        for target in targets
        if stage(target) > stage(name)
    ]
    assert not against, "\n".join(sorted(against))


def test_nothing_inside_imports_pastes_modules_or_the_package() -> None:
    paste = {f"paste_exc.{module}" for module in PASTE_MODULES}
    offenders = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        for target in targets
        if (target in paste or target == "paste_exc")
        and name != "paste_exc"
        and name.rpartition(".")[2] not in {"__main__"}
    ]
    assert not offenders, "\n".join(sorted(offenders))


def test_pastes_modules_only_re_export() -> None:
    for module in PASTE_MODULES:
        tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            all_names = isinstance(node, ast.Assign) and [
                getattr(target, "id", "") for target in node.targets
            ] == ["__all__"]
            assert docstring or all_names or isinstance(node, ast.ImportFrom), (
                f"paste_exc.{module} line {node.lineno}: {ast.unparse(node)[:80]}"
            )


def test_a_cycle_and_an_upward_import_are_seen(tmp_path: Path) -> None:
    """The checks above can fail: the same reading of a small made-up package."""
    root = tmp_path / "paste_exc"
    (root / "model").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "model" / "__init__.py").write_text("")
    (root / "model" / "a.py").write_text("def f():\n    from paste_exc.respond import b\n")
    (root / "respond").mkdir()
    (root / "respond" / "__init__.py").write_text("")
    (root / "respond" / "b.py").write_text("from paste_exc.model.a import f\n")
    known = {"paste_exc", "paste_exc.model", "paste_exc.model.a", "paste_exc.respond"}
    known |= {"paste_exc.respond.b"}
    a = imports_of("paste_exc.model.a", root / "model" / "a.py", known)
    b = imports_of("paste_exc.respond.b", root / "respond" / "b.py", known)
    assert a == {"paste_exc.respond", "paste_exc.respond.b"}
    assert b == {"paste_exc.model.a"}
    assert stage("paste_exc.respond.b") > stage("paste_exc.model.a")


def test_no_import_of_ours_hides_in_a_function() -> None:
    """With no cycle left, every import of ours stands at the top of its module."""
    hidden = []
    for name, path in module_names().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith(
                        "paste_exc"
                    ):
                        hidden.append(f"{name} line {inner.lineno}: {ast.unparse(inner)}")
    assert not hidden, "\n".join(hidden)
