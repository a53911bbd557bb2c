"""Calendar replies as real clients mail them to an invite's ORGANIZER, byte for byte.

Built from RFC 5546/6047 and what each client is documented and seen to send:

- Outlook desktop (through Exchange): multipart/alternative of text/plain and
  ``text/calendar; method=REPLY`` in base64; Windows zone names with their VTIMEZONE;
  X-MICROSOFT-CDO-* and X-MS-OLK-* properties; "Propose new time" is a COUNTER with
  the new DTSTART/DTEND and the old ones in X-MS-OLK-ORIGINALSTART/END;
- Outlook.com: the same layout from Exchange Online, and no ORGANIZER;
- Gmail / Google Calendar: multipart/mixed of a multipart/alternative (text/plain,
  text/html, ``text/calendar; method=REPLY``, 7bit) and the same calendar again as an
  ``application/ics`` ``invite.ics`` attachment in base64; times in UTC;
  ``X-NUM-GUESTS`` on the ATTENDEE;
- Apple Calendar (through Apple Mail): an ``iCal-....ics`` attachment of type
  ``text/calendar; method=REPLY`` in quoted-printable, ATTENDEE with an EMAIL
  parameter, and sent from another account than the ATTENDEE's (From ≠ ATTENDEE);
- Thunderbird: text/plain and ``text/calendar`` in a multipart/alternative, plus an
  ``invite.ics`` attachment; here with the method only in the Content-Type.

``encoding`` overrides the transfer encoding of every calendar part.
"""

from __future__ import annotations

import base64
import quopri
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mentoring.replies import CalendarReply, PartStat, ReplyMethod, parse_uid

OFFICE = "office@mentoring.example"
BERLIN = ZoneInfo("Europe/Berlin")
SESSION_START = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
SESSION_END = SESSION_START + timedelta(hours=1)
DTSTAMP = datetime(2026, 10, 28, 10, 15, tzinfo=UTC)
ENCODINGS = ("7bit", "base64", "quoted-printable")


@dataclass(frozen=True)
class Answer:
    """What the participant answered, and how their client writes the address."""

    uid: str = "pair:dw-2026:p1-session-3@reverse-mentoring"
    address: str = "jane.doe@contoso.example"  # as the client writes it
    scheme: str = "mailto"  # or "MAILTO"
    name: str = "Jane Doe"
    partstat: str = "ACCEPTED"  # as written: any case
    sequence: int | None = 0  # None: no SEQUENCE line
    method: str = "REPLY"
    proposed: tuple[datetime, datetime] | None = None  # COUNTER: UTC start and end
    token: str = "3f1c2a"  # makes each mail's Message-ID

    @property
    def times(self) -> tuple[datetime, datetime]:
        return self.proposed or (SESSION_START, SESSION_END)


@dataclass(frozen=True)
class Mail:
    raw: bytes
    message_id: str


def expected(answer: Answer, mail: Mail) -> CalendarReply:
    found = parse_uid(answer.uid)
    assert found is not None
    partstat = answer.partstat.lower()
    counter = answer.method == "COUNTER"
    return CalendarReply(
        message_id=mail.message_id,
        method=ReplyMethod(answer.method),
        workflow_id=found[0],
        session=found[1],
        sequence=answer.sequence or 0,
        attendee=answer.address,
        partstat=PartStat(partstat) if partstat in ("accepted", "tentative", "declined") else None,
        proposed_start=answer.proposed[0] if counter and answer.proposed else None,
        proposed_end=answer.proposed[1] if counter and answer.proposed else None,
        dtstamp=DTSTAMP,
    )


# --- MIME --------------------------------------------------------------------------


