"""``starter.py simulate --responses FILE``, run as the program office runs it: who
answers what, and the health, nudges and alerts that follow, in the summary and in the
outbox. The outbox is checked in process (tests/outbox_checks.py, the invariants of the
four-parser ``check-outbox`` tool, and its ``--window``: every invited session inside
the program)."""

from __future__ import annotations

import email
import email.policy
import tempfile
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring.answers import AnswerView
from mentoring.plan import add_months
from mentoring_service.cli.simulated_answers import first_free_date
from tests import outbox_checks
from tests.test_starter_cli import EXAMPLE, ROOT, starter

EXAMPLE_RESPONSES = ROOT / "examples" / "digital-workplace-2027-responses.yaml"
HEALTH_TITLE = "Pair health at the end of the program"


def weekday_in(year: int, month: int, weekday: int) -> date:
    """The first ``weekday`` (Monday 0) of that month."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def next_year(month: int, weekday: int) -> date:
    return weekday_in(date.today().year + 1, month, weekday)


def simulate(tmp_path: Path, cohort: Path, start: date, responses: Path | None = None):
    outbox = tmp_path / "outbox"
    extra = ["--responses", str(responses)] if responses else []
    result = starter("simulate", str(cohort), "--outbox", str(outbox), "--start-date", start.isoformat(), *extra)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result, outbox


def health_rows(stdout: str) -> dict[str, list[str]]:
    """pair -> health, why, sessions held, not held, nudges, alerts (as printed)."""
    rows = {}
    for line in stdout.split(HEALTH_TITLE, 1)[1].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if line.startswith("│") and len(cells) == 7:
            rows[cells[0]] = cells[1:]
    return rows


def mail(outbox: Path) -> Mail:
    """(kind, pair, recipient, message) of every delivered .eml."""
    found = []
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        kind, pair = str(message["X-Mentoring-Kind"]), str(message["X-Mentoring-Pair"])
        found.append((kind, pair, str(message["Delivered-To"]), message))
    return found


Mail = list[tuple[str, str, str, email.message.EmailMessage]]


def sent(messages: Mail, *kinds: str) -> Counter[tuple[str, str, str]]:
    return Counter((kind, pair, to) for kind, pair, to, _ in messages if kind in kinds)


def assert_calendars_read_alike_inside_the_program(
    box: outbox_checks.Outbox, messages: Mail, start: date, months: int
) -> None:
    assert box.problems == []
    requests = [i for i in box.invites if i.method == "REQUEST"]
    assert requests
    end = add_months(start, months)
    outside = [i for i in requests if not start <= (i.local or i.starts).date() <= end]
    assert outside == []
    assert len({m["Message-ID"] for _, _, _, m in messages}) == len(box.messages)


# ------------------------------------------------------------------ the example


def test_the_example_script_previews_health_nudges_and_alerts(tmp_path):
    start = next_year(2, weekday=1)  # a Tuesday in February: 13 sessions every two weeks
    result, outbox = simulate(tmp_path, EXAMPLE, start, EXAMPLE_RESPONSES)
    # Each read once: reading the outbox again took a third of the test's time.
    messages, box = mail(outbox), outbox_checks.read(outbox)
    assert health_rows(result.stdout) == {
        "p1": ["healthy", "sessions are held", "13 of 13", "0", "0", "0"],
        # Session 4 missed: quiet, one nudge; session 5 held again.
        "p2": ["healthy", "sessions are held", "12 of 13", "1", "1", "0"],
        # Silent from session 9: quiet (a nudge), then at risk (the office hears once).
        "p3": ["at_risk", "sessions 12 and 13 were not held", "8 of 13", "5", "1", "1"],
        # A low midpoint review alerts the office; the sessions held after it make it healthy.
        "p4": ["healthy", "sessions are held", "13 of 13", "0", "0", "1"],
    }
    assert "note:" not in result.stdout
    p2, p3 = (
        ("jonas.becker@example.com", "sabine.hoffmann@example.com"),
        ("aylin.yilmaz@example.com", "m.schaefer@example.com"),
    )
    office, p4_mentee = "mentoring@example.com", "u.koenig-brandt@example.com"
    assert sent(messages, "pair_nudge", "at_risk_alert", "new_date_chosen", "check_in_reminder") == Counter(
        {
            **{("pair_nudge", "p2", to): 1 for to in p2},
            **{("pair_nudge", "p3", to): 1 for to in p3},
            # Sessions 9 to 13 of p3: nobody checked in.
            **{("check_in_reminder", "p3", to): 5 for to in p3},
            ("at_risk_alert", "p3", office): 1,
            ("at_risk_alert", "p4", office): 1,
            # The mentor of p4 asked for a new date for session 5: the mentee hears.
            ("new_date_chosen", "p4", p4_mentee): 1,
        }
    )
    alert = next(m for kind, pair, _, m in messages if (kind, pair) == ("at_risk_alert", "p4"))
    text = alert.get_body(("plain",)).get_content()
    assert "ops.py show dw-2027 p4" in text and "Zwischenbilanz des Mentees" in text

    # Session 5 of p4 moved to the first date the check-in page offers, the next working
    # day: invited anew (SEQUENCE 1), which within a day of it is its reminder, and
    # prompted at the new time as well.
    moved = datetime.combine(start + timedelta(weeks=8, days=1), time(16))
    invites = [i for i in box.invites if "p4-session-5" in i.uid and i.sequence == 1]
    assert sorted((i.recipient, i.local) for i in invites) == [("tim.nguyen@example.com", moved), (p4_mentee, moved)]
    p4 = Counter(kind for kind, pair, _, _ in messages if pair == "p4")
    assert (p4["reminder"], p4["reflection"]) == (2 * 13, 2 * 14)
    assert_calendars_read_alike_inside_the_program(box, messages, start, 6)


def test_without_responses_nobody_answers(tmp_path):
    cohort = write_cohort(tmp_path, "quiet-2027", months=4, cadence="biweekly", pairs={"solo": "Europe/Berlin"})
    start = next_year(3, weekday=0)
    result, outbox = simulate(tmp_path, cohort, start)
    sessions = sessions_in(start, 4, weeks=2)
    why = f"sessions {sessions - 1} and {sessions} were not held"
    assert health_rows(result.stdout) == {"solo": ["at_risk", why, f"0 of {sessions}", str(sessions), "1", "1"]}
    people = ("mentor-solo@example.com", "mentee-solo@example.com")
    assert sent(mail(outbox), "pair_nudge", "at_risk_alert", "check_in_reminder") == Counter(
        {
            **{("check_in_reminder", "solo", to): sessions for to in people},
            **{("pair_nudge", "solo", to): 1 for to in people},
            ("at_risk_alert", "solo", "office@example.com"): 1,
        }
    )


# ------------------------------------------------------------------ other cohorts


def write_cohort(folder: Path, cohort_id: str, *, months: int, cadence: str, pairs: dict[str, str]) -> Path:
    """English, Mondays at 09:00 in each pair's zone."""
    listed = "".join(
        f"""  - id: {pair_id}
    mentor: {{name: "Mentor {pair_id}", email: "mentor-{pair_id}@example.com", timezone: "{zone}"}}
    mentee: {{name: "Mentee {pair_id}", email: "mentee-{pair_id}@example.com", timezone: "{zone}"}}
"""
        for pair_id, zone in pairs.items()
    )
    path = folder / f"{cohort_id}.yaml"
    path.write_text(
        f"""id: {cohort_id}
name: "Preview {cohort_id}"
focus: "Working in the open"
language: en
program_office: {{name: "Program Office", email: "office@example.com"}}
start_date: 2030-01-07
duration_months: {months}
cadence: {cadence}
session: {{weekday: monday, time: "09:00", length_minutes: 45, location: "Zoom"}}
pairs:
{listed}""",
        encoding="utf-8",
    )
    return path


