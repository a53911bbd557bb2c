"""Random sequences of operations on a running pair (Hypothesis), with the real
activities and SMTP on the time-skipping server. The operations are the office's
(ops.py) and the participants' that move a session: a new time proposed from a
calendar and approved with ``approve-counter``, and "we need a new date" from the
check-in page (after declining the session in the calendar, or after it). After
every step the office's and the participants' decisions hold; at the end every
calendar, rebuilt from every ICS its owner received, holds exactly the sessions that
will happen, and no two messages ever carried different content under one UID and
SEQUENCE."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from temporalio.client import WorkflowUpdateFailedError

from devstack.temporal_servers import start_time_skipping
from mentoring.answers import AnswerRequest, CheckInAnswer, CheckInChoice
from mentoring.cohort import Cadence, Person, ProposedTimes, Role, Weekday
from mentoring.operations import (
    ApproveCounter,
    CancelSession,
    ChangeRhythm,
    EndProgram,
    ExtendProgram,
    PausePair,
    ReplaceParticipant,
    RescheduleSession,
    ResumePair,
    WithdrawParticipant,
)
from mentoring.replies import CalendarReply, PartStat, ReplyMethod, ReplyRequest
from mentoring.state import CancelledBy, CounterStatus, PairProgramInput, PairState, SessionState
from tests import factories
from tests.calendars import calendar_parts
from tests.program_harness import ProgramHarness
from tests.smtp_server import SmtpServer
from workflows.agenda import active_sessions, position
from workflows.pair import PairProgramWorkflow

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]

# One step: (kind, a, b) with small integers the step interprets against the state.
steps = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "advance",
                "reschedule",
                "cancel",
                "cancel+replacement",
                "pause",
                "pause-until",
                "resume",
                "change-rhythm",
                "extend",
                "withdraw",
                "replace",
                "end",
                "approve-counter",
                "new-date",
            ]
        ),
        st.integers(0, 6),
        st.integers(0, 6),
    ),
    min_size=3,
    max_size=9,
)


@dataclass
class Decisions:
    """What the office decided, as the test saw it: checked against the state after every step."""

    cancelled_days: set[date] = field(default_factory=set)
    placed: set[datetime] = field(default_factory=set)
    newcomers: list[tuple[str, datetime]] = field(default_factory=list)
    leavers: list[tuple[str, datetime]] = field(default_factory=list)
    number: int = 0

    def email(self) -> str:
        self.number += 1
        return f"neu-{self.number}@example.org"


async def _apply(program: ProgramHarness, step: tuple[str, int, int], seen: Decisions) -> None:
    kind, a, b = step
    state, now = await program.state(), await program.now()
    upcoming = [s for s in active_sessions(state) if s.starts_at > now + timedelta(hours=2)]
    target = upcoming[a % len(upcoming)] if upcoming else None
    request_id = f"step-{seen.number}-{kind}-{len(state.operations)}"
    seen.number += 1
    if kind == "advance":
        await program.advance(timedelta(days=1 + 3 * a, hours=b))
        return
    if state.ended is not None or state.closing_done:
        # The program is over and its workflow closes: nothing left to change.
        return
    try:
        if kind == "reschedule" and target:
            new = target.local_start + timedelta(days=1 + b % 3, hours=1 + a % 3)
            await program.update(
                PairProgramWorkflow.reschedule_session,
                RescheduleSession(request_id=request_id, session_number=position(state, target), new_local_start=new),
            )
            seen.placed.add(new)
        elif kind.startswith("cancel") and target:
            replacement = target.local_start + timedelta(days=2, hours=b % 4) if kind.endswith("replacement") else None
            await program.update(
                PairProgramWorkflow.cancel_session,
                CancelSession(
                    request_id=request_id,
                    session_number=position(state, target),
                    reason="Betriebsversammlung",
                    replacement_local_start=replacement,
                ),
            )
            seen.cancelled_days.add(target.local_start.date())
            if replacement:
                seen.placed.add(replacement)
        elif kind.startswith("pause"):
            until = (now + timedelta(days=3 + 4 * a)).date() if kind == "pause-until" else None
            await program.update(
                PairProgramWorkflow.pause, PausePair(request_id=request_id, reason="Reise", until=until)
            )
        elif kind == "resume":
            await program.update(PairProgramWorkflow.resume, ResumePair(request_id=request_id))
        elif kind == "change-rhythm":
            change = ChangeRhythm(
                request_id=request_id,
                weekday=list(Weekday)[a] if b % 2 else None,
                local_time=time(8 + b, 30) if a % 2 else None,
                cadence=list(Cadence)[b % 4] if b > 3 else None,
            )
            if change.weekday is None and change.local_time is None and change.cadence is None:
                change.length_minutes = 45
            await program.update(PairProgramWorkflow.change_rhythm, change)
        elif kind == "extend":
            await program.update(PairProgramWorkflow.extend, ExtendProgram(request_id=request_id, weeks=1 + a))
        elif kind == "withdraw":
            role = (Role.MENTOR, Role.MENTEE)[a % 2]
            leaver = state.mentor if role == Role.MENTOR else state.mentee
            await program.update(
                PairProgramWorkflow.withdraw_participant,
                WithdrawParticipant(request_id=request_id, role=role, reason="left"),
            )
            seen.leavers.append((leaver.email, await program.now()))
        elif kind == "replace":
            role = state.vacant_role or (Role.MENTOR, Role.MENTEE)[a % 2]
            leaver = state.mentor if role == Role.MENTOR else state.mentee
            newcomer = Person(name="Zoë Ñúñez-Østergård", email=seen.email(), timezone=ZONES[b % len(ZONES)])
            await program.update(
                PairProgramWorkflow.replace_participant,
                ReplaceParticipant(request_id=request_id, role=role, person=newcomer, reason="Nachfolge"),
            )
            joined = await program.now()
            if state.vacant_role is None:
                seen.leavers.append((leaver.email, joined))
            seen.newcomers.append((newcomer.email, joined))
        elif kind == "end":
            await program.update(PairProgramWorkflow.end_program, EndProgram(request_id=request_id, reason="Umbau"))
        elif kind == "approve-counter" and target:
            await _approve_counter(program, state, target, a, b, seen)
        elif kind == "new-date":
            await _new_date(program, state, now, target, a, b, seen)
    except WorkflowUpdateFailedError:
        # Refused by a validator (a paused pair, nothing to resume, ...): nothing changed.
        pass
    await program.settle()


def _person(state: PairState, role: Role) -> Person:
    person = state.mentor if role == Role.MENTOR else state.mentee
    assert person is not None
    return person


async def _calendar_reply(program: ProgramHarness, session: SessionState, seen: Decisions, *, role: Role, **fields):
    """What the intake hands the pair when a participant's calendar answers the invite."""
    assert program.handle is not None
    reply = CalendarReply(
        message_id=f"<reply-{seen.number}-{session.number}@calendar.example>",
        workflow_id=program.handle.id,
        session=session.number,
        sequence=session.sequence,
        attendee=_person(await program.state(), role).email.upper(),
        **fields,
    )
    await program.handle.execute_update(PairProgramWorkflow.record_calendar_reply, ReplyRequest(reply=reply))


