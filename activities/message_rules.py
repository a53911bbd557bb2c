"""What each kind of message needs before it can be written, and who may receive it.

A clear error beats a half-empty email: composing checks these first, and a request
that breaks one is a message no retry can send (``delivery_errors.invalid``).
"""

from __future__ import annotations

from activities.reply_notes import check_counter
from mentoring.cohort import Role
from mentoring.messages import DeliveryRequest, MessageKind

# About a cohort, not one pair: no pair id, mentor or mentee.
COHORT_KINDS = {MessageKind.WEEKLY_DIGEST}
_ABOUT_A_PAIR = ("pair_id", "mentor", "mentee")

_REQUIRED: dict[MessageKind, tuple[str, ...]] = {
    MessageKind.INVITE: ("session",),
    MessageKind.INVITE_CANCEL: ("session",),
    MessageKind.REMINDER: ("session",),
    MessageKind.REFLECTION: ("mentoring_function",),
    MessageKind.COMPLETION_NOTICE: ("summary",),
    MessageKind.DELIVERY_FAILURE_NOTICE: ("failure",),
    MessageKind.ANNOUNCEMENT: ("announcement_subject", "announcement_body"),
    MessageKind.CHECK_IN_REMINDER: ("session",),
    MessageKind.NEW_DATE_CHOSEN: ("session",),
    # ``note``: the role of the participant whose calendar replied.
    MessageKind.SESSION_DECLINED: ("session", "note"),
    MessageKind.DECLINED_NEW_DATE: ("session",),
    MessageKind.COUNTER_PROPOSED: ("session", "note", "counter_start", "counter_end"),
    MessageKind.COUNTER_DECLINED: ("session",),
    MessageKind.COUNTER_AUTO_APPROVED: ("session", "note", "moved_from"),
    # ``DigestDelivery.digest`` (``mentoring.reporting.digest``).
    MessageKind.WEEKLY_DIGEST: ("digest",),
}
_PARTICIPANT_KINDS = {
    MessageKind.WELCOME,
    MessageKind.INVITE,
    MessageKind.INVITE_CANCEL,
    MessageKind.REMINDER,
    MessageKind.REFLECTION,
    MessageKind.MIDPOINT_REVIEW,
    MessageKind.CLOSING_REVIEW,
    MessageKind.PROGRAM_PAUSED,
    MessageKind.PROGRAM_RESUMED,
    MessageKind.PARTNER_CHANGED,
    MessageKind.ANNOUNCEMENT,
    MessageKind.CHECK_IN_REMINDER,
    MessageKind.PAIR_NUDGE,
    MessageKind.NEW_DATE_CHOSEN,
    MessageKind.DECLINED_NEW_DATE,
    MessageKind.COUNTER_DECLINED,
}
# What tells the office which participants to help must not reach a participant.
_OFFICE_KINDS = {
    MessageKind.AT_RISK_ALERT,
    MessageKind.COUNTER_PROPOSED,
    MessageKind.COUNTER_AUTO_APPROVED,
    MessageKind.WEEKLY_DIGEST,
}


def check_inputs(request: DeliveryRequest) -> None:
    needed = _REQUIRED.get(request.kind, ())
    if request.kind not in COHORT_KINDS:
        needed = _ABOUT_A_PAIR + needed
    for field in needed:
        value = getattr(request, field, None)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(f"{request.kind.value} message {request.key!r} needs {field}")
    if request.kind in _PARTICIPANT_KINDS and request.recipient.role is Role.PROGRAM_OFFICE:
        raise ValueError(f"{request.kind.value} message {request.key!r} goes to mentor or mentee")
    if request.kind in _OFFICE_KINDS and request.recipient.role is not Role.PROGRAM_OFFICE:
        raise ValueError(f"{request.kind.value} message {request.key!r} goes to the program office")
    check_counter(request)
