"""Every zone, every date: the invite's times mean what zoneinfo means, read by
icalendar from the file's own VTIMEZONE and by an independent evaluation of its rules.
Wall-clock times the clocks skip or show twice follow one rule (activities.wall_clock)."""

from __future__ import annotations

import functools
import re
import uuid
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from activities.compose import compose_message
from activities.invites import PRODID, build_calendar, event_times, invite_event, invite_zone
from activities.vtimezone import fixed_offset, vtimezone
from activities.wall_clock import ClockChange, resolve
from mentoring.cohort import Language, Person, Role
from mentoring.inputs import UNUSABLE_ZONES
from mentoring.messages import DeliveryRequest, MessageKind, Recipient
from tests import vtimezone_rules as rules
from tests.test_invites import request, session, unfolded_lines

PROPERTY = settings(deadline=None, derandomize=True, database=None, print_blob=False)
ALL_ZONES = sorted(zoneinfo.available_timezones() - UNUSABLE_ZONES)
# Zones without DST, southern ones, ones that changed their rules, ones whose change
# is not an n-th weekday (Israel, Morocco's Ramadan), 30-minute DST, negative DST.
HARD_ZONES = [
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Etc/GMT+5",
    "Asia/Tehran",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "America/Santiago",
    "Africa/Casablanca",
    "America/Godthab",
    "America/Nuuk",
    "Australia/Lord_Howe",
    "Europe/Dublin",
    "Asia/Jerusalem",
    "Asia/Gaza",
    "Pacific/Auckland",
    "America/Asuncion",
    "Asia/Almaty",
    "America/Sao_Paulo",
    "Pacific/Chatham",
    "Antarctica/Troll",
]


def invite(local: datetime, zone: str, minutes: int = 60, program_start: date | None = None) -> bytes:
    the_request = request(the_session=session(1, local, zone, minutes=minutes))
    if program_start is not None:
        the_request.program = the_request.program.model_copy(update={"start_date": program_start})
    return build_calendar(the_request)


def by_icalendar(ics: bytes, zone: str) -> tuple[datetime, datetime]:
    """icalendar's DTSTART and DTEND, with the TZID renamed so that only the file's
    VTIMEZONE can answer; a new name each time, as icalendar keeps the first zone it
    built for a TZID."""
    marker = f"X-Renamed-{uuid.uuid4().hex}"
    renamed = ics.decode().replace(f"TZID={zone}:", f"TZID={marker}:").replace(f"TZID:{zone}\r", f"TZID:{marker}\r")
    (event,) = Calendar.from_ical(renamed).walk("VEVENT")
    return event.decoded("DTSTART").astimezone(UTC), event.decoded("DTEND").astimezone(UTC)


def check_invite(local: datetime, zone: str, minutes: int = 60, program_start: date | None = None) -> bytes:
    """The invite for ``local`` in ``zone`` starts and ends when zoneinfo says, for every reader."""
    ics = invite(local, zone, minutes, program_start)
    starts = resolve(local, zone).instant
    expected = (starts, starts + timedelta(minutes=minutes))
    assert by_icalendar(ics, zone) == expected, (local, zone)
    # Also refuses a local time that the file's own rules put in a gap or a fold.
    assert (rules.event_instant(ics, "DTSTART"), rules.event_instant(ics, "DTEND")) == expected, (local, zone)
    for tzid, observances in rules.zones(ics).items():
        kinds = sorted(o.kind for o in observances)
        assert kinds in (["STANDARD"], ["DAYLIGHT", "STANDARD"]), (tzid, kinds)
        assert all(o.rrule.get("FREQ") == "YEARLY" for o in observances), tzid
        assert all(set(o.rrule) <= {"FREQ", "BYMONTH", "BYDAY"} for o in observances), tzid
    return ics


@given(
    zone=st.sampled_from(ALL_ZONES),
    day=st.dates(date(2024, 1, 1), date(2036, 12, 31)),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    minutes=st.integers(15, 240),
)
@settings(PROPERTY, max_examples=120)
def test_every_zone_reads_back_as_zoneinfo(zone: str, day: date, at: time, minutes: int) -> None:
    check_invite(datetime.combine(day, at), zone, minutes)


