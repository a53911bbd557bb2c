"""``ops.py show`` in an 80-column terminal and through a pipe: every message's outcome is
there in full, however long the addresses, kinds and SMTP replies around it."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import sys
import zoneinfo
from datetime import UTC, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from activities.wall_clock import resolve
from devstack.temporal_servers import TEST_KEY_ENV
from mentoring.answers import (
    AnswerRecord,
    AnswerRequest,
    CheckInAnswer,
    CheckInChoice,
    KeepMeeting,
    PairHealth,
    Ratings,
    ReflectionAnswer,
    ReviewAnswer,
    ReviewStage,
)
from mentoring.cohort import Person, Role
from mentoring.messages import MessageKind
from mentoring.replies import PartStat
from mentoring.state import (
    CalendarAnswer,
    DeliveryStatus,
    MessageRecord,
    PairProgramInput,
    PairState,
    ProgramPhase,
    SessionState,
    SessionStatus,
)
from mentoring_service.cli import ops_views
from tests import factories
from tests.checkout import ROOT, fresh_environment
from tests.program_harness import ProgramHarness
from workflows.agenda import position
from workflows.pair import PairProgramWorkflow

ROW = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d ")  # a message row starts with its time
LONG_MENTEE = "prof.dr.matthias.schaefer-mueller@example-holding-international.com"
REFUSAL = "550 5.1.1 <{}>: Recipient address rejected: User unknown in virtual mailbox table"


def message_rows(output: str) -> list[str]:
    section = output.split("Messages (times in", 1)[1].split("Pauses (times in", 1)[0]
    return [line for line in section.splitlines() if ROW.match(line)]


def shown_number(state: PairState, session: SessionState) -> str:
    """As ops.py show numbers sessions: in time order, a cancelled one in brackets."""
    place = position(state, session)
    return f"({place})" if session.status == SessionStatus.CANCELLED else str(place)


def assert_readable(output: str, state: PairState, width: int) -> None:
    assert "…" not in output, output
    # Display cells, not code points: some characters take none, some two.
    assert max(map(cell_len, output.splitlines())) <= width, output
    rows = message_rows(output)
    messages = state.messages
    assert len(rows) == len(messages), output
    by_id = {s.number: s for s in state.sessions}
    for row, message in zip(rows, messages, strict=True):
        session = by_id.get(message.session_number or 0)
        kind = message.kind.value + (f" {position(state, session)}" if session else "")
        # The row's first line: time, kind, then the status as a whole word.
        assert re.search(rf"^\S+ \S+ +{re.escape(kind)} +{message.status.value} ", row), (row, message)


async def test_show_at_80_columns_through_a_pipe(skipping_env, smtp):
    mentee = Person(name="Prof. Dr. Matthias Schäfer-Müller", email=LONG_MENTEE, timezone="America/Sao_Paulo")
    pair = factories.pair("p1").model_copy(update={"mentee": mentee})
    smtp.handler.refused[LONG_MENTEE] = REFUSAL.format(LONG_MENTEE)
    now = await skipping_env.get_current_time()
    program_input = PairProgramInput(program=factories.program(now.date(), cohort_id="ops"), pair=pair)
    async with ProgramHarness(skipping_env, smtp) as harness:
        handle = await harness.start(program_input)
        await harness.advance(timedelta(days=20))  # invites, reminders, reflections, failure notices
        state = await harness.state()
        kinds = {m.kind for m in state.messages}
        assert {MessageKind.DELIVERY_FAILURE_NOTICE, MessageKind.REFLECTION} <= kinds
        assert {m.status for m in state.messages} == {DeliveryStatus.SENT, DeliveryStatus.FAILED}

        # The mentor answers the first session's check-in and reflection, as the site would.
        first = state.sessions[0].number
        for answer in (
            CheckInAnswer(answer_id="pipe-check-in-1", role=Role.MENTOR, session=first, choice=CheckInChoice.MET),
            ReflectionAnswer(answer_id="pipe-reflection-1", role=Role.MENTOR, session=first,
                             ratings=Ratings(career=4, psychosocial=3, emotional=5)),
        ):  # fmt: skip
            await handle.execute_update(PairProgramWorkflow.record_answer, AnswerRequest(answer=answer))
        pair_id = handle.id.rsplit(":", 1)[1]
        address = skipping_env.client.service_client.config.target_host
        env = fresh_environment(TEMPORAL_ADDRESS=address, COLUMNS="80", **TEST_KEY_ENV)
        shown = await asyncio.to_thread(  # piped: stdout is not a terminal
            subprocess.run,
            [sys.executable, "ops.py", "show", "ops", pair_id],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert_readable(shown.stdout, state, 80)
    assert '1     held: "we met" (mentor)' in shown.stdout and "mentor 4/3/5" in shown.stdout


def records() -> st.SearchStrategy[list[MessageRecord]]:
    local = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzäöüß.-"), min_size=1, max_size=40)
    domain = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzü-"), min_size=1, max_size=40)
    moment = datetime(2027, 3, 1, 15, tzinfo=UTC)
    record = st.builds(
        lambda kind, role, user, host, number, status, detail: MessageRecord(
            key="k", kind=kind, role=role, email=f"{user}@{host}.example", session_number=number,
            due_at=moment, recorded_at=moment, status=status, detail=detail,
        ),
        st.sampled_from(MessageKind), st.sampled_from(Role), local, domain,
        st.none() | st.integers(1, 99), st.sampled_from(DeliveryStatus),
        st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=120),
    )  # fmt: skip
    return st.lists(record, min_size=1, max_size=6)


def sessions() -> st.SearchStrategy[list[SessionState]]:
    start = datetime(2027, 3, 2, 15, tzinfo=UTC)
    session = st.builds(
        lambda number, zone, status, sequence: SessionState(
            number=number, uid=f"u{number}", sequence=sequence, starts_at=start, ends_at=start + timedelta(hours=1),
            local_start=datetime(2027, 3, 2, 16), timezone=zone, location="Teams", status=status,
        ),
        st.integers(1, 99), st.sampled_from(sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})),
        st.sampled_from(SessionStatus), st.integers(0, 20),
    )  # fmt: skip
    return st.lists(session, max_size=3)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=records(), plan=sessions(), width=st.integers(80, 160))
def test_every_status_is_whole_at_any_width_from_80(messages, plan, width):
    state = PairState(messages=messages, sessions=plan, mentor=factories.pair().mentor, mentee=factories.pair().mentee)
    console = Console(file=io.StringIO(), width=width, color_system=None)
    with mock.patch.object(ops_views, "out", console):
        ops_views.print_pair("ops", "p1", state)
    output = console.file.getvalue()
    assert_readable(output, state, width)
    for session in plan:  # status and SEQUENCE of every session, whole (no calendar replies here)
        shown = re.escape(shown_number(state, session))
        assert re.search(rf"^{shown} .* {session.status.value} +{session.sequence} +– *$", output, re.MULTILINE)


def replied_sessions() -> st.SearchStrategy[tuple[str, list[SessionState]]]:
    """A pair's sessions in its own zone (any zone), two weeks apart from a day with a
    clock change, each with calendar replies from both, some to earlier versions."""
    reply = st.builds(
        lambda role, partstat, earlier: (role, partstat, earlier),
        st.sampled_from([Role.MENTOR, Role.MENTEE]), st.sampled_from(PartStat), st.booleans(),
    )  # fmt: skip
    zone = st.sampled_from(sorted(zoneinfo.available_timezones() - {"Factory", "localtime"}))

    def build(zone: str, replies: list[list[tuple[Role, PartStat, bool]]]) -> tuple[str, list[SessionState]]:
        sessions = []
        for n, said in enumerate(replies, start=1):
            local = datetime(2027, 3, 28, 2, 30) + timedelta(weeks=2 * (n - 1))
            at = resolve(local, zone).instant
            calendar = [
                CalendarAnswer(role=role, partstat=partstat, sequence=0 if earlier else 1, recorded_at=at)
                for role, partstat, earlier in said
            ]
            sessions.append(
                SessionState(
                    number=n, uid=f"u{n}", sequence=1, starts_at=at, ends_at=at + timedelta(hours=1),
                    local_start=local, timezone=zone, location="Teams", calendar=calendar,
                )
            )  # fmt: skip
        return zone, sessions

    return st.builds(build, zone, st.lists(st.lists(reply, max_size=3), min_size=1, max_size=4))


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=replied_sessions(), width=st.integers(80, 160))
def test_sessions_and_their_calendar_replies_are_whole_in_any_zone_at_any_width_from_80(plan, width):
    zone, sessions = plan
    pair = factories.pair()
    state = PairState(
        sessions=sessions, mentor=pair.mentor, mentee=pair.mentee,
        pattern=pair.pattern.model_copy(update={"timezone": zone}),
    )  # fmt: skip
    output = shown(state, width)
    assert "…" not in output and max(map(cell_len, output.splitlines())) <= width, output
    table = section(output, "Sessions", "Messages")
    assert table[0] == f"(local times in {zone})", output
    for session in sessions:
        # The time it really starts on the pair's clock (a skipped 02:30 shows its 03:30).
        real = session.starts_at.astimezone(ZoneInfo(zone))
        row = rf"^{session.number} +{real:%a %Y-%m-%d %H:%M} +{session.status.value} +1 +"
        assert any(re.match(row, line) for line in table), (row, output)
        for role in (Role.MENTOR, Role.MENTEE):
            latest = next((a for a in reversed(session.calendar) if a.role == role), None)
            if latest is not None:
                said = f"{role.value} {latest.partstat.value}" + (" (earlier)" if latest.sequence == 0 else "")
                # Each participant's reply on a line of its own, whole.
                assert any(line.rstrip().endswith(said) for line in table), (said, output)


# ------------------------------------------------------------------ answers


def listening_state(answers: list[AnswerRecord], statuses: dict[int, dict], health: PairHealth) -> PairState:
    """Seven sessions every two weeks; ``statuses`` sets a session's status and check-in flags."""
    start = datetime(2027, 3, 2, 15, tzinfo=UTC)
    sessions = []
    for n in range(1, 8):
        at = start + timedelta(weeks=2 * (n - 1))
        flags = {"status": SessionStatus.INVITED, "reflection_done": True, **statuses.get(n, {})}
        sessions.append(
            SessionState(
                number=n, uid=f"u{n}", starts_at=at, ends_at=at + timedelta(hours=1),
                local_start=at.replace(tzinfo=None) + timedelta(hours=1), timezone="Europe/Berlin",
                location="Teams", **flags,
            )
        )  # fmt: skip
    pair = factories.pair()
    return PairState(
        phase=ProgramPhase.SESSIONS, sessions=sessions, answers=answers, listening=True, health=health,
        mentor=pair.mentor, mentee=pair.mentee, pattern=pair.pattern,
    )  # fmt: skip


