"""`make venv` installs the project without a screenful of setuptools warnings, and what it
builds holds every shipped package and template, and no generic top-level name."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import version
from pathlib import Path

from tests.checkout import ROOT, copy_checkout

WARNING_LINE = re.compile(r"warn|deprecat", re.IGNORECASE)


def build_environment() -> dict[str, str]:
    # Without this machine's pip settings (its extra indexes warn on their own) and without
    # PYTHONDONTWRITEBYTECODE, which makes distutils warn that it skips byte-compiling.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}


def run(args: list[str], cwd: Path) -> str:
    result = subprocess.run(args, cwd=cwd, env=build_environment(), capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_building_the_project_prints_no_warnings_and_installs_no_module(tmp_path):
    assert int(version("setuptools").split(".")[0]) >= 77, "the venv predates pyproject.toml: run `make venv`"
    project = copy_checkout(tmp_path / "project")
    wheels = tmp_path / "wheels"
    # pip's own output for the wheel that `make venv` and the Dockerfile's `pip install .` install.
    output = run(
        [
            sys.executable,
            "-W",
            "always",
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            ".",
        ],
        project,
    )
    assert [line for line in output.splitlines() if WARNING_LINE.search(line)] == []
    (built,) = wheels.glob("*.whl")
    # An application runs from its checkout: installing it brings its dependencies and
    # metadata, and no module that another project could also install (workflows, cli, ...).
    top_level = {name.split("/")[0] for name in zipfile.ZipFile(built).namelist()}
    assert len(top_level) == 1 and top_level.pop().endswith(".dist-info")


def test_the_venv_holds_no_module_of_the_checkout():
    site_packages = Path(sysconfig.get_paths()["purelib"])
    assert (site_packages / "temporalio").is_dir()
    ours = {p.name.removesuffix(".py") for p in ROOT.iterdir() if (p / "__init__.py").exists() or p.suffix == ".py"}
    assert {"workflows", "activities", "mentoring", "mentoring_service", "worker", "starter", "ops"} <= ours
    installed = {p.name.removesuffix(".py") for p in site_packages.iterdir()}
    assert not ours & installed
    assert not [p.name for p in site_packages.glob("__editable__*reverse_mentoring*")]
