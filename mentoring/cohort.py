"""The validated shape of a cohort, as it travels into workflows.

The cohort *file* format and its checks live in ``mentoring.cohort_file``;
these models hold only resolved, already-checked values.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, time
from enum import StrEnum

from pydantic import BaseModel, model_validator

from mentoring.inputs import (
    DURATION_MONTHS,
    INVITE_LEAD_DAYS,
    NOTICE_HOURS,
    REFLECTION_DELAY_HOURS,
    REMINDER_HOURS,
    SESSION_LENGTH,
    check_working_hours,
)


class Language(StrEnum):
    DE = "de"
    EN = "en"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    EVERY_3_WEEKS = "every_3_weeks"
    MONTHLY = "monthly"


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def day_number(self) -> int:
        """Monday is 0, as in ``date.weekday()``."""
        return list(Weekday).index(self)


class Role(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    PROGRAM_OFFICE = "program_office"


class Person(BaseModel):
    name: str
    email: str
    timezone: str


class ProgramOffice(BaseModel):
    name: str
    email: str
    # The office's own clock, which its weekly digest keeps (``office_zone``). The cohort
    # file always sets it; None in programs started before the digest existed.
    timezone: str | None = None


class SessionPattern(BaseModel):
    """When and where a pair meets, fully resolved from cohort defaults and pair overrides."""

    weekday: Weekday
    local_time: time
    length_minutes: int = SESSION_LENGTH.field()
    location: str
    timezone: str
    cadence: Cadence


class Pair(BaseModel):
    id: str
    mentor: Person
    mentee: Person
    pattern: SessionPattern


class WorkingHours(BaseModel):
    """A working day, Monday to Friday, on each participant's own clock."""

    start: time = time(8, 0)
    end: time = time(18, 0)

    @model_validator(mode="after")
    def _ends_after_start(self) -> WorkingHours:
        check_working_hours(self.start, self.end)
        return self

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class ProposedTimes(BaseModel):
    """What becomes of a new time a participant proposes from their calendar (iTIP
    COUNTER). Off by default: every proposal waits for the program office. On, a
    proposal both participants can attend (``workflows.attendance``) is approved by
    the pair itself."""

    auto_approve: bool = False
    working_hours: WorkingHours = WorkingHours()
    notice_hours: int = NOTICE_HOURS.field(default=48)


class Program(BaseModel):
    """What every pair of a cohort shares."""

    cohort_id: str
    cohort_name: str
    focus: str
    language: Language
    program_office: ProgramOffice
    start_date: date
    duration_months: int = DURATION_MONTHS.field()
    invite_lead_days: int = INVITE_LEAD_DAYS.field(default=14)
    reminder_hours: int = REMINDER_HOURS.field(default=24)
    reflection_delay_hours: int = REFLECTION_DELAY_HOURS.field(default=2)
    proposed_times: ProposedTimes = ProposedTimes()


class Cohort(BaseModel):
    program: Program
    pairs: list[Pair]


def office_zone(cohort: Cohort) -> str:
    """The program office's time zone: the cohort file's ``program_office.timezone``, or
    else the meeting zone most of the cohort's pairs share (on a tie, the one named first
    in the file). The session defaults name no zone (a pair meets in its mentee's, unless
    it says otherwise), so the pairs' own zones are the cohort's default."""
    if cohort.program.program_office.timezone:
        return cohort.program.program_office.timezone
    counts = Counter(pair.pattern.timezone for pair in cohort.pairs)
    # ``max`` keeps the first of equals, and a Counter counts in the order it met the zones.
    return max(counts, key=counts.__getitem__, default="UTC")


def same_address(a: str, b: str) -> bool:
    """Mail addresses name one person whatever their case."""
    return a.casefold() == b.casefold()


def place_of(pairs: list[Pair], email: str, *, except_pair: str | None = None) -> tuple[Pair, Role] | None:
    """The pair and role that already hold ``email``: one person, one pair of a cohort."""
    for pair in pairs:
        if pair.id == except_pair:
            continue
        for role, person in ((Role.MENTOR, pair.mentor), (Role.MENTEE, pair.mentee)):
            if same_address(person.email, email):
                return pair, role
    return None