def fold(line: str) -> str:
    """RFC 5545 folding at 75 octets, never inside a UTF-8 sequence."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " "
        current += char
    return "\r\n".join([*out, current])


def ics(lines: list[str]) -> str:
    return "".join(fold(line) + "\r\n" for line in lines if line)


def part(headers: list[str], body: str, encoding: str) -> str:
    if encoding == "base64":
        text = base64.encodebytes(body.encode()).decode().replace("\n", "\r\n")
    elif encoding == "quoted-printable":
        text = quopri.encodestring(body.replace("\r\n", "\n").encode()).decode().replace("\n", "\r\n")
    else:
        text, encoding = body, "7bit" if body.isascii() else "8bit"
    return "\r\n".join([*headers, f"Content-Transfer-Encoding: {encoding}", "", text])


def multipart(content_type: str, boundary: str, parts: list[str], preamble: str = "") -> str:
    head = f'Content-Type: {content_type}; boundary="{boundary}"\r\n\r\n{preamble}'
    return head + "".join(f"\r\n--{boundary}\r\n{p}" for p in parts) + f"\r\n--{boundary}--\r\n"


def message(headers: list[str], body: str) -> bytes:
    return ("\r\n".join(headers) + "\r\n" + body).encode()


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def local(when: datetime) -> str:
    return when.astimezone(BERLIN).strftime("%Y%m%dT%H%M%S")


def attendee(answer: Answer, params: str) -> str:
    return f"ATTENDEE;{params}:{answer.scheme}:{answer.address}"


_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:{tzid}
{location}
BEGIN:STANDARD
DTSTART:{year}{standard}T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:{year}{daylight}T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""


def vtimezone(tzid: str) -> list[str]:
    """Europe/Berlin's rules as Exchange (a Windows name, rules from 1601) and as
    Thunderbird and Apple (the IANA name, X-LIC-LOCATION) write them."""
    if tzid == "Europe/Berlin":
        text = _VTIMEZONE.format(
            tzid=tzid, location=f"X-LIC-LOCATION:{tzid}", year="1970", standard="1025", daylight="0329"
        )
    else:
        text = _VTIMEZONE.format(tzid=tzid, location="", year="1601", standard="0101", daylight="0101")
    return text.splitlines()


# --- Clients -------------------------------------------------------------------------
# Calendars and headers as templates; a line that formats empty is left out.

_SUBJECT = {"ACCEPTED": "Accepted", "TENTATIVE": "Tentative", "DECLINED": "Declined"}
_TITLE = "Reverse mentoring: session 3 of 12"
_WINDOWS_TZ = "W. Europe Standard Time"

_EXCHANGE_ICS = """BEGIN:VCALENDAR
METHOD:{a.method}
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
{vtimezone}
BEGIN:VEVENT
{organizer}
ATTENDEE;PARTSTAT={a.partstat};CN={a.name}:{a.scheme}:{a.address}
COMMENT;LANGUAGE=en-US:\\n
SUMMARY;LANGUAGE=en-US:{subject}
DTSTART;TZID={tzid}:{start}
DTEND;TZID={tzid}:{end}
UID:{a.uid}
CLASS:PUBLIC
PRIORITY:5
DTSTAMP:{dtstamp}
TRANSP:OPAQUE
STATUS:CONFIRMED
{sequence}
LOCATION;LANGUAGE=en-US:Teams
X-MICROSOFT-CDO-APPT-SEQUENCE:{a_sequence}
X-MICROSOFT-CDO-OWNERAPPTID:-1918313337
X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE
X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY
X-MICROSOFT-CDO-ALLDAYEVENT:FALSE
X-MICROSOFT-CDO-IMPORTANCE:1
X-MICROSOFT-CDO-INSTTYPE:0
{original_start}
{original_end}
X-MICROSOFT-DONOTFORWARDMEETING:FALSE
X-MICROSOFT-DISALLOW-COUNTER:FALSE
X-MS-OLK-CONFTYPE:0
END:VEVENT
END:VCALENDAR"""

_EXCHANGE_HEADERS = """From: {a.name} <{a.address}>
To: Program Office <{office}>
Subject: {subject}
Thread-Topic: {title}
Thread-Index: AQHbK1x2nVx0PbqHRUmx3yOq0bqYtA==
Date: Wed, 28 Oct 2026 10:15:00 +0000
Message-ID: {message_id}
Accept-Language: en-US
Content-Language: en-US
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
MIME-Version: 1.0"""

_GOOGLE_ICS = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:{a.method}
BEGIN:VEVENT
DTSTART:{start}
DTEND:{end}
DTSTAMP:{dtstamp}
ORGANIZER;CN=Program Office:mailto:{office}
UID:{a.uid}
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={a.partstat};CN={a.name};X-NUM-GUESTS=0:{a.scheme}:{a.address}
CREATED:20261020T080000Z
DESCRIPTION:-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:-
LAST-MODIFIED:20261028T101500Z
LOCATION:Teams
{sequence}
STATUS:CONFIRMED
SUMMARY:{title}
TRANSP:OPAQUE
END:VEVENT
END:VCALENDAR"""

_GOOGLE_HEADERS = """MIME-Version: 1.0
Reply-To: {a.name} <{a.address}>
Sender: Google Calendar <calendar-notification@google.com>
Date: Wed, 28 Oct 2026 10:15:00 +0000
Message-ID: {message_id}
Subject: {subject} @ Tue 3 Nov 2026 10am - 11am (CET) ({office})
From: {a.name} <{a.address}>
To: {office}"""

