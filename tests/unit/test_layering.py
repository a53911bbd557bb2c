"""Imports run one way: the domain models import nothing of the service, workflows no
activities, activities no workflows; shipped code never imports what only a checkout
has (devstack/, tests/, bench/, scripts/) or the root scripts; and only
pydantic-settings reads the environment."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("mentoring", "mentoring_service", "workflows", "activities")
ROOT_SCRIPTS = ("worker", "starter", "ops", "codec_server", "response_site")
CHECKOUT_ONLY = ("devstack", "tests", "bench", "scripts")
PROJECT = (*SHIPPED, *ROOT_SCRIPTS, *CHECKOUT_ONLY)


def modules(*packages: str) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            found[".".join(path.relative_to(ROOT).with_suffix("").parts)] = path
    return found


def imported(path: Path) -> set[str]:
    """The project's top-level names and modules a file imports, anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in names if name.split(".")[0] in PROJECT}


def offenders(packages: tuple[str, ...], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    bad = {}
    for module, path in modules(*packages).items():
        hits = sorted(n for n in imported(path) if n.split(".")[0] in forbidden or n in forbidden)
        if hits:
            bad[module] = hits
    return bad


def test_shipped_code_never_imports_the_checkout_or_the_root_scripts():
    assert offenders(SHIPPED, (*CHECKOUT_ONLY, *ROOT_SCRIPTS)) == {}


def test_root_scripts_import_only_shipped_code():
    for script in ROOT_SCRIPTS:
        path = ROOT / f"{script}.py"
        assert {n for n in imported(path) if n.split(".")[0] not in SHIPPED} == set(), script


def test_domain_models_import_only_each_other():
    assert offenders(("mentoring",), ("mentoring_service", "workflows", "activities")) == {}


def test_workflows_and_activities_do_not_import_each_other_or_the_service_around_them():
    assert offenders(("workflows",), ("activities", "mentoring_service")) == {}
    # Activities read their settings, and write links as the response site reads them;
    # they never reach up to workers, commands or workflows.
    shared = ("mentoring_service.settings", "mentoring_service.links")
    reaching_up = {
        module: [h for h in hits if not h.startswith(shared)]
        for module, hits in offenders(("activities",), ("workflows", "mentoring_service")).items()
    }
    assert {module: hits for module, hits in reaching_up.items() if hits} == {}


def test_settings_import_nothing_of_the_project():
    assert imported(ROOT / "mentoring_service" / "settings.py") == set()


def test_only_pydantic_settings_reads_the_environment():
    readers = []
    for module, path in {**modules(*SHIPPED), **{s: ROOT / f"{s}.py" for s in ROOT_SCRIPTS}}.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                if isinstance(node.value, ast.Name) and node.value.id == "os":
                    readers.append(module)
    assert readers == []