async def _approve_counter(
    program: ProgramHarness, state: PairState, target: SessionState, a: int, b: int, seen: Decisions
) -> None:
    """A participant proposes a new time from their calendar; the office approves it."""
    role = (Role.MENTOR, Role.MENTEE)[b % 2]
    proposed = target.starts_at + timedelta(days=1 + a % 3, hours=b % 3 - 1)
    await _calendar_reply(
        program, target, seen, role=role, method=ReplyMethod.COUNTER,
        proposed_start=proposed, proposed_end=proposed + timedelta(minutes=45),
    )  # fmt: skip
    local = proposed.astimezone(ZoneInfo(target.timezone)).replace(tzinfo=None)
    state = await program.state()
    if state.counters[-1].status == CounterStatus.AUTO_APPROVED:
        # A cohort with ``proposed_times.auto_approve``: both can attend, the pair took it.
        seen.placed.add(local)
        return
    approve = ApproveCounter(request_id=f"approve-{seen.number}", session_number=position(state, target))
    await program.update(PairProgramWorkflow.approve_counter, approve)
    seen.placed.add(local)


async def _new_date(
    program: ProgramHarness,
    state: PairState,
    now: datetime,
    target: SessionState | None,
    a: int,
    b: int,
    seen: Decisions,
) -> None:
    """A participant's "we need a new date" from the check-in page: before a session
    its decliner may ask for one, after it either participant."""
    role = (Role.MENTOR, Role.MENTEE)[a % 2]
    past = [s for s in active_sessions(state) if s.ends_at < now]
    session = past[-1] if b % 2 and past else target
    if session is None:
        return
    if session.starts_at > now:
        await _calendar_reply(program, session, seen, role=role, method=ReplyMethod.REPLY, partstat=PartStat.DECLINED)
    new = datetime.combine(max(session.local_start.date(), now.date()) + timedelta(days=2 + b % 3), time(7 + a, 15))
    answer = CheckInAnswer(
        answer_id=f"link-{seen.number}-{session.number}", role=role, session=session.number,
        choice=CheckInChoice.NEW_DATE, new_local_start=new,
    )  # fmt: skip
    assert program.handle is not None
    await program.handle.execute_update(PairProgramWorkflow.record_answer, AnswerRequest(answer=answer))
    seen.placed.add(new)


