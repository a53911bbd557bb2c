"""The office's emails in a cohort that approves by itself the new times both participants
can attend (``proposed_times``): a proposal that waits says why, in English and German;
one the pair took is a notice with nothing to decide."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from html import unescape

import pytest

from mentoring.cohort import Language, Person, ProposedTimes, Role, WorkingHours
from mentoring.messages import MessageKind
from mentoring.replies import CounterHold, HoldReason
from tests.test_compose import OFFICE, S2, S2_MOVED, full_request, html_of, structure, text_of, to_mentor
from tests.test_invites import BERLIN, KLAUS
from tests.test_reply_emails import COUNTER, LINKS, commands, compose, reply

APPROVED = MessageKind.COUNTER_AUTO_APPROVED
TOKYO = "Asia/Tokyo"
HOLDS = [
    CounterHold(reason=HoldReason.TOO_SOON),
    CounterHold(reason=HoldReason.OUTSIDE_PROGRAM, program_start=date(2026, 3, 3), program_end=date(2026, 7, 3)),
    CounterHold(reason=HoldReason.CLASH, session=3),
    CounterHold(reason=HoldReason.NOT_A_WORKDAY, role=Role.MENTOR, timezone=BERLIN,
                local_start=datetime(2026, 4, 11, 10), local_end=datetime(2026, 4, 11, 11)),
    CounterHold(reason=HoldReason.OUTSIDE_WORKING_HOURS, role=Role.MENTEE, timezone=TOKYO,
                local_start=datetime(2026, 4, 9, 23), local_end=datetime(2026, 4, 10, 0)),
    CounterHold(reason=HoldReason.SESSION_CHANGED),
]  # fmt: skip
# The rules of the cohort's own; a time that breaks only these may still be approved.
AUTO_ONLY = [HOLDS[0], HOLDS[3], HOLDS[4]]
WHY = {
    Language.EN: (
        "This cohort approves a proposed time by itself when both participants can attend it, but not this one:\n"
        "- less than 48 hours ahead\n"
        "- on a Saturday for the mentor (Europe/Berlin), 10:00–11:00 there\n"
        "- outside the mentee's working hours 08:00–18:00 (Asia/Tokyo): 23:00–00:00 there\n\n"
        "Nothing changes until you decide"
    ),
    Language.DE: (
        "Diese Kohorte nimmt eine vorgeschlagene Zeit selbst an, wenn beide Teilnehmenden sie wahrnehmen können, "
        "diese aber nicht:\n"
        "- weniger als 48 Stunden im Voraus\n"
        "- an einem Samstag für den Mentor (Europe/Berlin), dort 10:00–11:00 Uhr\n"
        "- außerhalb der Arbeitszeit des Mentees, 08:00–18:00 Uhr (Asia/Tokyo): dort 23:00–00:00 Uhr\n\n"
        "Bis Sie entscheiden"
    ),
}
# With a rule of every cohort among them, only those are named: nobody can approve it.
CANNOT = {
    Language.EN: (
        "This time cannot be approved as it stands:\n"
        "- outside the program (from Tuesday, 3 March 2026; it ends on Friday, 3 July 2026)\n"
        "- clashes with session 3\n"
        "- the session was moved or cancelled, or has begun, since the proposal\n\n"
        "The session stays as planned"
    ),
    Language.DE: (
        "Diese Zeit kann so nicht angenommen werden:\n"
        "- außerhalb des Programms (ab Dienstag, 3. März 2026; es endet am Freitag, 3. Juli 2026)\n"
        "- überschneidet sich mit Termin 3\n"
        "- der Termin wurde seit dem Vorschlag verschoben oder abgesagt, oder er hat begonnen\n\n"
        "Der Termin bleibt wie geplant"
    ),
}


@pytest.mark.parametrize("language", list(Language))
def test_a_proposal_that_waits_says_every_rule_it_breaks(language: Language) -> None:
    msg = compose(reply(COUNTER, language, counter_holds=AUTO_ONLY))
    assert WHY[language] in text_of(msg)
    html = unescape(html_of(msg))
    for line in WHY[language].split("\n")[1:4]:
        assert f"<li>{line.removeprefix('- ')}</li>" in html
    # Still the office's decision, with its commands.
    assert [c.split()[2] for c in commands(msg)] == ["approve-counter", "refuse-counter", "show"]


@pytest.mark.parametrize("language", list(Language))
def test_a_proposal_nobody_can_approve_names_only_why_and_offers_no_approval(language: Language) -> None:
    msg = compose(reply(COUNTER, language, counter_holds=HOLDS))
    text, html = text_of(msg), unescape(html_of(msg))
    assert CANNOT[language] in text
    assert "This cohort approves" not in text and "Diese Kohorte nimmt" not in text
    for line in CANNOT[language].split("\n")[1:4]:
        assert f"<li>{line.removeprefix('- ')}</li>" in html
    assert [c.split()[2] for c in commands(msg)] == ["refuse-counter", "reschedule", "show"]
    assert "approve-counter" not in text and "approve-counter" not in html


def test_the_working_hours_and_notice_are_the_cohorts_own() -> None:
    request = reply(COUNTER, counter_holds=[HOLDS[0], HOLDS[4]])
    nine = WorkingHours(start=time(9), end=time(18))
    request.program.proposed_times = ProposedTimes(auto_approve=True, notice_hours=72, working_hours=nine)
    text = text_of(compose(request))
    assert "- less than 72 hours ahead\n" in text
    assert "- outside the mentee's working hours 09:00–18:00 (Asia/Tokyo): 23:00–00:00 there\n" in text


@pytest.mark.parametrize("language", list(Language))
def test_without_holds_the_proposal_reads_as_it_always_did(language: Language) -> None:
    text = text_of(compose(reply(COUNTER, language)))
    assert "This cohort approves" not in text and "Diese Kohorte nimmt" not in text


def approved(language: Language = Language.EN, **overrides):
    fields = {"recipient": OFFICE, "note": "mentee", "the_session": S2_MOVED, "moved_from": S2.starts_at,
              "mentee": KLAUS.model_copy(update={"timezone": TOKYO}), **overrides}  # fmt: skip
    return full_request(APPROVED, language, **fields)


def test_the_office_is_told_of_a_time_approved_by_itself_with_nothing_to_decide() -> None:
    request = approved()
    msg = compose(request)
    text = text_of(msg)
    assert msg["Subject"] == 'New time approved automatically: session 2 of pair p1 in "Digital Workplace 2026"'
    # 9 April 17:30 in Berlin (CEST) is 00:30 on the 10th in Tokyo.
    assert (
        "Was:         Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\n"
        "Now:         Thursday, 9 April 2026, 17:30–18:30 (Europe/Berlin)\n\n"
        "On each participant's own clock, within the working hours 08:00–18:00, Monday to Friday:\n"
        "- Lena Weber (mentor): Thursday, 9 April 2026, 17:30–18:30 (Europe/Berlin)\n"
        "- Klaus Richter (mentee): Friday, 10 April 2026, 00:30–01:30 (Asia/Tokyo)\n"
    ) in text
    assert commands(msg) == [
        ".venv/bin/python ops.py show dw26 p1",
        '.venv/bin/python ops.py reschedule dw26 p1 2 --to "YYYY-MM-DD HH:MM"',
    ]
    # A notice: no calendar, no link, nothing to approve or refuse.
    assert structure(msg) == ["multipart/alternative", "text/plain", "text/html"]
    assert LINKS.for_request(request) == {}
    assert "approve-counter" not in text and "refuse-counter" not in text


def test_the_notice_in_german() -> None:
    msg = compose(approved(Language.DE))
    assert msg["Subject"] == "Neue Zeit automatisch angenommen: Termin 2, Tandem p1 in „Digital Workplace 2026“"
    assert (
        "Bisher:            Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\n"
        "Jetzt:             Donnerstag, 9. April 2026, 17:30–18:30 Uhr (Europe/Berlin)\n\n"
        "In der eigenen Zeitzone jeder teilnehmenden Person, innerhalb der Arbeitszeit 08:00–18:00 Uhr, "
        "Montag bis Freitag:\n"
        "- Lena Weber (Mentor): Donnerstag, 9. April 2026, 17:30–18:30 Uhr (Europe/Berlin)\n"
        "- Klaus Richter (Mentee): Freitag, 10. April 2026, 00:30–01:30 Uhr (Asia/Tokyo)\n"
    ) in text_of(msg)


def test_the_time_it_moved_from_keeps_the_sessions_length_across_the_clock_change() -> None:
    # Before Berlin's change on 29 March (CET), moved to after it (CEST): both at 16:00.
    before = datetime(2026, 3, 24, 15, 0, tzinfo=UTC)
    text = text_of(compose(approved(moved_from=before, the_session=S2)))
    assert "Was:         Tuesday, 24 March 2026, 16:00–17:00 (Europe/Berlin)\n" in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"recipient": to_mentor()}, "counter_auto_approved message .* goes to the program office"),
        ({"moved_from": None}, "counter_auto_approved message .* needs moved_from"),
        ({"note": None}, "counter_auto_approved message .* needs note"),
        ({"the_session": None}, "counter_auto_approved message .* needs session"),
    ],
)
def test_the_notice_needs_what_it_shows_and_goes_to_the_office_only(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compose(approved(**overrides))


@pytest.mark.parametrize("language", list(Language))
def test_names_are_escaped_in_the_notice(language: Language) -> None:
    scripted = Person(name="<script>alert(1)</script> & Co", email="klaus.richter@example.com", timezone=TOKYO)
    html = html_of(compose(approved(language, mentee=scripted)))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_a_delivery_failure_names_the_notice() -> None:
    labels = {}
    for language in Language:
        request = full_request(MessageKind.DELIVERY_FAILURE_NOTICE, language)
        request.failure = request.failure.model_copy(update={"kind": APPROVED})
        labels[language] = re.search(r"^(?:Message|Nachricht): (.+)$", text_of(compose(request)), re.M).group(1)
    assert labels == {
        Language.EN: "notice of a proposed time approved automatically",
        Language.DE: "Mitteilung über eine automatisch angenommene neue Zeit",
    }
