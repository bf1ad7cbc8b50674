"""The house's nevers that import-linter does not see (its contracts are in pyproject.toml).

An import of the project's own modules inside a function hides a dependency
from the import contracts and usually dodges a cycle; the only ones allowed
are in an ``AppConfig.ready()``, where Django asks for them. Modules of
application code stay within about 600 lines.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "grievances", "consultations", "home")
MAX_LINES = 620


def application_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def project_imports_inside_functions(path: Path) -> list[str]:
    """``file:line module`` of each import of Suara's own modules inside a function."""
    found = []
    for function in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "ready" and path.name == "apps.py":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                names = [f"{path.parent.name}{'.' * node.level}{node.module or ''}"]
                found.append(f"{path.name}:{node.lineno} {names[0]}")  # relative: always the project's own
                continue
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name.split(".")[0] in PACKAGES for name in names):
                found.append(f"{path.name}:{node.lineno} {', '.join(names)}")
    return found


def test_no_project_module_is_imported_inside_a_function():
    offenders = [
        f"{path.parent.relative_to(ROOT)}/{line}"
        for path in application_modules()
        for line in project_imports_inside_functions(path)
    ]
    assert offenders == []


def test_the_check_finds_an_import_hidden_in_a_function(tmp_path):
    module = tmp_path / "hidden.py"
    module.write_text("def f():\n    from grievances.models import Grievance\n    return Grievance\n")
    assert project_imports_inside_functions(module) != []


def test_no_module_of_application_code_outgrows_a_screenful_of_modules():
    long = [
        f"{path.relative_to(ROOT)}: {n}"
        for path in application_modules()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert long == []