# Apple and Thunderbird: Europe/Berlin with its VTIMEZONE; the lines each adds go in {extra}.
_BERLIN_ICS = """BEGIN:VCALENDAR
{method}
PRODID:{prodid}
VERSION:2.0
{vtimezone}
BEGIN:VEVENT
CREATED:{dtstamp}
DTSTAMP:{dtstamp}
UID:{a.uid}
SUMMARY:{title}
ORGANIZER;CN=Program Office:mailto:{office}
{extra}
DTSTART;TZID=Europe/Berlin:{start}
DTEND;TZID=Europe/Berlin:{end}
{sequence}
END:VEVENT
END:VCALENDAR"""

_APPLE_EXTRA = """ATTENDEE;CN="{a.name}";CUTYPE=INDIVIDUAL;EMAIL="{a.address}";PARTSTAT={a.partstat};ROLE=REQ-PARTICIPANT:{a.scheme}:{a.address}
TRANSP:OPAQUE
X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC"""

# Apple Calendar has sent replies from the Mac's other account: From is not the ATTENDEE.
_APPLE_HEADERS = """From: {a.name} <jd.private@icloud.com>
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))
Subject: {subject}
Message-Id: {message_id}
Date: Wed, 28 Oct 2026 11:15:00 +0100
To: {office}
X-Mailer: Apple Mail (2.3826.300.87.4.3)"""

_THUNDERBIRD_EXTRA = """ATTENDEE;RSVP=TRUE;CN={a.name};PARTSTAT={a.partstat};ROLE=REQ-PARTICIPANT:{a.scheme}:{a.address}
X-MOZ-RECEIVED-SEQUENCE:{a_sequence}
X-MOZ-RECEIVED-DTSTAMP:{dtstamp}
X-MOZ-GENERATION:2"""

_THUNDERBIRD_HEADERS = """Message-ID: {message_id}
Date: Wed, 28 Oct 2026 11:15:00 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: en-US
From: {a.name} <{a.address}>
To: Program Office <{office}>
Subject: {subject}"""

_INVITE_ICS = [
    'Content-Type: application/ics; name="invite.ics"',
    'Content-Disposition: attachment; filename="invite.ics"',
]


def fill(template: str, answer: Answer, **fields: str) -> list[str]:
    """The template's lines for this answer, the times as ``local`` or ``stamp`` writes them."""
    start, end = answer.times
    write = stamp if fields.pop("utc", "") else local
    values = {
        "a": answer,
        "a_sequence": str(answer.sequence or 0),
        "sequence": f"SEQUENCE:{answer.sequence}" if answer.sequence is not None else "",
        "start": write(start),
        "end": write(end),
        "dtstamp": stamp(DTSTAMP),
        "subject": _subject(answer),
        "title": _TITLE,
        "office": OFFICE,
        **fields,
    }
    return template.format(**values).splitlines()


def _subject(answer: Answer) -> str:
    if answer.method == "COUNTER":
        return f"New Time Proposed: {_TITLE}"
    return f"{_SUBJECT.get(answer.partstat.upper(), 'Re')}: {_TITLE}"


def _exchange(answer: Answer, encoding: str | None, *, host: str, organizer: bool) -> Mail:
    tag = f"{host.split('.')[0]}{answer.token.upper()}"
    counter = answer.method == "COUNTER"
    calendar = fill(
        _EXCHANGE_ICS,
        answer,
        vtimezone="\n".join(vtimezone(_WINDOWS_TZ)),
        tzid=_WINDOWS_TZ,
        organizer=f'ORGANIZER;CN="Program Office":mailto:{OFFICE}' if organizer else "",
        # Outlook's "propose new time" keeps the times it was asked about.
        original_start=f"X-MS-OLK-ORIGINALSTART:{stamp(SESSION_START)}" if counter else "",
        original_end=f"X-MS-OLK-ORIGINALEND:{stamp(SESSION_END)}" if counter else "",
    )
    calendar_type = f'Content-Type: text/calendar; charset="utf-8"; method={answer.method}'
    parts = [
        part(['Content-Type: text/plain; charset="us-ascii"'], "\r\n", "quoted-printable"),
        part([calendar_type], ics(calendar), encoding or "base64"),
    ]
    message_id = f"<{tag}@{host}>"
    headers = fill(_EXCHANGE_HEADERS, answer, message_id=message_id)
    return Mail(message(headers, multipart("multipart/alternative", f"_000_{tag}_", parts)), message_id)


def outlook_desktop(answer: Answer, encoding: str | None = None) -> Mail:
    return _exchange(answer, encoding, host="AM0PR07MB4211.eurprd07.prod.outlook.com", organizer=True)


