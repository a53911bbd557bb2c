"""What participants answer from the links in our emails, and what the pair records.

The response site turns a submitted form into one ``ParticipantAnswer``; the pair
workflow takes it through the ``record_answer`` update (or the ``record_answer_later``
signal while no worker runs) and keeps an ``AnswerRecord``. Reflection text is not
here on purpose: it never reaches the workflow (see docs/responses.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from mentoring.cohort import Language, Role
from mentoring.inputs import COMMENT_MAX, RATING, RECOMMENDATION

# One answer id per link and form: the site derives it from the signed link, so a form
# sent twice (a double click, a retry, the signal after a timed-out update) records once.
ANSWER_ID_MAX = 64

# After a session's reflection prompt: who has not checked in hears again, and later
# the check-in closes and pair health counts the session as not held.
CHECK_IN_REMINDER_AFTER = timedelta(days=3)
CHECK_IN_CLOSES_AFTER = timedelta(days=7)
# The pair takes answers (the closing review, late check-ins) this long after its
# closing review went out, then finishes. Links are signed to last a little longer.
ANSWERS_AFTER_CLOSING = timedelta(days=21)
LINKS_LAST_AFTER_END = timedelta(days=60)

Rating = Annotated[int, Field(ge=RATING.lo, le=RATING.hi)]
Recommendation = Annotated[int, Field(ge=RECOMMENDATION.lo, le=RECOMMENDATION.hi)]


class PairHealth(StrEnum):
    HEALTHY = "healthy"
    # A session had no "we met" by the time its check-in closed.
    QUIET = "quiet"
    # Two sessions in a row not held, or a review rating of 1 or 2.
    AT_RISK = "at_risk"


class CheckInChoice(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NEW_DATE = "new_date"


class ReviewStage(StrEnum):
    MIDPOINT = "midpoint"
    CLOSING = "closing"


class KeepMeeting(StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


class Ratings(BaseModel):
    """The three functions of mentoring, each 1 (not at all) to 5 (very much)."""

    career: Rating | None = None
    psychosocial: Rating | None = None
    emotional: Rating | None = None

    def values(self) -> list[int]:
        return [v for v in (self.career, self.psychosocial, self.emotional) if v is not None]


class _Answer(BaseModel):
    answer_id: str = Field(min_length=8, max_length=ANSWER_ID_MAX, pattern=r"^[A-Za-z0-9_-]+$")
    role: Literal[Role.MENTOR, Role.MENTEE]


class CheckInAnswer(_Answer):
    kind: Literal["check_in"] = "check_in"
    # ``SessionState.number``: the stable id, which the link carries.
    session: int
    choice: CheckInChoice
    # With NEW_DATE: the slot chosen on the page, in the pair's meeting zone.
    new_local_start: datetime | None = None


class ReflectionAnswer(_Answer):
    kind: Literal["reflection"] = "reflection"
    session: int
    ratings: Ratings = Ratings()
    # Whether the participant sent their text to their partner; the text itself is not here.
    shared: bool = False


class ReviewAnswer(_Answer):
    kind: Literal["review"] = "review"
    stage: ReviewStage
    ratings: Ratings = Ratings()
    # Progress on the pair's focus, 1 to 5.
    focus_progress: Rating | None = None
    # Closing only: would they recommend reverse mentoring to a colleague (0–10), and
    # will the pair keep meeting.
    recommend: Recommendation | None = None
    keep_meeting: KeepMeeting | None = None
    # Addressed to the program office, and shown to it.
    comment_to_office: str | None = Field(default=None, max_length=COMMENT_MAX)


ParticipantAnswer = Annotated[CheckInAnswer | ReflectionAnswer | ReviewAnswer, Field(discriminator="kind")]


class AnswerRequest(BaseModel):
    """The one model the update and the signal take."""

    answer: ParticipantAnswer


class AnswerReceipt(BaseModel):
    answer_id: str
    # False when this answer id was recorded before: nothing changed now.
    recorded: bool
    summary: str
    recorded_at: AwareDatetime


class AnswerRecord(BaseModel):
    """An answer as the pair keeps it: what was chosen, never what was written to a partner."""

    answer: CheckInAnswer | ReflectionAnswer | ReviewAnswer = Field(discriminator="kind")
    recorded_at: AwareDatetime
    # The session's SEQUENCE when answered: a check-in is about that time of the session.
    sequence: int | None = None


class AnswerViewRequest(BaseModel):
    """What the site asks before it shows a page for one link."""

    role: Literal[Role.MENTOR, Role.MENTEE]
    # ``check_in`` / ``reflection`` with a session number, or ``review`` with a stage.
    item: Literal["check_in", "reflection", "review"]
    session: int = 0
    stage: ReviewStage | None = None


class SessionView(BaseModel):
    number: int  # the position people read ("session 3 of 12")
    total: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    local_start: datetime
    timezone: str
    cancelled: bool
    past: bool


class AnswerView(BaseModel):
    """Everything the page shows, read from the pair by a query. Addresses are here for
    the site's journal email only; the page shows first names."""

    open: bool
    # Why the page takes no answer, for the participant: "ended", "paused", "answered",
    # "cancelled", "replaced", "unknown".
    closed_because: str | None = None
    language: Language
    first_name: str
    partner_first_name: str
    email: str
    partner_email: str
    partner_role: Role
    own_timezone: str
    focus: str
    session: SessionView | None = None
    answered: AnswerRecord | None = None
    # For "we need a new date": the rhythm, the program window and the taken days.
    cadence: str | None = None
    weekday: str | None = None
    local_time: str | None = None
    length_minutes: int | None = None
    rhythm_anchor: str | None = None
    program_end: str | None = None
    taken_days: list[str] = []
    pair_timezone: str | None = None
