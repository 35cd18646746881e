"""Layers that point one way, and no import circle inside an app (read from the source with ast).

The apps stand in layers: ``hardship`` (the project and what every app shares) ← ``cases``
(household files and the review chain) ← ``programs`` (money and 关爱·圆梦) ← ``api``. A module
imports only from its own layer or from below it, anywhere in the file — inside functions
too. The root URLconf names the apps' URLconfs by dotted string (``include("cases.urls")``)
and the settings name them in INSTALLED_APPS and the beat schedule: that is the composition
root, configuration rather than an import, and the only place a name of a higher app appears
in ``hardship``.

Inside an app, the modules' top-level imports form no circle; an import inside a function is
allowed only where moving it to the top would close a circle, and then a comment above it says
so (it contains "cycle"). ``AppConfig.ready`` is the other exception: apps import their
models-using modules there once the app registry is ready (the comment says "registry").
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["hardship", "cases", "programs", "api", "ops", "family"]
# hardship's templates: the shell every page extends and the pages of the platform itself.
HARDSHIP_TEMPLATES = ["templates/*.html", "templates/hardship/**/*.html", "templates/includes/**/*.html",
                      "templates/registration/**/*.html"]  # fmt: skip
HIGHER_URL_NAMESPACES = ("cases", "programs", "workstudy", "reports", "api", "family")
HIGHER_TEMPLATE_LIBRARIES = ("cases_tags",)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module, dotted (a name imported from a package counts as its submodule if it is one)
    path: Path
    line: int
    function: str | None  # the enclosing function, or None at module level (class bodies run at import time)
    comment: str  # the comment lines right above it (or on its line), lower-cased


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_files(app: str, root: Path = ROOT) -> list[Path]:
    return sorted(p for p in (root / app).rglob("*.py") if "migrations" not in p.parts)


def _is_module(dotted: str, root: Path) -> bool:
    base = root / dotted.replace(".", "/")
    return (base / "__init__.py").exists() or base.with_suffix(".py").exists()


def _comment_above(lines: list[str], node: ast.stmt, group_start: int) -> str:
    """The comment on the import's line, or the block of comment lines right above it (or above
    the run of import statements it belongs to)."""
    found = []
    if "#" in lines[node.lineno - 1]:
        found.append(lines[node.lineno - 1].split("#", 1)[1])
    index = group_start - 2
    while index >= 0 and lines[index].strip().startswith("#"):
        found.append(lines[index].strip().lstrip("#"))
        index -= 1
    return " ".join(found).lower()


def _targets(module: str, is_package: bool, node: ast.stmt, root: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    targets = []
    for alias in node.names:
        candidate = f"{prefix}.{alias.name}"
        targets.append(candidate if _is_module(candidate, root) else prefix)
    return targets


def imports_of(path: Path, root: Path = ROOT) -> list[Import]:
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    module, is_package = module_name(path, root), path.name == "__init__.py"
    found: list[Import] = []

    def visit(body: list[ast.stmt], function: str | None, type_checking: bool = False) -> None:
        group_start = None
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                group_start = group_start or node.lineno
                if not type_checking:
                    comment = _comment_above(lines, node, group_start)
                    for target in dict.fromkeys(_targets(module, is_package, node, root)):
                        found.append(Import(module, target, path, node.lineno, function, comment))
                continue
            group_start = None
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(node.body, function or node.name)
            elif isinstance(node, ast.ClassDef):
                visit(node.body, function)
            elif isinstance(node, ast.If):
                checking = isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                visit(node.body, function, type_checking or checking)
                visit(node.orelse, function, type_checking)
            elif isinstance(node, ast.Try | ast.With | ast.For | ast.While):
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(node, block, []), function, type_checking)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body, function, type_checking)

    visit(tree.body, None)
    return found


def _with_packages(target: str) -> list[str]:
    """Importing a.b.c runs a/__init__, a/b/__init__ and a/b/c: an edge to each."""
    parts = target.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def top_level_graph(app: str, root: Path = ROOT) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module_name(p, root): set() for p in app_files(app, root)}
    for path in app_files(app, root):
        for imp in imports_of(path, root):
            if imp.function is None:
                for target in _with_packages(imp.target):
                    if target in graph and target != imp.source and not imp.source.startswith(target + "."):
                        graph[imp.source].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


def path_between(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    seen, queue = {start}, [[start]]
    while queue:
        route = queue.pop(0)
        if route[-1] == goal:
            return route
        for nxt in sorted(graph.get(route[-1], ())):
            if nxt not in seen:
                seen.add(nxt)
                queue.append([*route, nxt])
    return None


def _where(imp: Import, root: Path = ROOT) -> str:
    return f"{imp.path.relative_to(root)}:{imp.line}"


# ------------------------------------------------------------------ the rules


def layer_violations(root: Path = ROOT) -> list[str]:
    problems = []
    for rank, app in enumerate(LAYERS):
        higher = set(LAYERS[rank + 1 :])
        for path in (root / app).rglob("*.py"):
            for imp in imports_of(path, root):
                if imp.target.split(".")[0] in higher:
                    problems.append(f"{_where(imp, root)}: {imp.source} imports {imp.target}")
    return sorted(problems)


DYNAMIC_IMPORTERS = {"import_module", "import_string", "get_model", "__import__", "include"}


def dynamic_reference_violations() -> list[str]:
    """Strings that import a higher app at run time (import_module("cases…"), apps.get_model("cases", …)):
    only the root URLconf's include("cases.urls") may name one."""
    problems = []
    higher = set(LAYERS[1:])
    for path in (ROOT / "hardship").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in DYNAMIC_IMPORTERS:
                continue
            for arg in node.args[:1]:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    continue
                if arg.value.split(".")[0] not in higher:
                    continue
                if name == "include" and path == ROOT / "hardship" / "urls.py":
                    continue  # the composition root
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}({arg.value!r})")
    return problems


