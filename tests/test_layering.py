"""The layering (issue 6, docs/architecture.md): `prostenhet/` is the base and imports no app
module — not at module level, not inside a function, not through importlib. Its URLconf names
the apps' URLconfs by string only (include("clients.urls")). And no package of the project
dodges an import cycle with an import inside a function.

The modules are read with `ast`, never imported, so that a test cannot pass because an import
happened to be satisfied elsewhere."""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE = "prostenhet"
# The unit apps that exist today; the discovery below must find at least these.
KNOWN_APPS = {"clients", "kast", "outreach", "spiralen", "trafficking"}


def project_packages():
    """Top-level packages of the project (folders at the root with an __init__.py), tests
    excluded."""
    return {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name != "tests" and not path.parent.name.startswith(".")
    }


def app_packages():
    return project_packages() - {BASE}


def modules_of(package):
    return sorted((ROOT / package).rglob("*.py"))


def module_name(path):
    """prostenhet/views/audit.py → prostenhet.views.audit; a package's __init__ → the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    target: str  # the absolute module name imported (or named to importlib)
    function: str | None  # the innermost enclosing function, None at module level

    def __str__(self):
        where = f" in {self.function}()" if self.function else ""
        return f"{self.path.relative_to(ROOT)}:{self.line}{where} imports {self.target}"


def resolve(path, node):
    """The absolute module names an import statement names (relative imports resolved
    against the module's package)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        return [node.module]
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    if node.level - 1 > len(package):
        return ["<beyond the project root>"]
    base = package[: len(package) - (node.level - 1)]
    if node.module:
        return [".".join([*base, node.module])]
    # "from . import a, b": each name may be a submodule.
    return [".".join([*base, alias.name]) for alias in node.names]


def importlib_target(node):
    """The module named to importlib.import_module("x") / __import__("x"), if a literal."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in {"import_module", "__import__"}:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def imports_in(path, source=None):
    """Every import in the module, with the function it sits in (if any)."""
    tree = ast.parse(source if source is not None else path.read_text(), filename=str(path))
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                inner = getattr(child, "name", "<lambda>")
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in resolve(path, child):
                    found.append(Import(path, child.lineno, target, function))
            target = importlib_target(child)
            if target:
                found.append(Import(path, child.lineno, target, function))
            visit(child, inner)

    visit(tree, None)
    return found


def top_level(module):
    return module.split(".")[0]


def app_imports(path, source=None):
    apps = app_packages()
    return [i for i in imports_in(path, source) if top_level(i.target) in apps]


# --- the checker itself finds what it must -----------------------------------------------------


def test_the_project_packages_are_found():
    assert app_packages() >= KNOWN_APPS
    assert BASE in project_packages()
    assert len(modules_of(BASE)) > 20


CYCLE_DODGE = '''
import os
from clients import services

def start(request):
    from clients.models import JournalEntry
    import spiralen.models as clinic
    return importlib.import_module("outreach.models")

class Panel:
    def render(self):
        from kast import models
'''


def test_the_checker_finds_module_level_function_level_and_importlib_imports():
    path = ROOT / BASE / "views" / "core.py"

    found = app_imports(path, CYCLE_DODGE)

    assert [(i.target, i.function) for i in found] == [
        ("clients", None),
        ("clients.models", "start"),
        ("spiralen.models", "start"),
        ("outreach.models", "start"),
        ("kast", "render"),
    ]


def test_the_checker_resolves_relative_imports():
    views = ROOT / BASE / "views" / "audit.py"
    package = ROOT / BASE / "lib" / "__init__.py"

    assert [i.target for i in imports_in(views, "from ..models import AccessLog")] == [
        "prostenhet.models"
    ]
    assert [i.target for i in imports_in(views, "from . import core")] == [
        "prostenhet.views.core"
    ]
    assert [i.target for i in imports_in(package, "from .text import fold")] == [
        "prostenhet.lib.text"
    ]


# --- the base imports no app ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", modules_of(BASE), ids=[str(p.relative_to(ROOT)) for p in modules_of(BASE)]
)
def test_no_module_of_the_base_imports_an_app(path):
    found = app_imports(path)

    assert not found, "the base must not import an app:\n" + "\n".join(map(str, found))


def test_the_base_urlconf_names_the_apps_urlconfs_by_string_only():
    path = ROOT / BASE / "urls.py"
    tree = ast.parse(path.read_text())
    included = [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "include"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]

    # Every app's URLs are reached through a string include …
    assert {top_level(name) for name in included} >= KNOWN_APPS
    assert all(name.endswith(".urls") for name in included)
    # … and the URLconf imports nothing of them.
    assert not app_imports(path)


def test_the_base_urlconf_still_serves_the_apps_urls():
    """The string includes really resolve: the apps' pages are reachable."""
    from django.urls import reverse

    assert reverse("clients:client-search").startswith("/klienter/")


# --- no imports inside functions to dodge a cycle ------------------------------------------------

# Django's AppConfig.ready() is where an app registers what needs its models (models cannot be
# imported while apps.py itself is loaded): the one documented place for a function-level
# import. Everything else counts, migrations' RunPython functions included.


def function_level_project_imports(package):
    project = project_packages()
    found = []
    for path in modules_of(package):
        for item in imports_in(path):
            if item.function is None or top_level(item.target) not in project:
                continue
            if path.name == "apps.py" and item.function == "ready":
                continue
            found.append(item)
    return found


def test_the_base_has_no_function_level_imports_of_project_modules():
    found = function_level_project_imports(BASE)

    assert not found, "\n".join(map(str, found))


def test_the_clients_app_has_no_function_level_imports_of_project_modules():
    found = function_level_project_imports("clients")

    assert not found, "\n".join(map(str, found))
