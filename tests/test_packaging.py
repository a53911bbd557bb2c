"""`make venv` installs the project without a screenful of setuptools warnings, and what it
builds holds every shipped package and template, and no generic top-level name."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

from tests.checkout import copy_checkout

WARNING_LINE = re.compile(r"warn|deprecat", re.IGNORECASE)


def build_environment() -> dict[str, str]:
    # Without this machine's pip settings (its extra indexes warn on their own) and without
    # PYTHONDONTWRITEBYTECODE, which makes distutils warn that it skips byte-compiling.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}


def run(args: list[str], cwd: Path) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=build_environment(), capture_output=True, text=True, timeout=300
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_building_the_project_prints_no_warnings(tmp_path):
    assert int(version("setuptools").split(".")[0]) >= 77, "the venv predates pyproject.toml: run `make venv`"
    project = copy_checkout(tmp_path / "project")
    wheels = tmp_path / "wheels"
    # The editable build is what `make venv` runs (pip's PEP 660 call), with every warning shown.
    editable = run(
        [sys.executable, "-W", "always", "-c",
         f"from setuptools import build_meta; build_meta.build_editable({str(wheels)!r})"],
        project,
    )  # fmt: skip
    # And pip's own output for a regular wheel, as the Dockerfile's `pip install .` builds it.
    wheel = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), "."],
        project,
    )
    assert [line for line in (editable + wheel).splitlines() if WARNING_LINE.search(line)] == []

    (built,) = [w for w in wheels.glob("*.whl") if "editable" not in w.name]
    names = set(zipfile.ZipFile(built).namelist())
    # site-packages gets the project's own packages and nothing else at the top level:
    # no generic module (worker, connection, cli, ...) that another project could also install.
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"mentoring", "mentoring_service", "workflows", "activities"}
    generic = {"worker", "starter", "ops", "connection", "codec_server", "cli", "devstack", "tests", "bench", "scripts"}
    assert not {name.split("/")[0].removesuffix(".py") for name in names} & generic
    # Every module of the shipped packages, the commands and the infrastructure among them.
    for package in ("mentoring", "mentoring_service", "mentoring_service/cli", "workflows", "activities"):
        sources = {p.relative_to(project).as_posix() for p in (project / package).glob("*.py")}
        assert f"{package}/__init__.py" in sources and sources <= names, package
    templates = {p.relative_to(project).as_posix() for p in (project / "activities" / "templates").rglob("*.j2")}
    assert templates and templates <= names

    (editable_wheel,) = wheels.glob("*editable*.whl")
    pth = [n for n in zipfile.ZipFile(editable_wheel).namelist() if n.endswith(".pth")]
    assert [zipfile.ZipFile(editable_wheel).read(n).decode().strip() for n in pth] == [str(project.resolve())]
