"""What operations report and in which order their messages arrive: one numbering for
ops and emails, welcomes before invites, and results that count what is sent."""

from __future__ import annotations

import re
from datetime import timedelta

from mentoring.cohort import Person, Role, Weekday
from mentoring.operations import (
    CancelSession,
    ChangeRhythm,
    EndProgram,
    ExtendProgram,
    ReplaceParticipant,
    RescheduleSession,
    SessionChangeKind,
    WithdrawParticipant,
)
from mentoring.state import SessionStatus
from tests.program_harness import ProgramHarness
from workflows.agenda import active_sessions, position
from workflows.pair import PairProgramWorkflow

MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"
NEWCOMER = "ines.brandt@example.com"
NUMBER = re.compile(r"session (\d+)(?: of (\d+))?")


def subject_numbers(program: ProgramHarness, email: str, kind: str) -> list[tuple[int, int | None]]:
    found = []
    for received in program.received(email):
        if received.kind == kind:
            body = received.message.get_body(("plain",)).get_content()
            match = NUMBER.search(str(received.message["Subject"])) or NUMBER.search(body)
            assert match, received.message["Subject"]
            found.append((int(match[1]), int(match[2]) if match[2] else None))
    return found


async def test_ops_show_and_emails_number_sessions_alike_in_time_order(program):
    state = await program.start_tomorrow()
    # Move the 2nd session behind the 4th, then change the rhythm: numbers follow time order.
    second, fourth = active_sessions(state)[1], active_sessions(state)[3]
    moved_to = fourth.local_start + timedelta(days=1)
    result = await program.update(
        PairProgramWorkflow.reschedule_session,
        RescheduleSession(request_id="r", session_number=2, new_local_start=moved_to),
    )
    assert [(c.session_number, c.change, c.local_start) for c in result.sessions] == [
        (4, SessionChangeKind.MOVED, moved_to)
    ]
    result = await program.update(
        PairProgramWorkflow.change_rhythm, ChangeRhythm(request_id="c", weekday=Weekday.THURSDAY)
    )
    state = await program.state()
    active = active_sessions(state)
    assert [c.session_number for c in result.sessions] == sorted(c.session_number for c in result.sessions)
    for change in result.sessions:
        if change.change != SessionChangeKind.CANCELLED:
            assert active[change.session_number - 1].local_start == change.local_start
    # The office's session 4 is the moved one, and the emails call it session 4 of N.
    assert [position(state, s) for s in active] == list(range(1, len(active) + 1))
    assert next(s for s in active if s.uid == second.uid).local_start == moved_to
    await program.advance(timedelta(days=30))
    state = await program.state()
    total = len(active_sessions(state))
    reminders = subject_numbers(program, MENTEE, "reminder")
    assert reminders and all(of == total for _, of in reminders)
    assert [n for n, _ in reminders] == sorted(n for n, _ in reminders)
    # The reminder for the moved session names the number ops.py show gives it.
    moved = next(s for s in state.sessions if s.uid == second.uid)
    assert any(n == position(state, moved) for n, _ in reminders)


async def test_cancellations_keep_the_number_they_had_and_name_no_total(program):
    state = await program.start_tomorrow()
    third = active_sessions(state)[2]
    for request_id, place in (("x", 2), ("y", 1)):
        await program.update(
            PairProgramWorkflow.cancel_session,
            CancelSession(request_id=request_id, session_number=place, reason="Betriebsversammlung"),
        )
    await program.settle()
    state = await program.state()
    # Sessions 2 and 1 were cancelled (in that order); the emails name them so, with no "of N".
    assert subject_numbers(program, MENTOR, "invite_cancel") == [(2, None), (1, None)]
    assert [s.cancelled_as for s in state.sessions[:2]] == [1, 2]
    assert position(state, next(s for s in state.sessions if s.uid == third.uid)) == 1


async def test_newcomers_are_welcomed_before_their_invites(program):
    await program.start_tomorrow()
    # Straight replacement, and replacement after a withdrawal (the pair re-plans).
    await program.update(
        PairProgramWorkflow.replace_participant,
        ReplaceParticipant(
            request_id="a",
            role=Role.MENTEE,
            reason="Nachfolge",
            person=Person(name="Ines Brandt", email=NEWCOMER, timezone="Europe/Berlin"),
        ),
    )
    await program.update(
        PairProgramWorkflow.withdraw_participant, WithdrawParticipant(request_id="b", role=Role.MENTOR, reason="left")
    )
    second = "jonas.beck@example.com"
    await program.update(
        PairProgramWorkflow.replace_participant,
        ReplaceParticipant(
            request_id="c",
            role=Role.MENTOR,
            reason="Nachfolge",
            person=Person(name="Jonas Beck", email=second, timezone="America/New_York"),
        ),
    )
    await program.settle()
    for email in (NEWCOMER, second):
        kinds = program.kinds(email)
        assert kinds[0] == "welcome" and "invite" in kinds, (email, kinds)


async def test_end_counts_what_it_sends_and_notes_no_longer_program(program):
    await program.start_tomorrow(months=6)
    extended = await program.update(PairProgramWorkflow.extend, ExtendProgram(request_id="e", weeks=8))
    assert extended.beyond_six_months
    await program.settle()
    before = len(program.smtp.handler.received)
    ended = await program.update(PairProgramWorkflow.end_program, EndProgram(request_id="end", reason="Umbau"))
    await program.finish()
    sent = program.smtp.handler.received[before:]
    # Two cancellations (both invited sessions), the closing review to both, and the office's notice.
    assert sorted(r.kind for r in sent) == ["closing_review"] * 2 + ["completion_notice"] + ["invite_cancel"] * 4
    assert ended.messages_queued == len(sent) == 7
    assert not ended.beyond_six_months
    state = await program.state()
    assert all(s.status == SessionStatus.CANCELLED for s in state.sessions if s.starts_at > state.ended.at)
