"""Dependencies point one way: no module of ``parabench`` imports a module that (directly or
through others) imports it back — imports inside functions included, since a lazy import only
hides a cycle (``uploads.intake`` and ``uploads.importer`` once imported each other that way)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "parabench"


def module_graph(package: Path) -> dict[str, set[str]]:
    modules = {}
    for path in package.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (iterative Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_the_cycle_check_finds_a_lazy_import_cycle(tmp_path):
    package = tmp_path / "parabench"
    (package / "uploads").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "uploads" / "__init__.py").write_text("")
    (package / "uploads" / "intake.py").write_text(
        "def accept():\n    from parabench.uploads.importer import enqueue_import\n"
    )
    (package / "uploads" / "importer.py").write_text("from parabench.uploads import intake\n")
    assert cycles(module_graph(package)) == [
        ["parabench.uploads.importer", "parabench.uploads.intake"]
    ]


def test_no_module_of_parabench_imports_itself_back():
    assert cycles(module_graph(PACKAGE)) == []
