"""The dependencies of ``parabench/`` point one way: no import cycle between modules or apps.

Built from the source with ``ast``, every ``import`` counted — also those inside functions, which
hide a cycle from Python but not from the next person who changes either side. The order of the
apps is the house rule: dashboard → benchmark → uploads → certificates / practices.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("parabench", "parabench_format", "parabench_client")
# Lower layers never import higher ones (a subset of the whole order, the one issue 13 names).
LAYERS = ("dashboard", "benchmark", "uploads", "certificates")


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources(root: Path, packages):
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield _module_name(root, path), path


def import_graph(root: Path = ROOT, packages=PACKAGES) -> dict[str, set[str]]:
    """Module → the modules of ``packages`` (under ``root``) it imports, anywhere in its body."""
    modules = dict(_sources(root, packages))
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from a import b`` names the module a.b, or else a name defined in a.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def _app(module: str) -> str:
    """``parabench.<app>`` for an app's modules, the package for the format and the client,
    the module itself for the project's own modules (settings, urls, tasks …)."""
    parts = module.split(".")
    if parts[0] != "parabench":
        return parts[0]
    if len(parts) > 2:
        return ".".join(parts[:2])
    return module


def app_graph(graph) -> dict[str, set[str]]:
    apps: dict[str, set[str]] = {}
    for module, targets in graph.items():
        edges = apps.setdefault(_app(module), set())
        edges.update(_app(t) for t in targets if _app(t) != _app(module))
    return apps


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_check_finds_a_cycle_when_there_is_one():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_check_finds_a_cycle_hidden_in_a_lazy_import(tmp_path):
    """``uploads.intake`` and ``uploads.importer`` once imported each other this way."""
    package = tmp_path / "parabench"
    (package / "uploads").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "uploads" / "__init__.py").write_text("")
    (package / "uploads" / "intake.py").write_text(
        "def accept():\n    from parabench.uploads.importer import enqueue_import\n"
    )
    (package / "uploads" / "importer.py").write_text("from . import intake\n")
    graph = import_graph(tmp_path, ("parabench",))
    assert cycles(graph) == [["parabench.uploads.importer", "parabench.uploads.intake"]]


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    # parabench.uploads.intake queues the import task from inside a function.
    assert "parabench.uploads.models" in graph["parabench.uploads.importer"]
    assert graph["parabench.benchmark.signals"] >= {"parabench.uploads.signals"}


def test_no_two_apps_of_parabench_import_each_other():
    assert cycles(app_graph(import_graph())) == []


@pytest.mark.parametrize("lower", LAYERS[1:])
def test_a_lower_layer_never_imports_a_higher_one(lower):
    apps = app_graph(import_graph())
    higher = {f"parabench.{app}" for app in LAYERS[: LAYERS.index(lower)]}
    assert apps[f"parabench.{lower}"] & higher == set()


def _within(graph, package: str) -> dict[str, set[str]]:
    inside = {m for m in graph if m == package or m.startswith(package + ".")}
    return {m: graph[m] & inside for m in inside}


def test_no_module_of_parabench_imports_itself_through_others():
    assert cycles(_within(import_graph(), "parabench")) == []


def test_no_module_of_the_client_imports_itself_through_others():
    # cli imports certrequest and window; they share exits.py and get cli's functions handed in.
    assert cycles(_within(import_graph(), "parabench_client")) == []
