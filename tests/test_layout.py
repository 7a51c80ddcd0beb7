"""The package layout follows the data flow: a lower stage never imports a higher one."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["core", "content", "transforms", "files", "definitions", "hub", "cli"]
CONSUMERS = ("trainers", "evaluators")


def imported_modules(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved), lazy ones included."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def stage_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] == "mmpriv_data" and len(parts) > 1 and parts[1] in STAGES:
        return STAGES.index(parts[1])
    return None


def test_lower_stages_never_import_higher_ones():
    violations = []
    for stage in STAGES:
        for path in sorted((ROOT / "mmpriv_data" / stage).rglob("*.py")):
            for module in imported_modules(path):
                other = stage_of(module)
                if other is not None and other > STAGES.index(stage):
                    violations.append(f"{path.relative_to(ROOT)} imports {module}")
                if stage != "cli" and module.split(".")[0] in CONSUMERS:
                    violations.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not violations, "\n".join(violations)


def test_consumers_and_builders_never_import_the_command_line():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for folder in (*CONSUMERS, "builders")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for module in imported_modules(path)
        if module.startswith("mmpriv_data.cli")
    ]
    assert not offenders, "\n".join(offenders)


def test_every_subpackage_says_what_it_holds_and_may_import():
    for stage in STAGES:
        init = ROOT / "mmpriv_data" / stage / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and ("import" in doc), f"mmpriv_data/{stage}/__init__.py needs a docstring"


def test_no_module_name_is_used_for_two_different_files():
    """A dataset's builder and its definition have different file names (issue 13)."""
    builders = {p.stem for p in (ROOT / "builders").glob("*.py")} - {"__init__"}
    definitions = {p.stem for p in (ROOT / "mmpriv_data" / "definitions").glob("*.py")}
    assert not builders & definitions
