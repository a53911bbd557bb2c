"""`python -m devstack.reply`: a participant's calendar reply, written from the newest
invite in var/mail, is what the intake reads as that participant's answer to that
version of that session; a session without an invite to answer is one line."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from activities.compose import compose_message
from devstack import reply
from mentoring.cohort import Person, Role
from mentoring.messages import MessageKind, Recipient
from mentoring.replies import CalendarReply, PartStat, ReplyMethod
from mentoring_service.intake.parse import read_reply
from tests.checkout import ROOT
from tests.test_invites import request, session

SENDER = "Reverse Mentoring <mentoring@localhost>"
PAIR = "pair:dw-2027:p1"
# Names and addresses as cohort files have them: non-ASCII, quotes and commas, any case.
PEOPLE = [
    (Person(name="Lena Weber", email="lena.weber@example.com", timezone="Europe/Berlin"),
     Person(name="Dr. Klaus Richter", email="k.richter@example.com", timezone="Europe/Berlin")),
    (Person(name="Aylin Yılmaz", email="Aylin.Yilmaz@Example.com", timezone="Europe/Berlin"),
     Person(name="Prof. Dr. Matthias Schäfer", email="m.schaefer@example.com", timezone="Europe/Berlin")),
    (Person(name='Jonas "JB" Becker', email="jonas.becker@example.com", timezone="Europe/Berlin"),
     Person(name="Hoffmann, Sabine", email="sabine.hoffmann@example.com", timezone="America/New_York")),
]  # fmt: skip
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]


def invite(
    number: int,
    sequence: int,
    at: datetime,
    zone: str,
    people: tuple[Person, Person],
    to: Role,
    kind: MessageKind = MessageKind.INVITE,
) -> tuple[str, bytes]:
    """The invite (or cancellation) the worker mails to one participant, as the local
    inbox stores it."""
    the_session = session(number, at, zone, sequence=sequence).model_copy(
        update={"uid": f"{PAIR}-session-{number}@reverse-mentoring"}
    )
    person = people[0] if to == Role.MENTOR else people[1]
    recipient = Recipient(role=to, name=person.name, email=person.email, timezone=person.timezone)
    composed = request(kind, the_session=the_session, mentor=people[0], mentee=people[1], recipient=recipient)
    return person.email, compose_message(composed, sender=SENDER).as_bytes(policy=email.policy.SMTP)


def store(mail_dir: Path, messages: list[tuple[str, bytes]]) -> list[Path]:
    """As the local inbox does: one file per recipient, numbered in order of arrival."""
    mail_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (recipient, raw) in enumerate(messages, start=1):
        path = mail_dir / f"{n:05d}-{recipient}.eml"
        path.write_bytes(raw)
        paths.append(path)
    return paths


def welcome(recipient: str) -> tuple[str, bytes]:
    mail = EmailMessage()
    mail["To"] = recipient
    mail["Subject"] = "Welcome"
    mail.set_content("No calendar here.")
    return recipient, mail.as_bytes()


def run(mail_dir: Path, out: Path, *args: str) -> int:
    return reply.main(["dw-2027", "p1", *args, "--mail", str(mail_dir), "--out", str(out)])


def event_of(raw: bytes) -> tuple[str, Calendar]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


@given(
    people=st.sampled_from(PEOPLE),
    role=st.sampled_from([Role.MENTOR, Role.MENTEE]),
    partstat=st.sampled_from(list(PartStat)),
    moves=st.integers(0, 3),
    zone=st.sampled_from(ZONES),
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_intake_reads_the_reply_as_that_participants_answer_to_the_newest_invite(
    tmp_path_factory, people, role, partstat, moves, zone
) -> None:
    base = tmp_path_factory.mktemp("reply")
    mail_dir, out = base / "mail", base / "reply.eml"
    # Session 1 invited, then moved `moves` times (SEQUENCE+1 each); session 2 invited too.
    messages = [welcome(people[0].email), welcome(people[1].email)]
    for sequence in range(moves + 1):
        at = datetime(2027, 2, 2 + 7 * sequence, 16, 0)
        messages += [invite(1, sequence, at, zone, people, to) for to in (Role.MENTOR, Role.MENTEE)]
    messages += [invite(2, 0, datetime(2027, 3, 2, 16, 0), zone, people, Role.MENTEE)]
    newest = store(mail_dir, messages)[-2]  # the last copy of session 1's newest invite

    assert run(mail_dir, out, "1", role.value, partstat.value) == 0
    raw = out.read_bytes()
    person = people[0] if role == Role.MENTOR else people[1]
    parsed = read_reply(raw)
    assert isinstance(parsed, CalendarReply), parsed
    assert parsed.model_dump(exclude={"message_id", "dtstamp"}) == CalendarReply(
        message_id="-", method=ReplyMethod.REPLY, workflow_id=PAIR, session=1, sequence=moves,
        attendee=person.email, partstat=partstat,
    ).model_dump(exclude={"message_id", "dtstamp"})  # fmt: skip
    # It answers the time the newest invite shows, to the office, from the participant.
    method, answered = event_of(raw)
    _, invited = event_of(newest.read_bytes())
    assert method == "REPLY"
    assert answered.decoded("DTSTART") == invited.decoded("DTSTART")
    assert answered.decoded("DTEND") == invited.decoded("DTEND")
    assert str(answered["ORGANIZER"]) == str(invited["ORGANIZER"])
    (attendee,) = [answered["ATTENDEE"]]
    assert attendee.params["PARTSTAT"] == partstat.value.upper()
    assert attendee.params["CN"] == person.name
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["From"].addresses[0].addr_spec == person.email
    assert message["From"].addresses[0].display_name == person.name
    assert message["To"].addresses[0].addr_spec == request().program.program_office.email


def test_every_reply_is_a_new_message(tmp_path, capsys) -> None:
    """The pair counts a Message-ID once: a participant who changes their mind sends a new one."""
    people = PEOPLE[0]
    store(tmp_path / "mail", [invite(1, 0, datetime(2027, 2, 2, 16, 0), "Europe/Berlin", people, Role.MENTOR)])
    answers = []
    for partstat in ("accepted", "declined"):
        assert run(tmp_path / "mail", tmp_path / "reply.eml", "1", "mentor", partstat) == 0
        parsed = read_reply((tmp_path / "reply.eml").read_bytes())
        assert isinstance(parsed, CalendarReply)
        answers.append((parsed.message_id, parsed.partstat))
    assert answers[0][0] != answers[1][0]
    assert [partstat for _, partstat in answers] == [PartStat.ACCEPTED, PartStat.DECLINED]
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"reply: {tmp_path}/reply.eml: the mentor's answer to session 1 of p1, declined "
        f"(the invite's SEQUENCE 0, read from {tmp_path}/mail/00001-lena.weber@example.com.eml)"
    )


def test_nothing_to_answer_is_one_line(tmp_path, capsys) -> None:
    people, at = PEOPLE[0], datetime(2027, 2, 2, 16, 0)
    mail_dir = tmp_path / "mail"
    paths = store(
        mail_dir,
        [
            invite(1, 0, at, "Europe/Berlin", people, Role.MENTOR),
            invite(1, 1, at, "Europe/Berlin", people, Role.MENTOR, kind=MessageKind.INVITE_CANCEL),
            (people[0].email, b"\xff\xfe not a mail at all"),
        ],
    )
    cases = [
        ("1", f"reply: session 1 of pair p1 was cancelled ({paths[1]}): nothing to answer"),
        ("2", f"reply: no invite to session 2 of pair p1 (dw-2027) in {mail_dir}/ yet: invites go out 14 days ahead"),
    ]
    for number, said in cases:
        assert run(mail_dir, tmp_path / "reply.eml", number, "mentor", "accepted") == 1
        assert capsys.readouterr().err == said + "\n"
    assert run(tmp_path / "nowhere", tmp_path / "reply.eml", "1", "mentor", "accepted") == 1
    assert (
        capsys.readouterr().err == f"reply: there is no {tmp_path}/nowhere/ with the invites; start `make run` first\n"
    )
    assert not (tmp_path / "reply.eml").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["1", "boss", "accepted"], "argument mentor|mentee: invalid Role value: 'boss'"),
        (["1", "mentor", "yes"], "argument accepted|tentative|declined: invalid PartStat value: 'yes'"),
        (["first", "mentor", "accepted"], "argument SESSION: invalid int value: 'first'"),
    ],
)
def test_a_mistyped_argument_is_one_line(args, said, tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devstack.reply", "dw-2027", "p1", *args, "--mail", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"python -m devstack.reply: error: {said}"
    assert "Traceback" not in result.stderr


@given(
    role=st.sampled_from([Role.MENTOR, Role.MENTEE]),
    zone=st.sampled_from(ZONES),
    proposed=st.datetimes(min_value=datetime(2027, 2, 3), max_value=datetime(2027, 11, 30)).map(
        lambda t: t.replace(second=0, microsecond=0)
    ),
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_proposed_time_is_a_counter_on_the_invites_clock_with_the_sessions_length(
    tmp_path_factory, role, zone, proposed
) -> None:
    base = tmp_path_factory.mktemp("counter")
    people = PEOPLE[2]
    store(
        base / "mail",
        [invite(1, 0, datetime(2027, 2, 2, 16, 0), zone, people, to) for to in Role if to != Role.PROGRAM_OFFICE],
    )
    assert (
        run(base / "mail", base / "reply.eml", "1", role.value, "tentative", "--propose", f"{proposed:%Y-%m-%d %H:%M}")
        == 0
    )
    parsed = read_reply((base / "reply.eml").read_bytes())
    assert isinstance(parsed, CalendarReply), parsed
    person = people[0] if role == Role.MENTOR else people[1]
    starts = proposed.replace(tzinfo=ZoneInfo(zone))
    assert (parsed.method, parsed.attendee, parsed.session, parsed.sequence) == (
        ReplyMethod.COUNTER,
        person.email,
        1,
        0,
    )
    assert parsed.proposed_start == starts
    assert parsed.proposed_end - parsed.proposed_start == timedelta(minutes=60)
