"""The house reads top to bottom: every import of every project module (inside functions too) runs
with the declared direction, and no group of modules imports itself round in a cycle.

Between apps: leadership -> integrations -> governance -> initiatives -> evidence -> vpportal (the foundation imports no app;
settings and URLs name apps by dotted string). Within the layers of an app: models and querysets
never import services, forms, views, api or admin; services never import views, forms, api or
admin; filtersets never import forms.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("vpportal", "evidence", "initiatives", "governance", "integrations", "leadership")  # bottom to top
KINDS = ("models", "querysets", "services", "filtersets", "forms", "views", "api", "admin")
FORBIDDEN = {
    "models": {"services", "forms", "views", "api", "admin"},
    "querysets": {"services", "forms", "views", "api", "admin"},
    "services": {"views", "forms", "api", "admin"},
    "filtersets": {"forms"},
}


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = project_modules()


def imported(module: str, node) -> list[str]:
    """The project modules an import statement names: `from a.b import c` is a.b.c when c is a
    module, else a.b."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]


def import_graph() -> dict[str, dict[str, int]]:
    """{module: {imported project module: line of the first such import}}."""
    graph = {}
    for module, path in MODULES.items():
        edges = graph.setdefault(module, {})
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in imported(module, node):
                    while target and target not in MODULES and "." in target:
                        target = target.rpartition(".")[0]  # `import a.b.name` style: the module part
                    if target in MODULES and target != module:
                        edges.setdefault(target, node.lineno)
    return graph


GRAPH = import_graph()


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def kind(module: str) -> str | None:
    return next((part for part in module.split(".")[1:] if part in KINDS), None)


def against_the_direction(module: str, target: str) -> str | None:
    if layer(target) > layer(module):
        return f"a lower layer ({module.split('.')[0]}) imports a higher one ({target.split('.')[0]})"
    if kind(target) in FORBIDDEN.get(kind(module), ()):
        return f"{kind(module)} import {kind(target)}"
    return None


def cycles(graph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
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
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_the_walk_sees_every_layer_and_imports_inside_functions():
    # Guards the test itself: an empty graph or a walk that skipped function bodies would pass.
    assert {module.split(".")[0] for module in MODULES} == set(LAYERS)
    assert "governance.models" in GRAPH["leadership.dashboard.metrics"]
    assert "vpportal.core.models" in GRAPH["initiatives.models.portfolio"]
    assert "governance.gate_checks" in GRAPH["governance.apps"]  # imported inside ready()


def test_the_checks_catch_an_import_against_the_direction():
    assert against_the_direction("vpportal.core.admin", "leadership.imports.kinds")
    assert against_the_direction("initiatives.views.portfolio", "governance.models")
    assert against_the_direction("governance.models.risks", "governance.services.risks")
    assert against_the_direction("initiatives.services.team", "initiatives.forms.team")
    assert against_the_direction("governance.filtersets.risks", "governance.forms.risks")
    assert against_the_direction("leadership.dashboard.metrics", "initiatives.models") is None
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]


def test_no_import_runs_against_the_declared_direction():
    wrong = [
        f"{MODULES[module].relative_to(ROOT)}:{line}: {module} -> {target}: {reason}"
        for module, edges in sorted(GRAPH.items())
        for target, line in sorted(edges.items())
        if (reason := against_the_direction(module, target))
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle_between_project_modules():
    found = cycles(GRAPH)
    assert not found, "\n".join(" -> ".join(group) for group in found)
