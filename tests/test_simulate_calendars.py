"""``starter.py validate`` and ``simulate`` on a cohort in zones of five continents whose
sessions fall on daylight-saving changes, started on a 5th Sunday with a monthly
cadence. Every delivered invite is checked in process (tests/outbox_checks.py): the
four-parser ``check-outbox`` tool needs the network to install its parsers, so the
suite asserts the same invariants with icalendar and its own rule evaluation."""

from __future__ import annotations

import calendar
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from devstack.temporal_servers import TEST_KEY_ENV
from mentoring.plan import add_months
from tests import outbox_checks
from tests.checkout import ROOT
from tests.test_starter_cli import starter

# pair id -> (meeting zone, local time, mentor zone)
PAIRS = {
    "berlin": ("Europe/Berlin", "02:30", "America/New_York"),
    "london": ("Europe/London", "01:30", "Europe/London"),
    "tokyo": ("Asia/Tokyo", "09:00", "Asia/Kolkata"),
    "sydney": ("Australia/Sydney", "02:30", "Australia/Sydney"),
    "santiago": ("America/Santiago", "10:00", "America/Sao_Paulo"),
    "nairobi": ("Africa/Nairobi", "12:00", "Africa/Lagos"),
}


def last_sunday(year: int, month: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - 6) % 7)


def fifth_sunday_of_october(after: date) -> date:
    """Europe's clocks go back on the last Sunday of October; here it is also the 5th."""
    year = after.year + 1
    while last_sunday(year, 10).day < 29:
        year += 1
    return last_sunday(year, 10)


def write_cohort(folder: Path) -> tuple[Path, date]:
    start = fifth_sunday_of_october(date.today())
    pairs = "".join(
        f"""  - id: {pair_id}
    mentor: {{name: "Mentor {pair_id} Ünal", email: "mentor-{pair_id}@example.com", timezone: "{mentor_zone}"}}
    mentee: {{name: "Mentee {pair_id} Øster", email: "mentee-{pair_id}@example.com", timezone: "{zone}"}}
    time: "{at}"
"""
        for pair_id, (zone, at, mentor_zone) in PAIRS.items()
    )
    path = folder / "cohort.yaml"
    path.write_text(
        f"""id: dst-{start.year}
name: "Zeitumstellung {start.year}"
focus: "Digitale Zusammenarbeit"
language: de
program_office: {{name: "Programmbüro", email: "office@example.com"}}
start_date: {start.isoformat()}
duration_months: 6
cadence: monthly
session: {{weekday: sonntag, time: "16:00", length_minutes: 60, location: "Teams"}}
pairs:
{pairs}""",
        encoding="utf-8",
    )
    return path, start


def expected_notes(start: date) -> list[str]:
    spring = last_sunday(start.year + 1, 3)
    return [
        (
            f"pair berlin, session 1: 02:30 happens twice on {start} in Europe/Berlin (clocks go back); "
            "the session is at the first 02:30 (CEST, UTC+02:00)"
        ),
        (
            f"pair berlin, session 6: 02:30 does not exist on {spring} in Europe/Berlin (clocks go forward); "
            "the session starts at 03:30"
        ),
        (
            f"pair london, session 1: 01:30 happens twice on {start} in Europe/London (clocks go back); "
            "the session is at the first 01:30 (BST, UTC+01:00)"
        ),
        (
            f"pair london, session 6: 01:30 does not exist on {spring} in Europe/London (clocks go forward); "
            "the session starts at 02:30"
        ),
    ]


def test_validate_names_the_sessions_on_a_clock_change(tmp_path):
    path, start = write_cohort(tmp_path)
    result = starter("validate", str(path))
    assert result.returncode == 0, result.stderr
    assert "note: 4 sessions fall on a daylight-saving change" in result.stdout
    for note in expected_notes(start):
        assert f"  - {note}\n" in result.stdout


