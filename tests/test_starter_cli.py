"""The program office's commands, run as they would run them."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from icalendar import Calendar

from devstack.temporal_servers import TEST_KEY_ENV

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "digital-workplace-2027.yaml"


def starter(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "starter.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TEMPORAL_ADDRESS": "127.0.0.1:1", **TEST_KEY_ENV},
    )


def test_validate_accepts_the_example():
    result = starter("validate", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"ok {EXAMPLE}: cohort 'dw-2027' (Digitale Arbeitswelt 2027), 4 pairs, 6 months from 2027-02-02"
    )


def test_validate_says_when_pairs_approve_proposed_times_themselves(tmp_path):
    auto = tmp_path / "cohort.yaml"
    setting = 'proposed_times: {auto_approve: ja, working_hours: "09:00-17:00"}\n'
    auto.write_text(EXAMPLE.read_text().replace("reminder_hours: 24\n", f"reminder_hours: 24\n{setting}"))
    result = starter("validate", str(auto))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        "new times proposed from calendars are approved automatically when both can attend: Monday to Friday, "
        "09:00–17:00 on each participant's clock, at least 48 hours ahead"
    )


def test_validate_lists_every_problem_with_its_place(tmp_path):
    bad = tmp_path / "cohort.yaml"
    bad.write_text(
        EXAMPLE.read_text()
        .replace("duration_months: 6", "duration_months: 7")
        .replace("k.richter@example.com", "k.richter@")
    )
    result = starter("validate", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}: 2 problems; nothing was started." in result.stderr
    assert "duration_months" in result.stderr and "4" in result.stderr and "6" in result.stderr
    assert "pairs[0] (id 'p1') → mentee.email" in result.stderr


def test_missing_file_is_a_message_not_a_traceback(tmp_path):
    result = starter("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nope.yaml" in result.stderr


def test_a_bad_start_date_argument_is_named():
    result = starter("start", str(EXAMPLE), "--start-date", "next tuesday")
    assert result.returncode == 2
    assert (
        "argument --start-date: 'next tuesday' is not a date; write it as YYYY-MM-DD, e.g. 2027-02-01 (or 'today')"
        in result.stderr
    )


def test_start_without_a_server_explains_what_to_do():
    result = starter("start", str(EXAMPLE))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot reach Temporal at 127.0.0.1:1" in result.stderr


def invited_within_a_day(messages: list[EmailMessage]) -> list[EmailMessage]:
    """The invites sent less than the example's 24 reminder hours before their session."""
    found = []
    for message in messages:
        if str(message["X-Mentoring-Kind"]) == "invite":
            part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            start = Calendar.from_ical(part.get_content()).walk("VEVENT")[0].decoded("DTSTART")
            if parsedate_to_datetime(str(message["Date"])) >= start - timedelta(hours=24):
                found.append(message)
    return found


def assert_the_example_program_is_written(outbox: Path, stdout: str) -> None:
    """What ``make simulate``'s command writes: every message of the example's program.
    tests/test_readme_commands.py runs that command as README.md prints it, in a fresh
    shell, and checks its outbox with this (one run of it for both)."""
    files = sorted(outbox.glob("*.eml"))
    messages = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    per_recipient = Counter(str(m["Delivered-To"]) for m in messages)
    # 4 pairs, 8 participants, each with welcome, midpoint and closing plus four messages a
    # session: nobody answers, so every check-in is reminded of.
    assert set(per_recipient) >= {"lena.weber@example.com", "sabine.hoffmann@example.com"}
    kinds = Counter(str(m["X-Mentoring-Kind"]) for m in messages)
    assert kinds["welcome"] == kinds["midpoint_review"] == kinds["closing_review"] == 8
    assert kinds["invite"] == kinds["reflection"] == kinds["check_in_reminder"]
    # A reminder the day before each session, but for those invited within that day (the
    # program starts today: a pair meeting tomorrow), whose invite is the reminder.
    assert kinds["reminder"] == kinds["invite"] - len(invited_within_a_day(messages)) > 0
    # Silence makes every pair quiet (one nudge to both) and then at risk (one alert to
    # the office, besides its completion notice).
    assert (kinds["pair_nudge"], kinds["at_risk_alert"], kinds["completion_notice"]) == (8, 4, 4)
    # And a digest every Monday 08:00 in Berlin from the program's first week on, the
    # last once every pair has finished (a week with nothing in it or ahead has none).
    digests = re.search(r"weekly digests to the program office: (\d+) sent \(Mondays (\S+) to (\S+)\)", stdout)
    assert digests is not None, stdout
    first, last = date.fromisoformat(digests[2]), date.fromisoformat(digests[3])
    assert kinds["weekly_digest"] == int(digests[1]) and first.weekday() == last.weekday() == 0
    assert 0 <= (first - date.today()).days <= 14 and int(digests[1]) > 20
    assert per_recipient["mentoring@example.com"] == 8 + kinds["weekly_digest"]
    assert re.search(rf"\b{len(files)} \.eml files in \S*{outbox.name}\b", stdout), stdout
    assert "0 failed" in stdout
    assert "welcome" in stdout and "lena.weber@" in stdout