def recorded(answer, sequence: int = 0) -> AnswerRecord:
    return AnswerRecord(answer=answer, recorded_at=datetime(2027, 5, 1, 9, tzinfo=UTC), sequence=sequence)


def check_in(n: int, role: Role, choice: CheckInChoice, **more) -> AnswerRecord:
    answer = CheckInAnswer(answer_id=f"check-in-{n}-{role.value}", role=role, session=n, choice=choice, **more)
    return recorded(answer)


def shown(state: PairState, width: int = 80) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    with mock.patch.object(ops_views, "out", console):
        ops_views.print_pair("ops", "p1", state)
    return console.file.getvalue()


def section(output: str, title: str, end: str) -> list[str]:
    part = output.split(title, 1)[1].split(end, 1)[0]
    return [" ".join(line.split()) for line in part.splitlines() if line.strip().strip("─")]


def test_show_tells_each_check_in_reflection_and_review_in_80_columns():
    met, not_met = CheckInChoice.MET, CheckInChoice.NOT_MET
    answers = [
        check_in(1, Role.MENTOR, met), check_in(1, Role.MENTEE, met),
        check_in(2, Role.MENTEE, not_met),
        check_in(3, Role.MENTOR, met), check_in(3, Role.MENTEE, not_met),
        check_in(6, Role.MENTEE, CheckInChoice.NEW_DATE, new_local_start=datetime(2027, 5, 18, 16)),
        recorded(ReflectionAnswer(answer_id="reflect-1-mentor", role=Role.MENTOR, session=1,
                                  ratings=Ratings(career=4, emotional=5))),
        recorded(ReflectionAnswer(answer_id="reflect-1-mentee", role=Role.MENTEE, session=1)),
        recorded(ReviewAnswer(answer_id="review-mid-mentee", role=Role.MENTEE, stage=ReviewStage.MIDPOINT,
                              ratings=Ratings(career=2, psychosocial=4, emotional=3), focus_progress=3,
                              comment_to_office="We rarely find a date.\nHe travels a lot [bold]x[/]")),
        recorded(ReviewAnswer(answer_id="review-end-mentor", role=Role.MENTOR, stage=ReviewStage.CLOSING,
                              ratings=Ratings(career=5), recommend=9, keep_meeting=KeepMeeting.MAYBE)),
    ]  # fmt: skip
    statuses = {
        1: {"status": SessionStatus.HELD},
        2: {"status": SessionStatus.MISSED},
        3: {"status": SessionStatus.HELD, "check_ins_disagree": True},
        4: {"check_in_closed": True, "check_in_reminder_done": True},
        5: {"check_in_reminder_done": True},
        6: {"sequence": 1, "reflection_done": False},  # moved to its new date, still to come
        7: {"status": SessionStatus.PLANNED, "reflection_done": False},
    }
    state = listening_state(answers, statuses, PairHealth.AT_RISK)
    output = shown(state)
    assert max(map(cell_len, output.splitlines())) <= 80, output
    assert output.splitlines()[3] == "health: at risk — a rating of 2 or lower in the mentee's midpoint review"
    assert section(output, "Check-ins and reflections", "Reviews (") == [
        "(ratings career/psychosocial/emotional, 1–5)",
        "no. check-in reflections",
        '1 held: "we met" (mentor and mentee) mentor 4/–/5, mentee done',
        '2 missed: "we didn\'t meet" (mentee) –',
        '3 held; they disagree: "we met" (mentor), "we –',
        "didn't meet\" (mentee)",
        "4 check-in closed, not held –",
        "5 no answer yet, reminder sent –",
        '6 moved by "we need a new date" (mentee); its –',
        "new date is still to come",
    ]
    assert section(output, "Reviews (ratings 1–5)", "Messages (") == [
        "psycho- recommend keep",
        "review by career social emotional focus (0–10) meeting",
        "midpoint mentee 2 4 3 3 – –",
        "closing mentor 5 – – – 9 maybe",
        "midpoint review, mentee, to the program office:",
        "We rarely find a date.",
        "He travels a lot [bold]x[/]",
    ]


