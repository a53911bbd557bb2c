"""`make run` (devstack/run.py) as a user runs it: it survives a crashed worker and a
crashed response site, keeps its logs across runs, says truthfully what a re-run started,
mails links that open the site's pages, and refuses a taken port plainly.

The stack runs from a copy of the checkout (its var/ is the copy's) on free ports."""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from devstack import reply
from tests.checkout import ROOT, copy_checkout, fresh_environment
from tests.ports import unused_ports
from tests.test_readme_commands import tour_step
from tests.waiting import eventually_sync

STARTUP_SECONDS = 180  # a dev server, four pairs and their first mails, on two busy cores


class Devstack:
    """`python -m devstack.run` in a checkout, its console collected line by line."""

    def __init__(self, checkout: Path, env: dict[str, str]) -> None:
        self.checkout = checkout
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devstack.run"],
            cwd=checkout,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def console(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = STARTUP_SECONDS) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if found := re.search(pattern, line):
                    return found
            if not self.reader.is_alive():  # it has exited and everything it said is read
                break
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern!r} in the console:\n{self.console}")

    def stop(self) -> int:
        """Ctrl-C, as a user stops it; whatever is left of this checkout's processes is killed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                return self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        kill_processes_in(self.checkout)
        return self.proc.wait()


def kill_processes_in(checkout: Path) -> None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")).is_relative_to(checkout):
                    os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                pass


def subjects(mail_dir: Path) -> list[str]:
    return [
        str(email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Subject"])
        for path in sorted(mail_dir.glob("*.eml"))
    ]


def messages_to(mail_dir: Path, address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]):
            found.append(message)
    return found


def text_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, message["Subject"]
    return part.get_content()


def office_messages(checkout: Path, folder: str = "") -> int:
    """Messages in the office's mailbox (in any folder, or in one: ``.Ignored``)."""
    maildir = checkout / "var" / "dovecot" / "mail" / "office" / "Maildir" / folder
    return sum(1 for path in maildir.rglob("*") if path.parent.name in ("new", "cur") and path.is_file())


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError as error:
        return 0, str(error)


