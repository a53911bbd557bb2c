"""Every command README.md and docs/*.md print works exactly as printed, in a fresh shell
after `make run`.

A fresh shell has no venv on PATH and no VIRTUAL_ENV, so a bare `python ops.py …` fails
there with "No module named 'rich'". Each command is taken from the pages' ``sh``
blocks and their inline code (tables and prose), and run by bash from a copy of the
checkout whose var/ holds what `make run` leaves (key file, codec token). How each is
checked:

* a synopsis (placeholders such as ``COHORT``, ``[--opt X]`` or ``a|b``): its program and
  subcommand, as printed, answer ``--help``;
* ``make TARGET``: ``make -n TARGET`` (the suite cannot run the stack or itself);
* the ``temporal`` CLI and ``docker-compose`` need a server or an engine: the command as
  printed, plus ``--help``, which they answer only once every flag parsed;
* anything else runs as printed, with Temporal at a closed port: it succeeds, or gets as
  far as calling Temporal (its arguments were accepted) and says it cannot reach it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from devstack.mailbox import Dovecot
from mentoring.cohort import Role
from mentoring_service.keys import ensure_key_file, ensure_secret_file
from tests.checkout import ROOT, copy_checkout, fresh_environment
from tests.test_devstack_reply import PEOPLE, invite, store
from tests.test_starter_cli import assert_the_example_program_is_written

README = ROOT / "README.md"
# Every page a reader may copy a command from: the front page and the docs it links.
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
NO_SERVER = "127.0.0.1:1"
# The front page's preview, also `make simulate`.
MAKE_SIMULATE = (
    ".venv/bin/python starter.py simulate examples/digital-workplace-2027.yaml --outbox var/outbox --start-date today"
)
PROGRAMS = (".venv/bin/", "make ", "docker-compose ", "python", "temporal ")
NEEDS_A_SERVER = (".venv/bin/temporal ", "docker-compose ")
SUBCOMMAND = re.compile(r"[a-z]+(-[a-z]+)*")
# An unquoted metavariable: COHORT.yaml, DIR, YYYY-MM-DD, H, URL.
METAVARIABLE = re.compile(r"(?<![\w=:/-])[A-Z][A-Z_-]*(\.[a-z]+)?(?=\s|$)")


def readme_commands(text: str) -> list[str]:
    commands = []
    for block in re.findall(r"^ *```sh\n(.*?)^ *```", text, re.MULTILINE | re.DOTALL):
        commands += [line.strip() for line in block.splitlines() if line.strip()]
    prose = re.sub(r"^ *```.*?^ *```", "", text, flags=re.MULTILINE | re.DOTALL)
    for span in re.findall(r"(?<!`)`([^`]+)`(?!`)", prose):
        span = " ".join(span.split())  # a code span may run over a line break
        # A program named alone (`.venv/bin/python`) is a mention, not a command.
        if re.sub(r"^([A-Z_]+=\S+ )+", "", span).startswith(PROGRAMS) and " " in span:
            commands.append(span.replace(r"\|", "|"))  # `\|` is a `|` escaped for a table
    return commands


def tour_step(title: str) -> list[str]:
    """The commands of one step of the README's tour, in the order printed."""
    text = README.read_text()
    found = re.search(rf"^\*\*\d+\. {re.escape(title)}\*\*(.*?)(?=^\*\*\d+\. )", text, re.MULTILINE | re.DOTALL)
    assert found, f"README.md has no tour step {title!r}"
    return readme_commands(found[1])


def printed_commands() -> list[str]:
    """Every command of every page, each once."""
    return sorted({command for page in PAGES for command in readme_commands(page.read_text())})


def is_synopsis(command: str) -> bool:
    unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", "", command.split(" #")[0])
    return bool(re.search(r"[\[|…]", unquoted) or METAVARIABLE.search(unquoted))


def help_prefix(command: str) -> list[str]:
    """The program and subcommands of a synopsis: `.venv/bin/python starter.py validate`."""
    words = command.split()
    prefix, rest = words[:1], words[1:]
    if rest[:1] == ["-m"]:
        prefix, rest = prefix + rest[:2], rest[2:]
    elif rest and rest[0].endswith(".py"):
        prefix, rest = prefix + rest[:1], rest[1:]
    while rest and SUBCOMMAND.fullmatch(rest[0]):
        prefix, rest = prefix + rest[:1], rest[1:]
    return prefix