def test_a_pair_that_takes_no_answers_shows_as_before():
    state = listening_state([], {1: {"status": SessionStatus.HELD}}, PairHealth.HEALTHY)
    state.listening = False
    output = shown(state)
    assert "health" not in output and "Check-ins" not in output and "Reviews" not in output
    assert [line.split("\n")[0] for line in output.split("\n\n")][1:] == [
        "Sessions (local times in Europe/Berlin)",
        "Messages (times in Europe/Berlin)",
        "Pauses (times in Europe/Berlin)",
    ]


WORDS = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzäöüß[]/"), min_size=1, max_size=20)


def answer_records() -> st.SearchStrategy[list[AnswerRecord]]:
    rating = st.none() | st.integers(1, 5)
    ratings = st.builds(Ratings, career=rating, psychosocial=rating, emotional=rating)
    role = st.sampled_from([Role.MENTOR, Role.MENTEE])
    comment = st.none() | st.lists(WORDS, min_size=1, max_size=60).map(" ".join)
    answer = st.one_of(
        st.builds(lambda n, r, c: CheckInAnswer(answer_id=f"c{n}{r}{c}xxxxx", role=r, session=n, choice=c),
                  st.integers(1, 7), role, st.sampled_from([CheckInChoice.MET, CheckInChoice.NOT_MET])),
        st.builds(lambda n, r, g: ReflectionAnswer(answer_id=f"r{n}{r}xxxxxx", role=r, session=n, ratings=g),
                  st.integers(1, 7), role, ratings),
        st.builds(lambda s, r, g, f, c: ReviewAnswer(answer_id=f"v{s}{r}xxxxxx", role=r, stage=s, ratings=g,
                                                      focus_progress=f, comment_to_office=c),
                  st.sampled_from(ReviewStage), role, ratings, rating, comment),
    )  # fmt: skip
    return st.lists(answer.map(recorded), max_size=12)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answer_records(), health=st.sampled_from(PairHealth), width=st.integers(80, 160))
def test_answers_fit_any_width_from_80_and_every_comment_is_there_whole(answers, health, width):
    state = listening_state(answers, {}, health)
    output = shown(state, width)
    assert "…" not in output
    assert max(map(cell_len, output.splitlines())) <= width, output
    flat = " ".join(output.split())
    for record in answers:
        if isinstance(record.answer, ReviewAnswer) and record.answer.comment_to_office:
            assert " ".join(record.answer.comment_to_office.split()) in flat