def run_as_printed(checkout: Path, env: dict[str, str], command: str) -> str:
    done = subprocess.run(["bash", "-c", command], cwd=checkout, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, f"$ {command}\n{done.stdout}{done.stderr}"
    return done.stdout


def play_a_participant(checkout: Path, env: dict[str, str]) -> None:
    """The README's tour step, as printed: Lena declines her first session with a reply
    dropped into the office's mailbox; within seconds the pair has it, and her mentee and
    the office are told."""
    mail = checkout / "var" / "mail"
    intake_log = checkout / "var" / "log" / "intake.log"
    assert eventually_sync(lambda: reply.newest_invite(mail, reply.uid_of("dw-2027", "p1", 1)), timeout=120)
    *steps, show = tour_step("Reply to an invite as a participant.")
    for command in steps:
        run_as_printed(checkout, env, command)
    # Session 1's row, its calendars column last; a terminal wide enough to keep it on one line.
    row = re.compile(r"^1 .* invited +0 +mentor declined *$", re.MULTILINE)
    said: list[str] = []

    def shown() -> re.Match | None:
        said.append(run_as_printed(checkout, {**env, "COLUMNS": "200"}, show))
        return row.search(said[-1])

    assert eventually_sync(shown, timeout=30), f"{said[-1]}\n{intake_log.read_text()}"
    assert eventually_sync(lambda: "1 message: 1 recorded" in intake_log.read_text(), timeout=10)
    # The pair sends its notices after the step it is in; on a machine busy with other tests
    # that can take longer than a minute, as the first invite can (above).
    told = eventually_sync(
        lambda: [
            str(m["Subject"]) for m in messages_to(mail, "k.richter@example.com") if "Abgelehnt" in str(m["Subject"])
        ],
        timeout=120,
    )
    assert told and re.match(r"Abgelehnt: Reverse Mentoring, Termin 1 von \d+ am ", told[0]), told
    assert eventually_sync(
        lambda: [
            m
            for m in messages_to(mail, "mentoring@example.com")
            if "Abgelehnt: Termin 1, Tandem p1" in str(m["Subject"])
        ],
        timeout=120,
    )
    # ... and she gets the link to choose a new date.
    assert eventually_sync(
        lambda: [m for m in messages_to(mail, "lena.weber@example.com") if "neuen Termin" in str(m["Subject"])],
        timeout=120,
    )


def test_a_killed_worker_is_restarted_logs_are_kept_and_a_rerun_starts_nothing(tmp_path):
    checkout = copy_checkout(tmp_path / "checkout", with_venv=True)  # the README's .venv/bin/python
    temporal, ui, smtp, codec, site, imap = unused_ports(6)
    env = fresh_environment(
        DEVSTACK_TEMPORAL_PORT=str(temporal), DEVSTACK_UI_PORT=str(ui),
        DEVSTACK_SMTP_PORT=str(smtp), DEVSTACK_CODEC_PORT=str(codec), DEVSTACK_RESPONSE_SITE_PORT=str(site),
        DEVSTACK_IMAP_PORT=str(imap),
    )  # fmt: skip
    worker_log = checkout / "var" / "log" / "worker.log"
    site_url = f"http://localhost:{site}"

    first = Devstack(checkout, env)
    try:
        first.wait_for(r"reverse mentoring is running")
        assert "✓ started cohort 'dw-2027': 4 pair workflows" in first.console
        assert re.search(rf"│ Answers +{re.escape(site_url)} ", first.console), first.console
        site_pid = int(first.wait_for(rf"✓ response site on {re.escape(site_url)} \(pid (\d+)\)")[1])
        assert get(f"{site_url}/healthz")[0] == 200

        # The office has a mailbox, and mail to the cohort's office address lands in it.
        assert f"✓ office mailbox (Dovecot) on 127.0.0.1:{imap}" in first.lines, first.console
        assert f"✓ SMTP inbox on 127.0.0.1:{smtp} (mail to mentoring@example.com: the mailbox)" in first.lines
        assert re.search(rf"│ Office mail +imap://127\.0\.0\.1:{imap} +user office ", first.console), first.console
        assert re.search(r"│ +password in var/dovecot/office-password ", first.console), first.console
        # At 80 columns (a pipe) no phrase of the banner wraps onto a line of its own.
        panel = first.console[first.console.index("╭") : first.console.index("╰")].splitlines()[1:]
        for line in panel:
            inner = line[2:]
            assert not inner.strip() or inner[0].isupper() or inner.startswith(" " * 14), line
        already = office_messages(checkout)
        with smtplib.SMTP("127.0.0.1", smtp) as client:
            client.sendmail("lena.weber@example.com", ["mentoring@example.com"], b"Subject: Accepted\r\n\r\nJa.\r\n")
        assert eventually_sync(lambda: office_messages(checkout) == already + 1, timeout=10)
        # The intake reads it at once (IDLE) and, as it holds no calendar reply, sets it aside.
        assert "✓ intake reading the office mailbox" in first.console
        assert eventually_sync(lambda: office_messages(checkout, ".Ignored") == 1, timeout=30), (
            checkout / "var" / "log" / "intake.log"
        ).read_text()
        # The sweep logs its line after it has moved the message.
        intake_log = checkout / "var" / "log" / "intake.log"
        assert eventually_sync(lambda: "1 message: 1 ignored (no calendar part)" in intake_log.read_text(), timeout=10)
        play_a_participant(checkout, {**env, "TEMPORAL_ADDRESS": f"127.0.0.1:{temporal}"})
        old_pid = int(first.wait_for(r"✓ worker started \(pid (\d+)\)")[1])
        assert eventually_sync(lambda: "worker polling" in worker_log.read_text())
        before = worker_log.read_text()

        os.kill(old_pid, signal.SIGKILL)
        first.wait_for(
            r"^! worker was killed by signal 9 \(SIGKILL\); restarting in 1 s \(restart 1\)\. "
            r"Its log: var/log/worker\.log$",
            timeout=30,
        )
        new_pid = int(first.wait_for(r"✓ worker restarted \(pid (\d+)\)", timeout=30)[1])
        assert new_pid != old_pid and first.proc.poll() is None

        # The old log is kept, the crash and the restart are written into it, and the new worker logs after.
        assert eventually_sync(lambda: worker_log.read_text().count("worker polling") == 2)
        log = worker_log.read_text()
        assert log.startswith(before)
        after = log[len(before) :].splitlines()
        assert re.fullmatch(r"=== .* UTC  make run: worker was killed by signal 9 \(SIGKILL\) ===", after[0])
        assert re.fullmatch(r"=== .* UTC  make run: starting worker \(restart 1\) ===", after[1])

        # Work goes on: an announcement (an update, which needs a worker) reaches all eight participants.
        announced = subprocess.run(
            [sys.executable, "ops.py", "announce", "dw-2027", "--subject", "Nach dem Absturz", "--body", "Alles läuft."],
            cwd=checkout, env={**env, "TEMPORAL_ADDRESS": f"127.0.0.1:{temporal}"},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert announced.returncode == 0, announced.stdout + announced.stderr
        mail = checkout / "var" / "mail"
        assert eventually_sync(lambda: sum("Nach dem Absturz" in s for s in subjects(mail)) == 8), subjects(mail)

        # The site is supervised as the worker is: killed, it is back within seconds.
        os.kill(site_pid, signal.SIGKILL)
        first.wait_for(r"^! site was killed by signal 9 \(SIGKILL\); restarting in 1 s \(restart 1\)\. ", timeout=30)
        first.wait_for(r"✓ site restarted \(pid \d+\)", timeout=30)
        assert eventually_sync(lambda: get(f"{site_url}/healthz")[0] == 200, timeout=30)

        # Ending a pair sends its closing review, whose link opens the site's page for its
        # recipient: the worker writes links to the URL the site serves.
        ended = subprocess.run(
            [sys.executable, "ops.py", "end", "dw-2027", "p1", "--reason", "Neue Aufgaben"],
            cwd=checkout, env={**env, "TEMPORAL_ADDRESS": f"127.0.0.1:{temporal}"},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert ended.returncode == 0, ended.stdout + ended.stderr
        reviews = eventually_sync(
            lambda: [m for m in messages_to(mail, "lena.weber@example.com") if "Abschlussbilanz" in str(m["Subject"])]
        )
        assert len(reviews) == 1, [str(m["Subject"]) for m in messages_to(mail, "lena.weber@example.com")]
        links = re.findall(r"https?://[^\s<>\"]+/a/[A-Za-z0-9._\-]+", text_of(reviews[0]))
        assert links and all(link.startswith(f"{site_url}/a/") for link in links), links
        status, page = get(links[0])
        assert status == 200, page
        assert "Lena" in page and "<form" in page and 'method="post"' in page.lower(), page
        assert "Traceback" not in page
    finally:
        code = first.stop()
    assert code == 0, first.console
    assert first.lines[-1] == "Stopped."
    first_run_log = worker_log.read_text()

    # A second `make run`: the cohort runs already, so nothing is started, and it says so.
    second = Devstack(checkout, env)
    try:
        second.wait_for(r"reverse mentoring is running")
    finally:
        second.stop()
    assert (
        "✓ cohort 'dw-2027' is already running (workflow cohort:dw-2027): nothing started, nobody gets a second email"
    ) in second.lines, second.console
    assert "started cohort" not in second.console
    assert worker_log.read_text().startswith(first_run_log)  # appended, not truncated
    assert (checkout / "var" / "log" / "temporal.log").read_text().count("make run: starting temporal") == 2


def test_taken_port_is_reported_plainly() -> None:
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT leftovers do not count
        try:
            taken.bind(("127.0.0.1", 1025))
            taken.listen()
        except OSError:
            # Already taken by another process: the port is just as taken for this test.
            pass
        proc = subprocess.Popen(
            [sys.executable, "-m", "devstack.run", "--no-worker"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)  # it started after all: let it stop its children
            output, _ = proc.communicate(timeout=30)
            pytest.fail(f"devstack.run did not notice the taken port:\n{output}")
    assert proc.returncode == 1, output
    assert "is already in use" in output
    assert "Traceback" not in output