def _check_decisions(state: PairState, now: datetime, seen: Decisions) -> None:
    active = active_sessions(state)
    assert [position(state, s) for s in active] == list(range(1, len(active) + 1))
    for session in active:
        if session.starts_at > now and not session.pinned:
            # A day the office cancelled gets no regular session back.
            assert session.local_start.date() not in seen.cancelled_days, (session, seen.cancelled_days)
        if session.pinned:
            # A session the office placed stays where it was placed.
            assert session.local_start in seen.placed, (session, seen.placed)
    office_cancelled = {s.local_start.date() for s in state.sessions if s.cancelled_by == CancelledBy.OFFICE}
    assert office_cancelled <= seen.cancelled_days


def _check_calendars(program: ProgramHarness, state: PairState, now: datetime, seen: Decisions) -> None:
    # Every participant who ever had the session: what its UID and SEQUENCE meant to them.
    content: dict[tuple[str, int], tuple] = {}
    for received in program.smtp.handler.received:
        for method, calendar in calendar_parts(received):
            event = calendar.walk("VEVENT")[0]
            attendees = tuple(sorted(str(a).lower() for a in event.get("ATTENDEE", [])))
            what = (method, event.decoded("DTSTART"), event.decoded("DTEND"), str(event["STATUS"]), attendees)
            key = (str(event["UID"]), int(event["SEQUENCE"]))
            assert content.setdefault(key, what) == what, f"two different messages with UID/SEQUENCE {key}"
    joined = dict(seen.newcomers)
    left = dict(seen.leavers)
    for person in (state.mentor, state.mentee):
        if person is None or person.email in left and state.vacant_role is not None:
            continue
        since = joined.get(person.email)
        expected = {
            s.uid: (s.starts_at, s.sequence)
            for s in active_sessions(state)
            if s.invited_sequence is not None and (since is None or s.starts_at > since)
        }
        calendar = {uid: v for uid, v in program.calendar(person.email).items() if since is None or v[0] > since}
        assert calendar == expected, person.email
    for email, at in seen.leavers:
        if email in (state.mentor.email, state.mentee.email) and state.vacant_role is None:
            continue
        # A leaver's calendar holds nothing that happens after they left.
        assert all(start <= at for start, _ in program.calendar(email).values()), email


async def _scenario(zone: str, cadence: Cadence, plan: list[tuple[str, int, int]], auto_approve: bool) -> None:
    env = await start_time_skipping()
    try:
        with SmtpServer() as smtp:
            async with ProgramHarness(env, smtp) as program:
                now = await program.now()
                cohort = factories.program((now + timedelta(days=1)).date(), months=4)
                # Proposed times both can attend approve themselves, the others wait for the office.
                cohort.proposed_times = ProposedTimes(auto_approve=auto_approve, notice_hours=24)
                await program.start(
                    PairProgramInput(
                        program=cohort,
                        pair=factories.pair(timezone=zone, cadence=cadence, mentee_tz="America/New_York"),
                    )
                )
                seen = Decisions()
                for step in plan:
                    await _apply(program, step, seen)
                    _check_decisions(await program.state(), await program.now(), seen)
                # Let every change reach the calendars, then compare.
                await program.advance(timedelta(days=2))
                _check_calendars(program, await program.state(), await program.now(), seen)
    finally:
        await env.shutdown()


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(zone=st.sampled_from(ZONES), cadence=st.sampled_from(list(Cadence)), plan=steps, auto_approve=st.booleans())
def test_random_operation_sequences_keep_decisions_and_calendars(zone, cadence, plan, auto_approve):
    asyncio.run(_scenario(zone, cadence, plan, auto_approve))