def outlook_com(answer: Answer, encoding: str | None = None) -> Mail:
    return _exchange(answer, encoding, host="DB9P189MB1698.EURP189.PROD.OUTLOOK.COM", organizer=False)


def google(answer: Answer, encoding: str | None = None) -> Mail:
    calendar = ics(fill(_GOOGLE_ICS, answer, utc="yes"))
    said = f"{answer.name} has accepted this invitation."
    calendar_type = f'Content-Type: text/calendar; charset="UTF-8"; method={answer.method}'
    alternative = [
        part(['Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes'], said, "7bit"),
        part(['Content-Type: text/html; charset="UTF-8"'], f"<span>{said}</span>", "quoted-printable"),
        part([calendar_type], calendar, encoding or "7bit"),
    ]
    parts = [
        multipart("multipart/alternative", f"000000000000a1b2c3{answer.token}", alternative),
        part(_INVITE_ICS, calendar, encoding or "base64"),
    ]
    message_id = f"<calendar-{answer.token}-4b1e-9f0e-6c2d5a7e1b3f@google.com>"
    headers = fill(_GOOGLE_HEADERS, answer, message_id=message_id)
    return Mail(message(headers, multipart("multipart/mixed", f"000000000000a1b2c4{answer.token}", parts)), message_id)


def _berlin_calendar(answer: Answer, prodid: str, extra: str, *, method: bool) -> str:
    return ics(
        fill(
            _BERLIN_ICS,
            answer,
            method=f"METHOD:{answer.method}" if method else "",
            prodid=prodid,
            vtimezone="\n".join(vtimezone("Europe/Berlin")),
            extra="\n".join(fill(extra, answer)),
        )
    )


def apple(answer: Answer, encoding: str | None = None) -> Mail:
    calendar = _berlin_calendar(answer, "-//Apple Inc.//macOS 15.1//EN", _APPLE_EXTRA, method=True)
    name = "iCal-20261028-101500.ics"
    calendar_headers = [
        f"Content-Disposition: attachment; filename={name}",
        f'Content-Type: text/calendar; x-unix-mode=0644; name="{name}"; method={answer.method}; charset=utf-8',
    ]
    parts = [
        part(["Content-Type: text/plain; charset=us-ascii"], f"{answer.name} has accepted.\r\n", "7bit"),
        part(calendar_headers, calendar, encoding or "quoted-printable"),
    ]
    boundary = f"Apple-Mail=_5B2E0D1C-{answer.token.upper()}-4E8A-9C41-0F2B7D6E3A91"
    message_id = f"<{answer.token.upper()}-7A1D-4C3B-8E2F-1B9D0C6A5E47@icloud.com>"
    headers = fill(_APPLE_HEADERS, answer, message_id=message_id)
    return Mail(message(headers, multipart("multipart/mixed", boundary, parts)), message_id)


def thunderbird(answer: Answer, encoding: str | None = None) -> Mail:
    prodid = "-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN"
    calendar = _berlin_calendar(answer, prodid, _THUNDERBIRD_EXTRA, method=False)
    said = f"{answer.name} has accepted your event invitation."
    calendar_type = f"Content-Type: text/calendar; charset=UTF-8; method={answer.method}"
    alternative = [
        part(["Content-Type: text/plain; charset=UTF-8; format=flowed"], said, "7bit"),
        part([calendar_type], calendar, encoding or "base64"),
    ]
    parts = [
        multipart("multipart/alternative", f"------------alt{answer.token}Vp0YbGv0e3", alternative),
        part(_INVITE_ICS, calendar, encoding or "base64"),
    ]
    preamble = "This is a multi-part message in MIME format."
    body = multipart("multipart/mixed", f"------------mix{answer.token}Vp0YbGv0e3", parts, preamble)
    message_id = f"<{answer.token}-2f4e-4b0a-9d3c-8e1f7a6b5c4d@contoso.example>"
    return Mail(message(fill(_THUNDERBIRD_HEADERS, answer, message_id=message_id), body), message_id)


Shape = Callable[[Answer, str | None], Mail]
SHAPES: dict[str, Shape] = {
    "outlook_desktop": outlook_desktop,
    "outlook_com": outlook_com,
    "google": google,
    "apple": apple,
    "thunderbird": thunderbird,
}
# The clients whose "propose new time" mails a COUNTER (Apple Calendar has no such button;
# Google proposes only to Google organizers).
COUNTER_SHAPES = ("outlook_desktop", "outlook_com", "thunderbird")