def test_simulate_refuses_an_outbox_that_already_holds_mail(tmp_path):
    (tmp_path / "old.eml").write_text("x")
    result = starter("simulate", str(EXAMPLE), "--outbox", str(tmp_path))
    assert result.returncode == 2
    assert "already holds .eml files" in result.stderr


def test_brackets_in_a_cohort_file_are_text_not_markup(tmp_path):
    # Found by the property tests: "[/x]" in a quoted value crashed the error printer (rich markup).
    bad = tmp_path / "cohort.yaml"
    bad.write_text(EXAMPLE.read_text().replace("id: dw-2027", 'id: "[/bad]"'))
    result = starter("validate", str(bad))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "id: '[/bad]' is not a valid id" in result.stderr
    good = tmp_path / "named.yaml"
    good.write_text(EXAMPLE.read_text().replace('"Digitale Arbeitswelt 2027"', '"DW [/x] [bold]2027"'))
    result = starter("validate", str(good))
    assert result.returncode == 0, result.stderr
    assert "(DW [/x] [bold]2027)" in result.stdout


def test_validate_says_what_each_international_address_needs(tmp_path):
    cohort = tmp_path / "cohort.yaml"
    cohort.write_text(
        EXAMPLE.read_text()
        .replace("lena.weber@example.com", "lena.weber@müller.example")
        .replace("k.richter@example.com", "jörg@bücher.example")
    )
    result = starter("validate", str(cohort))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "delivery: 8 of 9 addresses go through any mail server; 1 needs one that offers SMTPUTF8:",
        "  p1 mentor lena.weber@müller.example: international domain, sent as lena.weber@xn--mller-kva.example "
        "(any mail server)",
        "  p1 mentee jörg@bücher.example: non-ASCII before the @, deliverable only by a mail server that offers "
        "SMTPUTF8 (domain sent as xn--bcher-kva.example); elsewhere every message to it is recorded as failed "
        "(never retried) and the program office gets one notice",
    ]


INTERNATIONAL = """\
id: intl-2027
name: "International"
focus: "Digital collaboration"
language: en
program_office: {name: "Programmbüro HR", email: "mentoring@example.com"}
start_date: 2027-02-02
duration_months: 4
cadence: monthly
session: {weekday: tuesday, time: "16:00", length_minutes: 60, location: "Teams"}
pairs:
  - id: p1
    mentor: {name: "Bert Müller", email: "bert@müller.example", timezone: "Europe/Berlin"}
    mentee: {name: "Jörg Groß", email: "jörg.groß@example.com", timezone: "Asia/Tokyo"}
"""


def test_simulate_delivers_to_international_addresses_and_ends(tmp_path):
    # It used to retry the IDN domain's messages for ever, so the preview never ended.
    cohort, outbox = tmp_path / "cohort.yaml", tmp_path / "outbox"
    cohort.write_text(INTERNATIONAL)
    result = starter("simulate", str(cohort), "--outbox", str(outbox), "--start-date", "today")
    assert result.returncode == 0, result.stderr
    assert "0 failed" in result.stdout
    # Headers of an SMTPUTF8 message are UTF-8 (RFC 6532).
    messages = [
        email.message_from_string(f.read_bytes().decode(), policy=email.policy.default) for f in outbox.glob("*.eml")
    ]
    per_recipient = Counter(str(m["Delivered-To"]) for m in messages)
    assert set(per_recipient) == {"bert@xn--mller-kva.example", "jörg.groß@example.com", "mentoring@example.com"}
    assert per_recipient["bert@xn--mller-kva.example"] == per_recipient["jörg.groß@example.com"] > 10
    to_jorg = next(m for m in messages if str(m["Delivered-To"]) == "jörg.groß@example.com")
    assert to_jorg["To"].addresses[0].addr_spec == "jörg.groß@example.com"
    assert "p1 mentee jörg.groß@example.com: non-ASCII before the @" in result.stdout
    assert "(the preview's own inbox offers SMTPUTF8; check that your mail server does)" in result.stdout
