"""What the workflow asks the email activity to deliver, and what comes back."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, SerializerFunctionWrapHandler, model_serializer

from mentoring.cohort import Person, Program, Role
from mentoring.replies import CounterHold


class MessageKind(StrEnum):
    WELCOME = "welcome"
    INVITE = "invite"
    INVITE_CANCEL = "invite_cancel"
    REMINDER = "reminder"
    REFLECTION = "reflection"
    MIDPOINT_REVIEW = "midpoint_review"
    CLOSING_REVIEW = "closing_review"
    COMPLETION_NOTICE = "completion_notice"
    DELIVERY_FAILURE_NOTICE = "delivery_failure_notice"
    PROGRAM_PAUSED = "program_paused"
    PROGRAM_RESUMED = "program_resumed"
    PARTNER_CHANGED = "partner_changed"
    ANNOUNCEMENT = "announcement"
    # Hearing back from participants (docs/responses.md).
    CHECK_IN_REMINDER = "check_in_reminder"
    PAIR_NUDGE = "pair_nudge"
    AT_RISK_ALERT = "at_risk_alert"
    NEW_DATE_CHOSEN = "new_date_chosen"
    # Replies to the invites from the program office's mailbox (calendar replies).
    SESSION_DECLINED = "session_declined"
    DECLINED_NEW_DATE = "declined_new_date"
    COUNTER_PROPOSED = "counter_proposed"
    # To the proposer, with METHOD:DECLINECOUNTER: the office keeps the session's time.
    COUNTER_DECLINED = "counter_declined"
    # To the office, for its information: both could attend, so the pair took the time.
    COUNTER_AUTO_APPROVED = "counter_auto_approved"
    # To the program office on Mondays, about its whole cohort (docs/reports.md).
    WEEKLY_DIGEST = "weekly_digest"


class MentoringFunction(StrEnum):
    """The three functions of mentoring that reflection prompts rotate through."""

    CAREER = "career"
    PSYCHOSOCIAL = "psychosocial"
    EMOTIONAL = "emotional"


class Recipient(BaseModel):
    role: Role
    name: str
    email: str
    # The recipient's own zone: every time their email shows is on this clock.
    timezone: str | None = None


class SessionRef(BaseModel):
    """A session as a message shows it; ``uid`` and ``sequence`` go into the invite."""

    number: int
    uid: str
    sequence: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    local_start: datetime
    timezone: str
    location: str
    # ``SessionState.number``, the stable id a response link names (``number`` is its place).
    session_id: int = 0


class DeliveryFailure(BaseModel):
    """For the program office: which address bounced, never what the message said."""

    pair_id: str
    role: Role
    email: str
    kind: MessageKind
    smtp_code: int
    smtp_reply: str


class CompletionSummary(BaseModel):
    sessions_planned: int
    sessions_held: int
    messages_sent: int
    messages_failed: int


class DeliveryRequest(BaseModel):
    # ``key`` is workflow/event/version/recipient; the Message-ID is derived from it.
    key: str
    kind: MessageKind
    recipient: Recipient
    program: Program
    # The pair the message is about; None for a message about the whole cohort
    # (``activities.message_rules.COHORT_KINDS``), which every other kind is refused.
    pair_id: str | None = None
    mentor: Person | None = None
    mentee: Person | None = None
    session: SessionRef | None = None
    sessions: list[SessionRef] = []
    total_sessions: int = 0
    mentoring_function: MentoringFunction | None = None
    reflection_round: int = 0
    midpoint_at: AwareDatetime | None = None
    failure: DeliveryFailure | None = None
    summary: CompletionSummary | None = None
    # INVITE: this recipient already has an earlier version of this session in their calendar.
    is_update: bool = False
    # Why the program office changed something (cancel, pause, end early), shown as written.
    # SESSION_DECLINED, COUNTER_PROPOSED and COUNTER_AUTO_APPROVED: the role ("mentor" or "mentee") of the
    # participant whose calendar replied.
    note: str | None = None
    # PROGRAM_PAUSED: last day of the pause, or None for "until further notice".
    paused_until: date | None = None
    # ANNOUNCEMENT: the program office's own subject and plain-text body.
    announcement_subject: str | None = None
    announcement_body: str | None = None
    # The workflow's clock, so Date and DTSTAMP show program time in a preview.
    composed_at: AwareDatetime
    # The pair takes answers: check-in, reflection and review emails carry signed links
    # to the response site that last until this day.
    links_expire: date | None = None
    # COUNTER_PROPOSED, COUNTER_DECLINED and COUNTER_AUTO_APPROVED: the time a
    # participant's calendar proposed.
    counter_start: AwareDatetime | None = None
    counter_end: AwareDatetime | None = None
    # COUNTER_PROPOSED: the rules of ``proposed_times`` the time breaks (empty when the
    # cohort leaves every proposal to the office).
    counter_holds: list[CounterHold] = []
    # COUNTER_AUTO_APPROVED: when the session started before it moved (same length).
    moved_from: AwareDatetime | None = None

    @model_serializer(mode="wrap")
    def _without_defaults(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Fields left at their default are left out: a request is in the pair's history
        once per message, and most kinds use few of the optional fields. Reading it back
        gives the same request."""
        data: dict[str, Any] = handler(self)
        defaults = _REQUEST_DEFAULTS
        return {
            name: value for name, value in data.items() if name not in defaults or getattr(self, name) != defaults[name]
        }


_REQUEST_DEFAULTS = {
    name: field.default for name, field in DeliveryRequest.model_fields.items() if not field.is_required()
}


class DeliveryReceipt(BaseModel):
    """What the pair records of a sent message. The key is the request's and the server's
    reply is in the delivery ledger, so since issue 14 the activity leaves both out: each
    is in the pair's history once per message (receipts from before still decode)."""

    message_id: str
    smtp_code: int
    key: str = ""
    smtp_reply: str = ""


PERMANENT_FAILURE = "PermanentDeliveryFailure"
"""ApplicationError type raised (non-retryable) on a 5xx reply; details hold [code, reply]."""

INVALID_MESSAGE = "InvalidMessage"
"""ApplicationError type (non-retryable) for content that cannot become an email; no address is at fault."""
