"""Fixtures every test module may use: a ledger of its own, a time-skipping server,
and a recording SMTP server. And the rule that the suite writes nothing into the
checkout: Hypothesis's cache goes to a scratch folder, byte code to the venv, and a
session that leaves a new file behind fails. And the order in which test files run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from devstack.temporal_servers import start_time_skipping
from tests.program_harness import ProgramHarness
from tests.smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path(tempfile.mkdtemp(prefix="mentoring-tests-"))
# Before any test module is imported: Hypothesis caches Unicode tables and the test
# modules' constants even without an example database, and Python its byte code; the
# subprocesses that tests start (ops.py, starter.py, make run) inherit the prefix.
set_hypothesis_home_dir(SCRATCH / "hypothesis")


def _byte_code_cache() -> str:
    """In the venv (make venv's .venv, which the checkout test below leaves alone), the
    byte code outlives the session as the venv's own packages' does: a run compiles only
    what changed (each pytest-xdist worker compiled everything, ~4 s of CPU apiece).
    Without a venv, one folder for the session, which the workers inherit."""
    if sys.prefix != sys.base_prefix:
        return str(Path(sys.prefix) / "pycache")
    return os.environ.setdefault("MENTORING_TESTS_PYCACHE", str(SCRATCH / "pycache"))


os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix = _byte_code_cache()
# Written there even when the caller's shell says PYTHONDONTWRITEBYTECODE (to keep
# __pycache__ out of a checkout, which the prefix does): with the prefix and no byte
# code written, every subprocess compiled every module, the venv's too (1.5 s of CPU
# for each ops.py call, more for a worker).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

# Locally every run draws new examples; CI (CI=true) draws the same ones each time, so
# what lands is what was tested.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def _untracked() -> set[str] | None:
    """Files in the checkout that git does not track, ignored ones included."""
    try:
        listed = subprocess.run(
            ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None  # not a git checkout (an unpacked archive): nothing to compare with
    paths = {line[3:] for line in listed.splitlines() if line[:2] in ("??", "!!")}
    return {p for p in paths if not p.startswith(".venv") and "__pycache__" not in p}


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_BEFORE] = _untracked()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before, after = session.config.stash.get(_BEFORE, None), _untracked()
    if before is None or after is None or session.config.option.collectonly:
        return
    if written := sorted(after - before):
        print(f"\nthe tests wrote into the checkout: {', '.join(written)}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_BEFORE = pytest.StashKey[set[str] | None]()


# The files that take longest (their wall time in a full four-process run on 2 cores),
# longest first; every file over about 7 s, so that the short ones fill in at the end.
# pytest-xdist hands out whole files in collection order (the Makefile turns off its
# reordering by test count), so these start at once and the short ones fill in at the
# end; left to the end, one of them kept a process busy while the others had finished.
# A new file that takes over ~7 s belongs here.
LONGEST_FIRST = [
    "test_simulate_responses.py",
    "test_crash_recovery.py",
    "test_cohort_file_properties.py",
    "test_readme_commands.py",
    "test_devstack_run.py",
    "test_operation_sequences.py",
    "test_simulate_calendars.py",
    "test_intake_storms.py",
    "test_report_files.py",
    "test_admin_ui.py",
    "test_ops_cli.py",
    "test_digest_workflow.py",
    "test_response_site_browser.py",
    "test_replay.py",
    "test_digest_schedule.py",
    "test_invite_time_zones.py",
    "test_international_addresses_properties.py",
    "test_report_gather.py",
    "test_intake_script.py",
    "test_intake.py",
    "test_intake_oauth.py",
    "test_resilience.py",
    "test_response_site_no_worker.py",
    "test_reply_parsing.py",
    "test_ops_report.py",
    "test_pair_operations.py",
    "test_starter_cli.py",
    "test_cohort_devserver.py",
    "test_pair_answers.py",
    "test_cohort_operations.py",
    "test_response_site_bad_links.py",
    "test_confidentiality.py",
    "test_cohort_file.py",
    "test_report_browser.py",
    "test_pair_agenda.py",
    "test_intake_google.py",
    "test_response_site_bad_forms.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if missing := [name for name in LONGEST_FIRST if not (ROOT / "tests" / name).exists()]:
        raise pytest.UsageError(f"tests/conftest.py: LONGEST_FIRST names files that do not exist: {missing}")
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest as collected


def pytest_unconfigure(config: pytest.Config) -> None:
    # Hypothesis's files and, without a venv, the session's byte code (tens of MB).
    shutil.rmtree(SCRATCH, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated_delivery_ledger(tmp_path, monkeypatch):
    # No test sees what another one sent.
    monkeypatch.setenv("DELIVERY_LEDGER_URL", f"sqlite:///{tmp_path}/delivery-ledger.sqlite3")


@pytest.fixture
async def skipping_env():
    env = await start_time_skipping()
    yield env
    await env.shutdown()


@pytest.fixture
async def program():
    """A pair program on a time-skipping server of its own, with the real workers and SMTP."""
    env = await start_time_skipping()
    with SmtpServer() as smtp:
        async with ProgramHarness(env, smtp) as harness:
            yield harness
    await env.shutdown()


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server