def template_violations() -> list[str]:
    problems = []
    url = re.compile(r"""{%\s*url\s+['"](""" + "|".join(HIGHER_URL_NAMESPACES) + "):")
    load = re.compile(r"{%\s*load\s+[^%]*\b(" + "|".join(HIGHER_TEMPLATE_LIBRARIES) + r")\b")
    for pattern in HARDSHIP_TEMPLATES:
        for path in sorted(ROOT.glob(pattern)):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if url.search(line) or load.search(line):
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    return problems


def function_import_violations(app: str, root: Path = ROOT) -> list[str]:
    graph = top_level_graph(app, root)
    problems = []
    for path in app_files(app, root):
        for imp in imports_of(path, root):
            if imp.function is None:
                continue
            where = _where(imp, root)
            if imp.function == "ready" and path.name == "apps.py":
                if "registry" not in imp.comment:
                    problems.append(f"{where}: an import in ready() needs a comment naming the app registry")
                continue
            targets = [t for t in _with_packages(imp.target) if t in graph and t != imp.source]
            cycle = next((route for t in targets if (route := path_between(graph, t, imp.source))), None)
            if cycle is None:
                problems.append(f"{where}: {imp.target} inside {imp.function}(): no cycle forces it, move it up")
            elif "cycle" not in imp.comment:
                route = " → ".join([imp.source, *cycle])
                problems.append(f"{where}: {imp.target} inside {imp.function}() needs a comment: cycle {route}")
    return problems


# ------------------------------------------------------------------ the tests


def test_hardship_imports_nothing_from_cases_programs_or_api_and_each_layer_only_from_below():
    assert layer_violations() == []


def test_hardship_names_a_higher_app_by_string_only_in_the_root_urlconf():
    assert dynamic_reference_violations() == []


def test_hardship_templates_link_to_no_page_of_a_higher_app():
    # The menu that links to them is data the apps register (hardship/navigation.py).
    assert template_violations() == []


def test_no_app_has_an_import_circle_among_its_top_level_imports():
    cycles = {app: cycle for app in LAYERS if (cycle := find_cycle(top_level_graph(app)))}
    assert cycles == {}, {app: " → ".join(cycle) for app, cycle in cycles.items()}


def test_an_import_inside_a_function_is_there_only_because_a_named_cycle_forces_it():
    problems = [problem for app in LAYERS for problem in function_import_violations(app)]
    assert problems == [], "\n".join(problems)


# ------------------------------------------------------------------ the checks can fail


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_layer_check_sees_an_import_of_cases_inside_a_function(tmp_path):
    root = _tree(tmp_path, {
        "hardship/__init__.py": "",
        "hardship/nav.py": "def f():\n    from cases.models import Household\n\n    return Household\n",
        "cases/__init__.py": "", "cases/models.py": "",
    })  # fmt: skip

    assert layer_violations(root) == ["hardship/nav.py:2: hardship.nav imports cases.models"]


def test_the_cycle_checks_see_a_circle_an_uncommented_function_import_and_accept_a_named_one(tmp_path):
    root = _tree(tmp_path, {
        "api/__init__.py": "",
        "api/a.py": "from . import b\n",
        "api/b.py": "from . import a\n\n\ndef f():\n    from . import views\n",
        "api/views.py": "from . import c, e\n",
        "api/c.py": "def g():\n    # Here for a cycle: api.views imports api.c.\n    from . import views\n",
        "api/e.py": "def k():\n    from .views import something\n",
    })  # fmt: skip

    assert find_cycle(top_level_graph("api", root)) == ["api.a", "api.b", "api.a"]
    assert function_import_violations("api", root) == [
        "api/b.py:5: api.views inside f(): no cycle forces it, move it up",
        "api/e.py:2: api.views inside k() needs a comment: cycle api.e → api.views → api.e",
    ]