def sessions_in(start: date, months: int, weeks: int) -> int:
    """Sessions from a start on the pair's weekday, every ``weeks``, before the end."""
    return len(range(0, (add_months(start, months) - start).days, 7 * weeks))


def test_a_weekly_cohort_in_four_zones(tmp_path):
    zones = {
        "silent": "Asia/Tokyo",
        "flaky": "America/Los_Angeles",
        "moves": "Europe/Berlin",
        "split": "Australia/Sydney",
    }
    cohort = write_cohort(tmp_path, "weekly-2030", months=4, cadence="weekly", pairs=zones)
    responses = tmp_path / "responses.yaml"
    responses.write_text(
        """\
default: met
pairs:
  silent: {default: none}
  flaky:
    sessions: {2: not_met, 3: met, 4: Not-Met}
  moves:
    sessions: {3: {mentee: new_date}}
  split:
    sessions:
      2: {mentor: met, mentee: not_met}
    reviews:
      closing:
        mentee: {career: 1, recommend: 3, keep_meeting: nein, comment: "Not for me."}
""",
        encoding="utf-8",
    )
    start = next_year(3, weekday=0)
    result, outbox = simulate(tmp_path, cohort, start, responses)
    n = sessions_in(start, 4, weeks=1)
    assert health_rows(result.stdout) == {
        "silent": ["at_risk", f"sessions {n - 1} and {n} were not held", f"0 of {n}", str(n), "1", "1"],
        # Both said "we didn't meet", so each missed session counts at once: two weeks
        # apart, a nudge each (at most one a week).
        "flaky": ["healthy", "sessions are held", f"{n - 2} of {n}", "2", "2", "0"],
        # Session 3 moved to the next day, and held there.
        "moves": ["healthy", "sessions are held", f"{n} of {n}", "0", "0", "0"],
        # They disagreed on session 2, which counts as held. After the closing review
        # nobody is nudged any more, but a low closing review still alerts the office.
        "split": ["at_risk", "a rating of 2 or lower in the mentee's closing review", f"{n} of {n}", "0", "0", "1"],
    }
    assert "note:" not in result.stdout
    messages, box = mail(outbox), outbox_checks.read(outbox)
    kinds = sent(messages, "pair_nudge", "at_risk_alert", "new_date_chosen")
    moved = [i for i in box.invites if "moves-session-3" in i.uid and i.sequence == 1]
    assert {i.local for i in moved} == {datetime.combine(start + timedelta(weeks=2, days=1), time(9))}
    assert kinds == Counter(
        {
            ("pair_nudge", "silent", "mentor-silent@example.com"): 1,
            ("pair_nudge", "silent", "mentee-silent@example.com"): 1,
            ("at_risk_alert", "silent", "office@example.com"): 1,
            ("pair_nudge", "flaky", "mentor-flaky@example.com"): 2,
            ("pair_nudge", "flaky", "mentee-flaky@example.com"): 2,
            ("at_risk_alert", "split", "office@example.com"): 1,
            # The mentee asked for the new date: the mentor hears.
            ("new_date_chosen", "moves", "mentor-moves@example.com"): 1,
        }
    )
    assert_calendars_read_alike_inside_the_program(box, messages, start, 4)


