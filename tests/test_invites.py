"""The iCalendar file: what Outlook, Google and Lightning need to show the right meeting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, vRecur

from activities.invites import PRODID, build_calendar
from activities.vtimezone import vtimezone
from mentoring.cohort import Language, Person, Program, ProgramOffice, Role
from mentoring.messages import DeliveryRequest, MessageKind, Recipient, SessionRef

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
COMPOSED_AT = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)

LENA = Person(name="Lena Weber", email="lena.weber@example.com", timezone=BERLIN)
KLAUS = Person(name="Klaus Richter", email="klaus.richter@example.com", timezone=BERLIN)


def program(language: Language = Language.EN, focus: str = "Social collaboration") -> Program:
    return Program(
        cohort_id="dw26",
        cohort_name="Digital Workplace 2026",
        focus=focus,
        language=language,
        program_office=ProgramOffice(name="HR Program Office", email="mentoring-office@example.com"),
        start_date=date(2026, 3, 1),
        duration_months=5,
    )


def session(
    number: int,
    local_start: datetime,
    tz: str = BERLIN,
    *,
    minutes: int = 60,
    sequence: int = 0,
    location: str = "Room 4.12, Tower B",
) -> SessionRef:
    start = local_start.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
    return SessionRef(
        number=number,
        uid=f"dw26-p1-s{number}@mentoring.example.org",
        sequence=sequence,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        local_start=local_start,
        timezone=tz,
        location=location,
    )


def request(
    kind: MessageKind = MessageKind.INVITE,
    *,
    the_session: SessionRef | None = None,
    language: Language = Language.EN,
    mentor: Person = LENA,
    mentee: Person = KLAUS,
    recipient: Recipient | None = None,
    composed_at: datetime = COMPOSED_AT,
    focus: str = "Social collaboration",
    **extra,
) -> DeliveryRequest:
    return DeliveryRequest(
        key=f"pair-dw26-p1/{kind.value}/v1/mentee",
        kind=kind,
        recipient=recipient
        or Recipient(role=Role.MENTEE, name=mentee.name, email=mentee.email, timezone=mentee.timezone),
        program=program(language, focus),
        pair_id="p1",
        mentor=mentor,
        mentee=mentee,
        session=the_session,
        total_sessions=extra.pop("total_sessions", 7),
        composed_at=composed_at,
        **extra,
    )


def parse(ics: bytes) -> tuple[Calendar, object]:
    cal = Calendar.from_ical(ics)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def unfolded_lines(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


# Before and after Europe's DST change on 29 March 2026: same wall clock, different UTC.
@pytest.mark.parametrize(
    ("local", "utc_start"),
    [
        (datetime(2026, 3, 24, 16, 0), datetime(2026, 3, 24, 15, 0, tzinfo=UTC)),
        (datetime(2026, 4, 7, 16, 0), datetime(2026, 4, 7, 14, 0, tzinfo=UTC)),
    ],
)
def test_invite_keeps_berlin_wall_clock_across_dst(local: datetime, utc_start: datetime) -> None:
    ics = build_calendar(request(the_session=session(3, local, sequence=2)))
    cal, event = parse(ics)

    assert cal["METHOD"] == "REQUEST"
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"] == PRODID
    assert event["UID"] == "dw26-p1-s3@mentoring.example.org"
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CONFIRMED"
    assert event["DTSTART"].params["TZID"] == BERLIN
    assert event["DTEND"].params["TZID"] == BERLIN
    stamp = local.strftime("%Y%m%d")
    lines = unfolded_lines(ics)
    assert f"DTSTART;TZID=Europe/Berlin:{stamp}T160000" in lines
    assert f"DTEND;TZID=Europe/Berlin:{stamp}T170000" in lines
    assert event.decoded("DTSTART") == local.replace(tzinfo=ZoneInfo(BERLIN))
    assert event.decoded("DTSTART").astimezone(UTC) == utc_start
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)


def test_dtstamp_is_composed_at_in_utc_not_the_wall_clock() -> None:
    composed = datetime(2026, 9, 1, 10, 15, 30, tzinfo=timezone(timedelta(hours=2)))
    ics = build_calendar(request(the_session=session(1, datetime(2026, 9, 8, 16, 0)), composed_at=composed))
    _, event = parse(ics)
    assert "DTSTAMP:20260901T081530Z" in unfolded_lines(ics)
    assert event.decoded("DTSTAMP") == datetime(2026, 9, 1, 8, 15, 30, tzinfo=UTC)


def test_cancel_uses_method_cancel_and_status_cancelled() -> None:
    the_session = session(4, datetime(2026, 4, 21, 16, 0), sequence=5)
    ics = build_calendar(request(MessageKind.INVITE_CANCEL, the_session=the_session))
    cal, event = parse(ics)
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == "dw26-p1-s4@mentoring.example.org"
    assert event["SEQUENCE"] == 5
    assert "DTSTART;TZID=Europe/Berlin:20260421T160000" in unfolded_lines(ics)


def test_update_is_a_request_with_the_same_uid_and_the_grown_sequence() -> None:
    first = build_calendar(request(the_session=session(4, datetime(2026, 4, 21, 16, 0))))
    moved = session(4, datetime(2026, 4, 23, 9, 30), sequence=3, location="Room 2.07")
    later = datetime(2026, 4, 14, 12, 0, tzinfo=UTC)
    ics = build_calendar(request(the_session=moved, composed_at=later))
    cal, event = parse(ics)
    _, original = parse(first)

    assert cal["METHOD"] == "REQUEST"
    assert event["STATUS"] == "CONFIRMED"
    assert event["UID"] == original["UID"] == "dw26-p1-s4@mentoring.example.org"
    assert (original["SEQUENCE"], event["SEQUENCE"]) == (0, 3)
    assert event.decoded("DTSTAMP") == later > original.decoded("DTSTAMP")
    lines = unfolded_lines(ics)
    assert "DTSTART;TZID=Europe/Berlin:20260423T093000" in lines
    assert "DTEND;TZID=Europe/Berlin:20260423T103000" in lines
    assert "LOCATION:Room 2.07" in lines
    assert len(event["ATTENDEE"]) == 2


def test_cancel_keeps_uid_and_sequence_and_leaves_the_note_out() -> None:
    # The office's reason goes into the email only: calendars are often shared
    # with assistants, and the reason can be personal.
    the_session = session(4, datetime(2026, 4, 21, 16, 0), sequence=2)
    ics = build_calendar(request(MessageKind.INVITE_CANCEL, the_session=the_session, note="Klaus is ill"))
    cal, event = parse(ics)
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == "dw26-p1-s4@mentoring.example.org"
    assert event["SEQUENCE"] == 2
    assert "ill" not in ics.decode()


def test_organizer_and_attendees() -> None:
    _, event = parse(build_calendar(request(the_session=session(1, datetime(2026, 3, 24, 16, 0)))))

    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:mentoring-office@example.com"
    assert dict(organizer.params) == {"CN": "HR Program Office"}

    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == [
        "mailto:lena.weber@example.com",
        "mailto:klaus.richter@example.com",
    ]
    common = {
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "TRUE",
        "CUTYPE": "INDIVIDUAL",
    }
    assert dict(attendees[0].params) == {"CN": "Lena Weber", **common}
    assert dict(attendees[1].params) == {"CN": "Klaus Richter", **common}


@pytest.mark.parametrize(
    ("language", "summary", "description"),
    [
        (
            Language.EN,
            "Reverse mentoring: Social collaboration – session 2 of 7",
            'Reverse mentoring session 2 of 7 in the program "Digital Workplace 2026".\n'
            "Mentor: Lena Weber. Mentee: Klaus Richter.\n"
            "If you need to cancel or move it, please let your partner and the program office "
            "(mentoring-office@example.com) know.",
        ),
        (
            Language.DE,
            "Reverse Mentoring: Social collaboration – Termin 2 von 7",
            "Reverse-Mentoring-Termin 2 von 7 im Programm „Digital Workplace 2026“.\n"
            "Mentor: Lena Weber. Mentee: Klaus Richter.\n"
            "Wenn Sie den Termin absagen oder verschieben müssen, geben Sie bitte Ihrem Gegenüber "
            "und dem Programmbüro (mentoring-office@example.com) Bescheid.",
        ),
    ],
)
def test_summary_location_description_are_localised(language: Language, summary: str, description: str) -> None:
    the_session = session(2, datetime(2026, 4, 7, 16, 0), location="Teams: https://teams.example.com/m/1")
    _, event = parse(build_calendar(request(the_session=the_session, language=language)))
    assert event["SUMMARY"] == summary
    assert event["LOCATION"] == "Teams: https://teams.example.com/m/1"
    assert event["DESCRIPTION"] == description


def test_cancel_description_says_cancelled() -> None:
    the_session = session(2, datetime(2026, 4, 7, 16, 0))
    _, event = parse(build_calendar(request(MessageKind.INVITE_CANCEL, the_session=the_session, language=Language.DE)))
    assert event["DESCRIPTION"].endswith("\nDieser Termin wurde abgesagt.")


def _observances(tz) -> dict[str, object]:
    names = [c.name for c in tz.subcomponents]
    assert sorted(names) == ["DAYLIGHT", "STANDARD"], names
    return {c.name: c for c in tz.subcomponents}


def _rrule(observance) -> dict[str, list]:
    # Read back from the written text, as a client would.
    return dict(vRecur.from_ical(observance["RRULE"].to_ical().decode()))


def test_berlin_invite_carries_outlook_style_vtimezone() -> None:
    ics = build_calendar(request(the_session=session(1, datetime(2026, 3, 24, 16, 0))))
    cal, _ = parse(ics)
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == [BERLIN]
    observances = _observances(zones[0])

    standard, daylight = observances["STANDARD"], observances["DAYLIGHT"]
    assert _rrule(daylight) == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert _rrule(standard) == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert daylight.decoded("DTSTART") == datetime(1970, 3, 29, 2, 0)
    assert standard.decoded("DTSTART") == datetime(1970, 10, 25, 3, 0)
    assert daylight.decoded("TZOFFSETFROM") == timedelta(hours=1)
    assert daylight.decoded("TZOFFSETTO") == timedelta(hours=2)
    assert standard.decoded("TZOFFSETFROM") == timedelta(hours=2)
    assert standard.decoded("TZOFFSETTO") == timedelta(hours=1)
    assert (str(standard["TZNAME"]), str(daylight["TZNAME"])) == ("CET", "CEST")

    lines = unfolded_lines(ics)
    assert "RDATE" not in ics.decode()
    # The zone is defined before the event that refers to it.
    assert lines.index("BEGIN:VTIMEZONE") < lines.index("BEGIN:VEVENT")


def test_new_york_pair_gets_us_rules() -> None:
    # 10 March 2026: the US is on daylight time, Europe is not yet.
    the_session = session(2, datetime(2026, 3, 10, 9, 30), NEW_YORK, minutes=45)
    ics = build_calendar(request(the_session=the_session))
    cal, event = parse(ics)

    assert "DTSTART;TZID=America/New_York:20260310T093000" in unfolded_lines(ics)
    assert "DTEND;TZID=America/New_York:20260310T101500" in unfolded_lines(ics)
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 10, 13, 30, tzinfo=UTC)
    tzids = {event["DTSTART"].params["TZID"], event["DTEND"].params["TZID"]}
    assert tzids == {str(z["TZID"]) for z in cal.walk("VTIMEZONE")} == {NEW_YORK}
    observances = _observances(cal.walk("VTIMEZONE")[0])
    assert _rrule(observances["DAYLIGHT"]) == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["2SU"]}
    assert _rrule(observances["STANDARD"]) == {"FREQ": ["YEARLY"], "BYMONTH": [11], "BYDAY": ["1SU"]}
    assert observances["DAYLIGHT"].decoded("DTSTART") == datetime(1970, 3, 8, 2, 0)
    assert observances["STANDARD"].decoded("DTSTART") == datetime(1970, 11, 1, 2, 0)
    assert observances["DAYLIGHT"].decoded("TZOFFSETTO") == timedelta(hours=-4)
    assert observances["STANDARD"].decoded("TZOFFSETTO") == timedelta(hours=-5)


def test_sydney_daylight_starts_in_october() -> None:
    observances = _observances(vtimezone("Australia/Sydney", datetime(2026, 6, 1, tzinfo=UTC)))
    assert _rrule(observances["DAYLIGHT"]) == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["1SU"]}
    assert _rrule(observances["STANDARD"]) == {"FREQ": ["YEARLY"], "BYMONTH": [4], "BYDAY": ["1SU"]}
    assert observances["DAYLIGHT"].decoded("DTSTART") == datetime(1970, 10, 4, 2, 0)
    assert observances["STANDARD"].decoded("DTSTART") == datetime(1970, 4, 5, 3, 0)
    assert observances["DAYLIGHT"].decoded("TZOFFSETTO") == timedelta(hours=11)
    assert observances["STANDARD"].decoded("TZOFFSETTO") == timedelta(hours=10)


@pytest.mark.parametrize(
    ("tzname", "offset", "abbreviation"),
    [
        ("Asia/Tokyo", timedelta(hours=9), "JST"),
        ("Asia/Kolkata", timedelta(hours=5, minutes=30), "IST"),
        ("Etc/GMT+5", timedelta(hours=-5), "-05"),
        # Iran left DST in 2022.
        ("Asia/Tehran", timedelta(hours=3, minutes=30), "+0330"),
        ("UTC", timedelta(0), "UTC"),
    ],
)
def test_zone_without_dst_has_one_standard_with_a_yearly_rule(
    tzname: str, offset: timedelta, abbreviation: str
) -> None:
    # Without the RRULE the `ical` parser reads the time as UTC once the TZID is renamed.
    tz = vtimezone(tzname, datetime(2027, 5, 4, 12, tzinfo=UTC))
    assert str(tz["TZID"]) == tzname
    assert [c.name for c in tz.subcomponents] == ["STANDARD"]
    standard = tz.subcomponents[0]
    assert standard.decoded("TZOFFSETFROM") == offset
    assert standard.decoded("TZOFFSETTO") == offset
    assert str(standard["TZNAME"]) == abbreviation
    assert _rrule(standard) == {"FREQ": ["YEARLY"]}
    assert standard.decoded("DTSTART") == datetime(1970, 1, 1)


@pytest.mark.parametrize(
    "tzname",
    [BERLIN, NEW_YORK, "Australia/Sydney", "Asia/Tokyo", "Asia/Kolkata", "UTC", "Europe/London", "Pacific/Auckland"],
)
@pytest.mark.parametrize("year", [2026, 2027])
def test_vtimezone_expands_to_zoneinfo_offsets(tzname: str, year: int) -> None:
    # Read the zone back from the file alone, as a client without tzdata would,
    # at noon every day and on both sides of every real transition.
    from_file = vtimezone(tzname, datetime(year, 6, 1, tzinfo=UTC)).to_tz(lookup_tzid=False)
    real = ZoneInfo(tzname)
    instants = [datetime(year, 1, 1, 12, tzinfo=UTC) + timedelta(days=d) for d in range(365)]
    hour = datetime(year, 1, 1, tzinfo=UTC)
    while hour.year == year:
        if hour.astimezone(real).utcoffset() != (hour - timedelta(hours=1)).astimezone(real).utcoffset():
            instants += [hour - timedelta(hours=1, minutes=1), hour - timedelta(hours=1), hour]
        hour += timedelta(hours=1)
    for instant in instants:
        assert instant.astimezone(from_file).utcoffset() == instant.astimezone(real).utcoffset(), instant


def test_utc_session_is_written_as_utc_time() -> None:
    the_session = session(1, datetime(2026, 5, 5, 12, 0), "UTC")
    ics = build_calendar(request(the_session=the_session))
    cal, event = parse(ics)
    assert "DTSTART:20260505T120000Z" in unfolded_lines(ics)
    assert "TZID" not in ics.decode()
    assert cal.walk("VTIMEZONE") == []


def test_line_breaks_and_controls_in_text_never_make_a_property() -> None:
    evil_mentor = Person(name="Eve\r\nATTENDEE:mailto:evil@example.net", email="eve@example.com", timezone=BERLIN)
    the_session = session(1, datetime(2026, 3, 24, 16, 0), location="Room 1\rX-INJECTED:1\u2028X-ALSO:2\x00")
    ics = build_calendar(request(the_session=the_session, mentor=evil_mentor, focus="Social\nMETHOD:PUBLISH"))
    lines = unfolded_lines(ics)
    assert [line for line in lines if line.startswith("METHOD")] == ["METHOD:REQUEST"]
    assert not [line for line in lines if line.startswith(("X-INJECTED", "X-ALSO", "ATTENDEE:"))]
    assert "LOCATION:Room 1\\nX-INJECTED:1\\nX-ALSO:2" in lines
    assert "SUMMARY:Reverse mentoring: Social\\nMETHOD:PUBLISH – session 1 of 7" in lines
    assert b"\x00" not in ics

    _, event = parse(ics)
    assert event["LOCATION"] == "Room 1\nX-INJECTED:1\nX-ALSO:2"
    assert event["ATTENDEE"][0].params["CN"] == "Eve\nATTENDEE:mailto:evil@example.net"
    assert len(event["ATTENDEE"]) == 2


def test_line_break_in_an_attendee_address_is_refused() -> None:
    evil_mentor = Person(name="Eve", email="eve@example.com\r\nX-EVIL:1", timezone=BERLIN)
    with pytest.raises(ValueError, match="CAL-ADDRESS value may not contain CR or LF"):
        build_calendar(request(the_session=session(1, datetime(2026, 3, 24, 16, 0)), mentor=evil_mentor))


def test_only_invites_have_a_calendar() -> None:
    with pytest.raises(ValueError, match="no calendar for message kind 'reminder'"):
        build_calendar(request(MessageKind.REMINDER, the_session=session(1, datetime(2026, 3, 24, 16, 0))))
    with pytest.raises(ValueError, match="has no session"):
        build_calendar(request(MessageKind.INVITE))