@given(
    zone=st.sampled_from(ALL_ZONES),
    program_start=st.dates(date(2024, 1, 1), date(2036, 12, 31)),
    days=st.lists(st.integers(0, 340), min_size=2, max_size=6),
    at=st.sampled_from([time(0, 30), time(2, 30), time(10, 0), time(23, 45)]),
)
@settings(PROPERTY, max_examples=80)
def test_a_programs_invites_share_one_vtimezone_that_is_right_for_each(
    zone: str, program_start: date, days: list[int], at: time
) -> None:
    texts: dict[str, set[tuple[str, ...]]] = {}
    for offset in days:
        ics = check_invite(datetime.combine(program_start + timedelta(days=offset), at), zone, 60, program_start)
        lines = rules.unfolded(ics)
        if "BEGIN:VTIMEZONE" in lines:
            text = tuple(lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE")])
            texts.setdefault(text[1], set()).add(text)
    # One text per TZID, unless the zone changes three times in the program (Morocco's
    # Ramadan in January and December 2029). A session a clock change touches has a
    # TZID of its own, one fixed offset (UTC+02:00), always the same text.
    changes = _changes_between(zone, program_start - timedelta(days=1), program_start + timedelta(days=349))
    if changes <= 2:
        assert all(len(same) == 1 for same in texts.values()), texts


@functools.cache
def _changes_between(zone: str, first: date, last: date) -> int:
    tz, found = ZoneInfo(zone), 0
    hour = datetime.combine(first, time(0), tzinfo=UTC)
    while hour.date() < last:
        found += hour.astimezone(tz).utcoffset() != (hour + timedelta(hours=1)).astimezone(tz).utcoffset()
        hour += timedelta(hours=1)
    return found


@pytest.mark.parametrize(
    ("zone", "program_start", "sessions"),
    [
        # Ramadan moves by eleven days a year: 2027's rules are not 2028's.
        (
            "Africa/Casablanca",
            date(2027, 9, 1),
            [date(2027, 9, 5), date(2028, 1, 23), date(2028, 2, 27), date(2028, 3, 5)],
        ),
        # Israel's Friday before the last Sunday of March is the 4th Friday in 2029, the 5th in 2030.
        ("Asia/Jerusalem", date(2029, 10, 1), [date(2029, 10, 7), date(2030, 3, 24), date(2030, 3, 31)]),
    ],
)
def test_a_program_across_two_years_of_different_rules_keeps_one_vtimezone(
    zone: str, program_start: date, sessions: list[date]
) -> None:
    texts = {
        vtimezone(zone, datetime.combine(day, time(10), tzinfo=UTC), program_start=program_start).to_ical()
        for day in sessions
    }
    assert len(texts) == 1
    for day in sessions:
        check_invite(datetime.combine(day, time(10)), zone, 60, program_start)


@functools.cache
def _transition_days(zone: str, year: int) -> list[datetime]:
    """Local times around each offset change of ``year``: before, inside and after it."""
    tz, found = ZoneInfo(zone), []
    hour = datetime(year, 1, 1, tzinfo=UTC)
    while hour.year == year:
        if hour.astimezone(tz).utcoffset() != (hour + timedelta(hours=1)).astimezone(tz).utcoffset():
            local = (hour + timedelta(hours=1)).astimezone(tz).replace(tzinfo=None)
            found += [local + timedelta(minutes=m) for m in (-90, -30, 0, 15, 30, 90)]
        hour += timedelta(hours=1)
    return found


@pytest.mark.parametrize("zone", HARD_ZONES)
@pytest.mark.parametrize("year", [2027, 2029])
def test_hard_zones_across_the_year(zone: str, year: int) -> None:
    days = [datetime(year, month, 1 + month, 10, 0) for month in range(1, 13)]
    for local in days + _transition_days(zone, year):
        check_invite(local, zone)


def test_a_year_with_one_change_gets_the_change_around_the_meeting() -> None:
    # São Paulo left DST in February 2019 and never started it again.
    for local in (datetime(2019, 2, 10, 10), datetime(2019, 2, 17, 10), datetime(2019, 11, 20, 10)):
        check_invite(local, "America/Sao_Paulo")


def test_morocco_in_a_year_with_three_changes() -> None:
    # Ramadan falls in January and again in December 2029.
    assert len(rules.zones(invite(datetime(2029, 1, 20, 10), "Africa/Casablanca"))["Africa/Casablanca"]) == 2
    for local in (datetime(2029, 1, 20, 10), datetime(2029, 6, 1, 10), datetime(2029, 12, 31, 10)):
        check_invite(local, "Africa/Casablanca")


def test_a_rule_that_is_not_an_nth_weekday_keeps_one_text_across_years() -> None:
    # Israel changes on the Friday before the last Sunday of March: in 2027 that is the
    # 4th and the last Friday, in 2028 only the 4th. A client that keeps the first
    # VTIMEZONE it sees for a TZID must read the next year's invite right as well.
    texts = {vtimezone("Asia/Jerusalem", datetime(year, 6, 1, tzinfo=UTC)).to_ical() for year in (2027, 2028, 2029)}
    assert len(texts) == 1
    assert b"BYDAY=4FR;BYMONTH=3" in texts.pop()


# --- times the clocks skip or show twice -----------------------------------


def test_a_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    ics = check_invite(datetime(2027, 3, 28, 2, 30), "Europe/Berlin")
    lines = unfolded_lines(ics)
    # 03:30 CEST: 02:30 as asked, on the offset before the change (RFC 5545's reading).
    assert 'DTSTART;TZID="UTC+01:00":20270328T023000' in lines
    assert 'DTEND;TZID="UTC+01:00":20270328T033000' in lines
    assert "Europe/Berlin" not in ics.decode()
    assert resolve(datetime(2027, 3, 28, 2, 30), "Europe/Berlin").instant == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_a_30_minute_gap_moves_by_30_minutes() -> None:
    ics = check_invite(datetime(2027, 10, 3, 2, 15), "Australia/Lord_Howe")
    # 02:45 LHDT (UTC+11) is 02:15 on the standard time before the change (UTC+10:30).
    assert 'DTSTART;TZID="UTC+10:30":20271003T021500' in unfolded_lines(ics)
    assert rules.event_instant(ics, "DTSTART") == datetime(2027, 10, 2, 15, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "zone", "tzid", "utc_start", "end"),
    [
        (datetime(2027, 10, 31, 2, 30), "Europe/Berlin", "UTC+02:00", "20271031T003000Z", "20271031T033000"),
        # Starts before the fold but ends in it: the end would be read twice as well.
        (datetime(2027, 10, 31, 1, 30), "Europe/Berlin", "UTC+02:00", "20271030T233000Z", "20271031T023000"),
        (datetime(2027, 11, 7, 1, 30), "America/New_York", "UTC-04:00", "20271107T053000Z", "20271107T023000"),
        (datetime(2027, 4, 4, 2, 30), "Australia/Sydney", "UTC+11:00", "20270403T153000Z", "20270404T033000"),
        (datetime(2027, 4, 4, 3, 0), "Pacific/Chatham", "UTC+13:45", "20270403T131500Z", "20270404T040000"),
    ],
)
def test_a_time_that_happens_twice_is_the_first_on_its_own_offset(
    local: datetime, zone: str, tzid: str, utc_start: str, end: str
) -> None:
    # ical.js reads such a local time in the zone as the second occurrence, the others
    # as the first: on a clock with one offset every parser reads it alike.
    assert resolve(local, zone).instant == datetime.strptime(utc_start, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    ics = check_invite(local, zone)
    lines = unfolded_lines(ics)
    assert f'DTSTART;TZID="{tzid}":{local:%Y%m%dT%H%M%S}' in lines and f'DTEND;TZID="{tzid}":{end}' in lines
    assert zone not in ics.decode()


def test_an_offset_of_zero_is_written_in_utc() -> None:
    # Morocco's gap after Ramadan: 02:30 on UTC+00:00 (vobject reads a VTIMEZONE of
    # offset zero as no zone, so the time is written with Z).
    ics = check_invite(datetime(2027, 3, 14, 2, 30), "Africa/Casablanca")
    lines = unfolded_lines(ics)
    assert "DTSTART:20270314T023000Z" in lines and "DTEND:20270314T033000Z" in lines
    assert "TZID" not in ics.decode()


# Cached, like the scans above: each walks years hour by hour, and Hypothesis asked for
# it once per example (43 % of this file's time).
@functools.cache
def _near_changes(zone: str) -> list[datetime]:
    """Local wall-clock times within two hours of each of the zone's changes, 2027-2029."""
    tz, found = ZoneInfo(zone), []
    hour = datetime(2027, 1, 1, tzinfo=UTC)
    while hour.year < 2030:
        if hour.astimezone(tz).utcoffset() != (hour + timedelta(hours=1)).astimezone(tz).utcoffset():
            local = hour.astimezone(tz).replace(tzinfo=None, minute=0)
            found += [local + timedelta(minutes=m) for m in range(-120, 150, 15)]
        hour += timedelta(hours=1)
    return found


@given(data=st.data(), zone=st.sampled_from([z for z in HARD_ZONES if _near_changes(z)]), minutes=st.integers(15, 240))
@settings(PROPERTY, max_examples=150)
def test_every_session_keeps_the_wall_clock_time_asked_for(data: st.DataObject, zone: str, minutes: int) -> None:
    """Around a clock change too, DTSTART is the time the pair meets at, so a pair's
    invites all carry one wall-clock time (a calendar check sees no drift), on a clock
    that gives it the instant of the one rule."""
    local = data.draw(st.sampled_from(_near_changes(zone)))
    ics = check_invite(local, zone, minutes)
    tzid, value = rules.property_value(ics, "DTSTART")
    assert value.removesuffix("Z") == f"{local:%Y%m%dT%H%M%S}", (tzid, value)
    # The zone itself, or, where a clock change touches the session, one fixed offset.
    assert tzid in (zone, None) or re.fullmatch(r"UTC[+-]\d\d:\d\d", tzid), tzid


def test_a_meeting_across_the_spring_gap_keeps_its_length() -> None:
    ics = check_invite(datetime(2027, 3, 28, 1, 30), "Europe/Berlin")
    lines = unfolded_lines(ics)
    assert "DTSTART;TZID=Europe/Berlin:20270328T013000" in lines
    # 60 real minutes after 01:30 CET is 03:30 CEST, not 02:30 (which does not exist).
    assert "DTEND;TZID=Europe/Berlin:20270328T033000" in lines


@pytest.mark.parametrize(
    ("local", "zone", "change", "actual", "message"),
    [
        (
            datetime(2027, 3, 28, 2, 30),
            "Europe/Berlin",
            ClockChange.GAP,
            datetime(2027, 3, 28, 3, 30),
            "02:30 does not exist on 2027-03-28 in Europe/Berlin (clocks go forward); the session starts at 03:30",
        ),
        (
            datetime(2027, 10, 31, 2, 30),
            "Europe/Berlin",
            ClockChange.FOLD,
            datetime(2027, 10, 31, 2, 30),
            (
                "02:30 happens twice on 2027-10-31 in Europe/Berlin (clocks go back); "
                "the session is at the first 02:30 (CEST, UTC+02:00)"
            ),
        ),
        (
            datetime(2027, 9, 5, 0, 15),
            "America/Santiago",
            ClockChange.GAP,
            datetime(2027, 9, 5, 1, 15),
            "00:15 does not exist on 2027-09-05 in America/Santiago (clocks go forward); the session starts at 01:15",
        ),
        (
            datetime(2027, 3, 28, 3, 30),
            "Europe/Berlin",
            None,
            datetime(2027, 3, 28, 3, 30),
            "2027-03-28 03:30 in Europe/Berlin",
        ),
    ],
)
def test_the_rule_names_what_it_did(
    local: datetime, zone: str, change: ClockChange | None, actual: datetime, message: str
) -> None:
    resolved = resolve(local, zone)
    assert (resolved.change, resolved.actual, resolved.describe()) == (change, actual, message)


# --- the email says what the invite says -------------------------------------


@pytest.mark.parametrize(
    ("local", "recipient_zone", "when", "subject_time", "note"),
    [
        (
            datetime(2027, 3, 28, 2, 30),
            "Europe/Berlin",
            "Sunday, 28 March 2027, 03:30–04:30 (Europe/Berlin)",
            "03:30 (Europe/Berlin)",
            (
                "On Sunday, 28 March 2027 the clocks in Europe/Berlin go forward: 02:30 (Europe/Berlin) "
                "does not exist that day, so the session starts at 03:30 (Europe/Berlin)."
            ),
        ),
        (
            datetime(2027, 3, 28, 2, 30),
            "America/New_York",
            "Saturday, 27 March 2027, 21:30–22:30 (America/New_York)",
            "21:30 (America/New_York)",
            "On Sunday, 28 March 2027 the clocks in Europe/Berlin go forward",
        ),
        (
            datetime(2027, 10, 31, 2, 30),
            "Europe/Berlin",
            "Sunday, 31 October 2027, 02:30 CEST–02:30 CET (Europe/Berlin)",
            "02:30 CEST (Europe/Berlin)",
            (
                "On Sunday, 31 October 2027 the clocks in Europe/Berlin go back: 02:30 (Europe/Berlin) "
                "happens twice that day, and the session is at the first one (CEST, UTC+02:00)."
            ),
        ),
        (
            datetime(2027, 10, 31, 2, 30),
            "Asia/Kolkata",
            "Sunday, 31 October 2027, 06:00–07:00 (Asia/Kolkata)",
            "06:00 (Asia/Kolkata)",
            "the session is at the first one (CEST, UTC+02:00)",
        ),
    ],
)
def test_the_email_names_the_time_the_invite_carries(
    local: datetime, recipient_zone: str, when: str, subject_time: str, note: str
) -> None:
    recipient = Recipient(role=Role.MENTOR, name="Lena Weber", email="lena.weber@example.com", timezone=recipient_zone)
    the_request = request(MessageKind.INVITE, the_session=session(1, local, "Europe/Berlin"), recipient=recipient)
    msg = compose_message(the_request, sender="Office <office@example.org>")
    text = next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content()
    html = next(p for p in msg.walk() if p.get_content_type() == "text/html").get_content()
    ics = next(p for p in msg.walk() if p.get_content_type() == "text/calendar").get_payload(decode=True)
    assert msg["Subject"].endswith(f" at {subject_time}")
    assert f"When:  {when}\n" in text
    assert note in text and note in html
    # The time the text names is the instant every parser reads from the invite.
    starts = rules.event_instant(ics, "DTSTART")
    shown = starts.astimezone(ZoneInfo(recipient_zone))
    assert f"{shown:%H:%M}" in when


def test_german_notes_for_both_cases() -> None:
    recipient = Recipient(role=Role.MENTEE, name="Klaus", email="k@example.com", timezone="Europe/Berlin")
    texts = {}
    for local in (datetime(2027, 3, 28, 2, 30), datetime(2027, 10, 31, 2, 30)):
        the_request = request(
            MessageKind.REMINDER,
            the_session=session(1, local),
            recipient=recipient,
            language=Language.DE,
            composed_at=local.replace(tzinfo=UTC) - timedelta(days=1),
        )
        msg = compose_message(the_request, sender="Office <office@example.org>")
        texts[local.month] = (msg["Subject"], msg.get_body(("plain",)).get_content())
    assert texts[3][0] == "Erinnerung: Reverse Mentoring morgen um 03:30 Uhr (Europe/Berlin)"
    assert "Wann: Sonntag, 28. März 2027, 03:30–04:30 Uhr (Europe/Berlin)\n" in texts[3][1]
    assert (
        "Am Sonntag, 28. März 2027 wird die Uhr in Europe/Berlin vorgestellt: 02:30 Uhr (Europe/Berlin) gibt es "
        "an diesem Tag nicht, der Termin beginnt deshalb um 03:30 Uhr (Europe/Berlin)."
    ) in texts[3][1]
    assert texts[10][0] == "Erinnerung: Reverse Mentoring morgen um 02:30 Uhr CEST (Europe/Berlin)"
    assert "Wann: Sonntag, 31. Oktober 2027, 02:30 Uhr CEST – 02:30 Uhr CET (Europe/Berlin)\n" in texts[10][1]
    assert "der Termin ist um das erste (CEST, UTC+02:00)." in texts[10][1]


def whole_calendar(the_request: DeliveryRequest) -> bytes:
    """The calendar as icalendar writes it from one ``Calendar`` object, which
    ``build_calendar`` writes from parts it keeps."""
    method = {MessageKind.INVITE: "REQUEST", MessageKind.INVITE_CANCEL: "CANCEL"}[the_request.kind]
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = invite_event(the_request)
    assert the_request.session is not None
    offset = event_times(the_request.session).offset
    if offset:
        cal.add_component(fixed_offset(offset))
    elif ";TZID=" in event.content_line("dtstart", event["dtstart"]):
        cal.add_component(vtimezone(*invite_zone(the_request)))
    cal.add_component(event)
    return cal.to_ical()


@PROPERTY
@given(
    zone=st.one_of(st.sampled_from(HARD_ZONES), st.sampled_from(ALL_ZONES)),
    local=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2032, 12, 31)),
    minutes=st.sampled_from([30, 60, 90, 24 * 60]),
    kind=st.sampled_from([MessageKind.INVITE, MessageKind.INVITE_CANCEL]),
    program_start=st.dates(min_value=date(2024, 6, 1), max_value=date(2033, 1, 1)),
    name=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40),
)
def test_the_calendar_from_parts_is_what_icalendar_writes_whole(zone, local, minutes, kind, program_start, name):
    local = local.replace(second=0, microsecond=0)
    mentor = Person(name=name, email="lena.weber@example.com", timezone=zone)
    the_request = request(kind, the_session=session(1, local, zone, minutes=minutes), mentor=mentor)
    the_request.program = the_request.program.model_copy(update={"start_date": program_start})
    assert build_calendar(the_request) == whole_calendar(the_request)