def test_validate_names_each_session_on_one_line_through_an_80_column_pipe(tmp_path):
    path, start = write_cohort(tmp_path)
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "80", "TEMPORAL_ADDRESS": "127.0.0.1:1", **TEST_KEY_ENV}
    result = subprocess.run(
        [sys.executable, "starter.py", "validate", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == f"ok {path}: cohort 'dst-{start.year}' (Zeitumstellung {start.year}), 6 pairs, 6 months from {start}"
    )
    for note in expected_notes(start):
        assert f"  - {note}" in lines, result.stdout


def test_simulate_sends_invites_every_reader_reads_alike_on_each_recipients_clock(tmp_path):
    path, start = write_cohort(tmp_path)
    outbox = tmp_path / "outbox"
    result = starter("simulate", str(path), "--outbox", str(outbox))
    assert result.returncode == 0, result.stderr
    for note in expected_notes(start):
        assert f"  - {note}\n" in result.stdout

    box = outbox_checks.read(outbox)
    assert box.problems == []
    zone_of = {f"mentee-{p}@example.com": z for p, (z, _, _) in PAIRS.items()}
    zone_of |= {f"mentor-{p}@example.com": m for p, (_, _, m) in PAIRS.items()}
    end = add_months(start, 6)
    spring = last_sunday(start.year + 1, 3)
    shifted = {("berlin", spring): time(3, 30), ("london", spring): time(2, 30)}

    requests = [i for i in box.invites if i.method == "REQUEST"]
    assert len({i.uid for i in requests}) == 6 * 6
    for invite in requests:
        pair_id = invite.uid.split(":")[2].split("-session-")[0]
        zone, at, _ = PAIRS[pair_id]
        local = invite.starts.astimezone(ZoneInfo(zone))
        # Inside the program, on the last Sunday of each month, at the pair's time or the documented shift.
        assert start <= local.date() < end and local.date() == last_sunday(local.year, local.month), invite
        expected = shifted.get((pair_id, local.date()), datetime.strptime(at, "%H:%M").time())
        assert local.time() == expected, invite
        # The meeting zone stays in the file, except for a time a clock change touches: its
        # own fixed offset (the first one in a fold, the one before a gap), or UTC for zero.
        touched = (local.date() == start and pair_id in ("berlin", "london")) or (pair_id, local.date()) in shifted
        offsets = {"berlin": ("UTC+02:00", "UTC+01:00"), "london": ("UTC+01:00", None)}.get(pair_id, ())
        assert invite.tzid == zone or (touched and invite.tzid == offsets[local.date() != start]), invite
        # As asked, whatever the clock: no calendar check sees daylight-saving drift.
        assert (invite.local or invite.starts.replace(tzinfo=None)).strftime("%H:%M") == at, invite

    starts_by_recipient: dict[str, set[datetime]] = {}
    for invite in requests:
        starts_by_recipient.setdefault(invite.recipient, set()).add(invite.starts)
    timed = 0
    for name, message in box.messages:
        recipient = message["To"].addresses[0].addr_spec
        if str(message["X-Mentoring-Kind"]) not in ("invite", "reminder", "invite_cancel"):
            continue
        hhmm, zone = outbox_checks.subject_time(message) or ("", "")
        # Every time a participant reads is on their own clock, with their zone named.
        assert zone == zone_of[recipient], (name, message["Subject"])
        assert hhmm in {outbox_checks.shown_on(s, zone) for s in starts_by_recipient[recipient]}, name
        assert f"{hhmm}" in message.get_body(("plain",)).get_content()
        timed += 1
    assert timed > 100


def israel_spring_forward(after: date) -> date:
    """Israel puts its clocks forward on a Friday (02:00 to 03:00), a working day."""
    zone, day = ZoneInfo("Asia/Jerusalem"), after + timedelta(days=1)
    while datetime.combine(day, time(12), zone).utcoffset() == datetime.combine(day, time(0), zone).utcoffset():
        day += timedelta(days=1)
    return day


def test_simulate_names_a_session_a_new_date_moved_onto_a_clock_change(tmp_path):
    """A pair meets on Thursdays at 02:30; the Thursday before the change its mentor
    needs a new date, and the page offers the next working day: the Friday whose 02:30
    the clocks skip. The preview's notes name it too, not only the plan's."""
    friday = israel_spring_forward(date.today() + timedelta(days=30))
    start = friday - timedelta(days=22)  # a Thursday three weeks before, the first session
    path = tmp_path / "cohort.yaml"
    path.write_text(
        f"""id: levant
name: "Levant"
focus: "Digital collaboration"
language: en
program_office: {{name: "Office", email: "office@example.com"}}
start_date: {start}
duration_months: 4
cadence: weekly
session: {{weekday: thursday, time: "02:30", length_minutes: 60, location: "Online"}}
pairs:
  - id: p1
    mentor: {{name: "Noa Levi", email: "noa@example.com", timezone: "Asia/Jerusalem"}}
    mentee: {{name: "Dana Cohen", email: "dana@example.com", timezone: "Europe/Berlin"}}
    meeting_timezone: Asia/Jerusalem
""",
        encoding="utf-8",
    )
    responses = tmp_path / "responses.yaml"
    responses.write_text("default: met\npairs:\n  p1:\n    sessions:\n      4: new_date\n", encoding="utf-8")
    outbox = tmp_path / "outbox"
    result = starter("simulate", str(path), "--outbox", str(outbox), "--responses", str(responses))
    assert result.returncode == 0, result.stderr
    note = (
        f"  - pair p1, session 4 (moved): 02:30 does not exist on {friday} in Asia/Jerusalem "
        "(clocks go forward); the session starts at 03:30"
    )
    assert note in result.stdout.splitlines(), result.stdout
    assert outbox_checks.read(outbox).problems == []