# ------------------------------------------------------------------ a file with mistakes


def test_every_mistake_in_the_file_is_named_and_nothing_starts(tmp_path):
    responses = tmp_path / "responses.yaml"
    responses.write_text(
        """\
default: yes
pairs:
  p1:
    sessions:
      3: nonee
      14: met
      5: {mentor: new_date, mentee: met}
    reviews:
      midpoint:
        mentor: {career: 6, focus_progres: 3, recommend: 9}
  p9: {}
""",
        encoding="utf-8",
    )
    outbox = tmp_path / "outbox"
    start = next_year(2, weekday=1)
    result = starter(
        "simulate", str(EXAMPLE), "--outbox", str(outbox), "--start-date", start.isoformat(),
        "--responses", str(responses),
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert not outbox.exists()  # nothing started
    f = str(responses)
    assert result.stderr.splitlines() == [
        f"error: {f}: 8 problems; nothing was started.",
        f"  - {f} line 1: default: unknown answer 'yes'; use one of: met, not_met or none",
        f"  - {f} line 5: pairs.p1.sessions.3: unknown answer 'nonee' (did you mean 'none'?); use one of: met, "
        "not_met, new_date or none",
        f"  - {f} line 6: pairs.p1.sessions.14: is not a session of this pair: its plan has sessions 1 to 13",
        f"  - {f} line 7: pairs.p1.sessions.5: when one asks for a new date, the other does not answer that "
        "time; leave the other out",
        f"  - {f} line 10: pairs.p1.reviews.midpoint.mentor.focus_progres: unknown key 'focus_progres'; did you "
        "mean 'focus_progress'?",
        f"  - {f} line 10: pairs.p1.reviews.midpoint.mentor.recommend: 'recommend' belongs to the closing "
        "review, not the midpoint review",
        f"  - {f} line 10: pairs.p1.reviews.midpoint.mentor.career: must be from 1 to 5, but it is 6",
        f"  - {f} line 11: pairs.p9: the cohort has no pair 'p9'; its pairs are p1, p2, p3, p4",
    ]


def test_a_missing_responses_file_is_a_message(tmp_path):
    result = starter("simulate", str(EXAMPLE), "--outbox", str(tmp_path / "o"), "--responses", "nope.yaml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nope.yaml: file not found" in result.stderr


# ------------------------------------------------------------------ any script


ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo", "UTC"]
ANSWERS = st.sampled_from(["met", "not_met", "none"])
# A review: who, which rating, how much; or no review at all.
REVIEW = st.none() | st.tuples(
    st.sampled_from(["mentor", "mentee"]),
    st.sampled_from(["career", "psychosocial", "emotional", "focus_progress"]),
    st.integers(1, 5),
)


def expected_health(answers: list[str], midpoint: tuple | None, closing: tuple | None, before_midpoint: int) -> str:
    """The rule as the program office reads it, written apart from the code: at risk when
    a review since the last held session rated something 2 or lower, or the latest two
    sessions were not held; quiet when the latest was not held."""
    held = [i for i, answer in enumerate(answers) if answer == "met"]
    # The midpoint review comes after the first ``before_midpoint`` sessions, the closing after all.
    midpoint_counts = not held or held[-1] < before_midpoint
    if (midpoint and midpoint_counts and midpoint[2] <= 2) or (closing and closing[2] <= 2):
        return "at_risk"
    if answers[-1] != "met" and answers[-2] != "met":
        return "at_risk"
    return "quiet" if answers[-1] != "met" else "healthy"


def review_yaml(stage: str, review: tuple | None) -> str:
    if review is None:
        return ""
    role, rating, value = review
    return f"      {stage}: {{{role}: {{{rating}: {value}}}}}\n"


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts=st.lists(st.tuples(st.lists(ANSWERS, min_size=9, max_size=9), REVIEW, REVIEW), min_size=6, max_size=6))
def test_the_health_printed_is_the_health_the_answers_make(scripts):
    start = next_year(3, weekday=0)
    sessions, days = sessions_in(start, 4, weeks=2), (add_months(start, 4) - start).days
    assert sessions == 9
    before_midpoint = len(range(0, days // 2, 14))
    pairs = {f"p{i}": ZONES[i] for i in range(len(scripts))}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        cohort = write_cohort(folder, "any-2030", months=4, cadence="biweekly", pairs=pairs)
        listed = "".join(
            f"  p{i}:\n    sessions: {{{', '.join(f'{n + 1}: {a}' for n, a in enumerate(answers))}}}\n"
            + (f"    reviews:\n{review_yaml('midpoint', mid)}{review_yaml('closing', end)}" if mid or end else "")
            for i, (answers, mid, end) in enumerate(scripts)
        )
        responses = folder / "responses.yaml"
        responses.write_text(f"pairs:\n{listed}", encoding="utf-8")
        result, outbox = simulate(folder, cohort, start, responses)
        rows = health_rows(result.stdout)
        messages = mail(outbox)
        nudges = Counter(pair for kind, pair, _, _ in messages if kind == "pair_nudge")
        alerts = Counter(pair for kind, pair, _, _ in messages if kind == "at_risk_alert")
    for i, (answers, mid, end) in enumerate(scripts):
        health, _, held, not_held, nudged, alerted = rows[f"p{i}"]
        assert health == expected_health(answers, mid, end, before_midpoint), (answers, mid, end, rows[f"p{i}"])
        assert (held, not_held) == (f"{answers.count('met')} of {sessions}", str(sessions - answers.count("met")))
        # What the summary counts is what the outbox holds: a nudge to both, an alert to the office.
        assert (nudges[f"p{i}"], alerts[f"p{i}"]) == (2 * int(nudged), int(alerted))


def test_a_new_date_is_the_first_the_check_in_page_offers_or_none():
    view = AnswerView(
        open=True, language="en", first_name="Lena", partner_first_name="Klaus", email="l@example.com",
        partner_email="k@example.com", partner_role="mentee", own_timezone="Europe/Berlin", focus="x",
        cadence="biweekly", weekday="tuesday", local_time="16:00", length_minutes=60, rhythm_anchor="2027-03-02",
        program_end="2027-08-02", taken_days=["2027-03-02", "2027-03-16", "2027-03-30"], pair_timezone="Europe/Berlin",
    )  # fmt: skip
    prompted = datetime(2027, 3, 16, 18, tzinfo=UTC)  # the evening of session 2, a Tuesday
    assert first_free_date(view, prompted) == datetime(2027, 3, 17, 16)
    ended = view.model_copy(update={"program_end": "2027-03-17"})
    assert first_free_date(ended, prompted) is None