def how_checked(command: str) -> str:
    if is_synopsis(command):
        return shlex.join([*help_prefix(command), "--help"])
    bare = command.split(" #")[0].strip()
    if bare.startswith("make "):
        return f"make -n {bare.removeprefix('make ')}"
    if bare.startswith(NEEDS_A_SERVER):
        return f"{bare} --help"
    return bare


@pytest.fixture(scope="module")
def after_make_run(tmp_path_factory) -> Path:
    checkout = copy_checkout(tmp_path_factory.mktemp("readme") / "checkout", with_venv=True)
    ensure_key_file(checkout / "var" / "encryption-keys.json")
    ensure_secret_file(checkout / "var" / "codec-token")
    Dovecot(checkout / "var" / "dovecot").prepare()  # the office's mailbox, not running
    # docs/intake.md's participant drops a reply of their own into it.
    (checkout / "reply.eml").write_text("From: lena.weber@example.com\nSubject: Accepted\n\nJa.\n")
    # The tour's participant answers her first invite, which make run has mailed her; the
    # reply it writes may be dropped into the mailbox before or after it is written again.
    store(checkout / "var" / "mail", [invite(1, 0, datetime(2027, 2, 2, 16), "Europe/Berlin", PEOPLE[0], Role.MENTOR)])
    (checkout / "var" / "reply.eml").write_text("From: lena.weber@example.com\nSubject: Declined\n\nNein.\n")
    return checkout


def run(checkout: Path, command: str) -> subprocess.CompletedProcess:
    env = fresh_environment(TEMPORAL_ADDRESS=NO_SERVER)
    return subprocess.run(["bash", "-c", command], cwd=checkout, env=env, capture_output=True, text=True, timeout=120)


def test_the_pages_print_commands_of_every_kind():
    commands = printed_commands()
    checks = {how_checked(c) for c in commands}
    # The extraction finds them all: sh blocks, the ops table, prose, on every page.
    assert ".venv/bin/python ops.py status dw-2027" in checks
    assert ".venv/bin/python starter.py validate --help" in checks
    assert ".venv/bin/python codec_server.py --help" in checks
    assert "make -n run" in checks and "make -n test" in checks
    assert any(c.startswith(".venv/bin/temporal workflow show -w pair:dw-2027:p1 --codec-endpoint") for c in checks)
    assert len(commands) >= 30


def test_the_front_page_prints_the_two_commands_and_the_tour():
    checks = {how_checked(c) for c in readme_commands(README.read_text())}
    assert {"make -n run", "make -n test"} <= checks
    assert ".venv/bin/python starter.py validate examples/digital-workplace-2027.yaml" in checks
    assert any(c.startswith(".venv/bin/python starter.py simulate examples/") for c in checks)
    assert {".venv/bin/python ops.py status dw-2027", ".venv/bin/python ops.py show dw-2027 p1"} <= checks
    assert any(c.startswith(".venv/bin/python ops.py reschedule dw-2027 p1 ") for c in checks)
    # Playing a participant: a reply, into the office's mailbox, shown by ops.py show
    # (tests/test_devstack_run.py runs these on a live stack).
    assert tour_step("Reply to an invite as a participant.") == [
        ".venv/bin/python -m devstack.reply dw-2027 p1 1 mentor declined",
        ".venv/bin/python -m devstack.mailbox --dir var/dovecot --deliver var/reply.eml",
        ".venv/bin/python ops.py show dw-2027 p1",
    ]


def test_every_printed_command_works_as_printed_in_a_fresh_shell(after_make_run):
    commands = printed_commands()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda c: (c, run(after_make_run, how_checked(c))), commands))
    broken = []
    for command, result in results:
        output = result.stdout + result.stderr
        reached_temporal = result.returncode == 1 and "cannot reach Temporal" in output and NO_SERVER in output
        if result.returncode != 0 and not reached_temporal or "Traceback" in output:
            broken.append(f"$ {command}\n(checked as: {how_checked(command)})\nexit {result.returncode}\n{output}")
    assert not broken, "\n\n".join(broken)
    # The tour's preview does what the page says it does: every message of the program.
    previews = [result for command, result in results if command == MAKE_SIMULATE]
    assert len(previews) == 1, f"the pages no longer print make simulate's command: {MAKE_SIMULATE}"
    [preview] = previews
    assert_the_example_program_is_written(after_make_run / "var" / "outbox", preview.stdout)
