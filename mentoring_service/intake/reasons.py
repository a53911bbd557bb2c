"""Why the intake files a mail as ignored: a fixed vocabulary, without any address, that
the log and the counters use (``mentoring_service.intake.parse`` gives these)."""

from __future__ import annotations

from dataclasses import dataclass

_ITIP_METHODS = frozenset({"PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER", "DECLINECOUNTER"})
_PARTSTATS = frozenset({"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED", "COMPLETED", "IN-PROCESS"})


@dataclass(frozen=True)
class Ignored:
    """A mail that is no calendar reply we can use, and why, in words without any address."""

    reason: str


# Every reason a mail is ignored for; ``not_a_reply`` and ``no_answer`` add a method or
# PARTSTAT from the fixed lists above.
_FIXED_REASONS: list[str] = []


def _reason(text: str) -> str:
    _FIXED_REASONS.append(text)
    return text


TOO_BIG = _reason("message over 2 MB")
HEADER_TOO_LONG = _reason("MIME header over 4 KB")
TOO_COMPLEX = _reason("too many MIME parts or headers")
DELIVERY_REPORT = _reason("delivery report")
AUTOMATIC_REPLY = _reason("automatic reply without a calendar")
NO_CALENDAR = _reason("no calendar part")
CALENDAR_TOO_BIG = _reason("calendar part over 256 KB")
MALFORMED = _reason("malformed calendar")
NO_METHOD = _reason("calendar without a method")
METHODS_DIFFER = _reason("method parameter and METHOD differ")
NO_EVENT = _reason("calendar without an event")
UNKNOWN_UID = _reason("unknown UID")
SEVERAL_SESSIONS = _reason("events of several sessions")
NO_ATTENDEE = _reason("reply without an attendee")
SEVERAL_ATTENDEES = _reason("several attendees")
NOT_AN_ADDRESS = _reason("attendee without a mail address")
NO_PROPOSED_TIME = _reason("counter without a proposed start and end")
WHOLE_DAY = _reason("proposed time is a whole day")
FLOATING = _reason("proposed time without a time zone")
ENDS_BEFORE_START = _reason("proposed time ends before it starts")


def not_a_reply(method: str) -> str:
    return f"METHOD:{method} is no reply" if method in _ITIP_METHODS else "unknown METHOD"


def no_answer(partstat: str | None) -> str:
    if partstat is None:
        return "reply without PARTSTAT"
    return f"reply with PARTSTAT={partstat}" if partstat in _PARTSTATS else "reply with an unknown PARTSTAT"


def reasons() -> frozenset[str]:
    """Every reason ``read_reply`` can give: the log's and the counters' vocabulary."""
    methods = {not_a_reply(m) for m in _ITIP_METHODS} | {not_a_reply("")}
    answers = {no_answer(p) for p in _PARTSTATS} | {no_answer(None), no_answer("")}
    return frozenset(_FIXED_REASONS) | methods | answers
