"""The whole cohort file: its top-level keys, the program, the session defaults, then the pairs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from mentoring.cohort import Cohort, Program, ProgramOffice, ProposedTimes, WorkingHours, office_zone
from mentoring.cohort_file import fields as f
from mentoring.cohort_file.fields import BAD
from mentoring.cohort_file.pairs import check_pairs, csv_pair_sites, yaml_pair_sites
from mentoring.cohort_file.structure import (
    OFFICE_KEYS,
    OFFICE_OPTIONAL,
    PROPOSED_TIMES_KEYS,
    SESSION_KEYS,
    TOP_OPTIONAL,
    TOP_REQUIRED,
    Checker,
)

# Start dates a program can have. Far-off years break the session plan
# (year 9999 + 6 months does not exist, year 1 minus the invite lead time
# neither) and timers longer than Temporal's ~290-year limit.
EARLIEST_START = date(2000, 1, 1)
LATEST_START = date(2099, 12, 31)
_OPTIONAL_NUMBERS = {
    "invite_lead_days": f.invite_lead_days,
    "reminder_hours": f.reminder_hours,
    "reflection_delay_hours": f.reflection_delay_hours,
}


def check_cohort(checker: Checker, base_dir: Path, *, today: date | None, start_date: date | None) -> Cohort | None:
    """The resolved cohort, or None when ``checker`` has reported a problem."""
    _check_top_keys(checker, start_date)
    program = _program_fields(checker, start_date)
    defaults = _session_defaults(checker)
    start = _effective_start(checker, program.pop("file_start"), start_date, today)
    data = checker.data
    sites = []
    if "pairs" in data:
        sites = yaml_pair_sites(checker)
    elif "pairs_csv" in data:
        sites = csv_pair_sites(checker, base_dir)
    pairs = check_pairs(sites, defaults, program["cadence"])
    proposed = _proposed_times(checker)
    if any(v is BAD for v in program.values()) or start is BAD or start is None or pairs is None or proposed is BAD:
        return None
    office = ProgramOffice(
        name=program.pop("office_name"), email=program.pop("office_email"), timezone=program.pop("office_timezone")
    )
    del program["cadence"]  # each pair's pattern carries it
    given = {k: v for k in _OPTIONAL_NUMBERS if (v := program.pop(k)) is not None}
    program = {**program, **given, "proposed_times": proposed}
    cohort = Cohort(program=Program(**program, program_office=office, start_date=start), pairs=pairs)
    # Resolved here, once, so the workflows and the digest's schedule read one zone.
    office.timezone = office_zone(cohort)
    return cohort


def _check_top_keys(checker: Checker, start_date: date | None) -> None:
    data = checker.data
    required = dict(TOP_REQUIRED)
    optional = set(TOP_OPTIONAL)
    if start_date is not None:  # the override makes the file's start date optional
        del required["start_date"]
        optional.add("start_date")
    checker.mapping(data, (), required, optional, "a mapping")
    if "pairs" not in data and "pairs_csv" not in data and not checker.suggested & {"pairs", "pairs_csv"}:
        checker.add(
            ("pairs",),
            "missing (required): list the pairs under 'pairs:', or name a CSV file with 'pairs_csv:'",
        )
    if "pairs" in data and "pairs_csv" in data:
        checker.add(("pairs_csv",), "use either 'pairs' or 'pairs_csv', not both")


def _program_fields(checker: Checker, start_date: date | None) -> dict[str, Any]:
    """What every pair shares, by Program's field names; BAD where a problem was reported."""
    data, take = checker.data, checker.take
    values = {
        "cohort_id": take(data, "id", f.identifier),
        "cohort_name": take(data, "name", f.name),
        "focus": take(data, "focus", f.name),
        "language": take(data, "language", f.language),
    }
    office = data.get("program_office", f.MISSING)
    checker.mapping(office, ("program_office",), OFFICE_KEYS, OFFICE_OPTIONAL, "a mapping with name and email")
    values["office_name"] = take(office, "name", f.name, ("program_office",))
    values["office_email"] = take(office, "email", f.email, ("program_office",))
    values["office_timezone"] = take(office, "timezone", f.timezone, ("program_office",), required=False)
    values["file_start"] = take(data, "start_date", f.start_date, required=start_date is None)
    values["duration_months"] = take(data, "duration_months", f.duration)
    values["cadence"] = take(data, "cadence", f.cadence)
    for key, parse in _OPTIONAL_NUMBERS.items():
        values[key] = take(data, key, parse, required=False)
    return values


def _session_defaults(checker: Checker) -> dict[str, Any]:
    session = checker.data.get("session", f.MISSING)
    checker.mapping(
        session, ("session",), SESSION_KEYS, (), "a mapping with weekday, time, length_minutes and location"
    )
    return {
        "weekday": checker.take(session, "weekday", f.weekday, ("session",)),
        "time": checker.take(session, "time", f.clock_time, ("session",)),
        "length_minutes": checker.take(session, "length_minutes", f.session_length, ("session",)),
        "location": checker.take(session, "location", f.location, ("session",)),
    }


def _proposed_times(checker: Checker) -> Any:
    """``proposed_times``: its defaults where a key (or all of it) is left out."""
    path = ("proposed_times",)
    given = checker.data.get("proposed_times", f.MISSING)
    if given is None or given is f.MISSING:
        return ProposedTimes()
    if not checker.mapping(
        given, path, {}, PROPOSED_TIMES_KEYS, "a mapping with auto_approve, working_hours, notice_hours"
    ):
        return BAD
    auto = checker.take(given, "auto_approve", f.yes_no, path, required=False)
    hours = checker.take(given, "working_hours", f.working_hours, path, required=False)
    notice = checker.take(given, "notice_hours", f.notice_hours, path, required=False)
    if any(v is BAD for v in (auto, hours, notice)):
        return BAD
    settings = ProposedTimes()
    if auto is not None:
        settings.auto_approve = auto
    if hours is not None:
        settings.working_hours = WorkingHours(start=hours[0], end=hours[1])
    if notice is not None:
        settings.notice_hours = notice
    return settings


def _effective_start(checker: Checker, file_start: Any, start_date: date | None, today: date | None) -> Any:
    """``--start-date`` or the file's; a problem is reported at whichever was given."""
    start = start_date if start_date is not None else file_start
    if not isinstance(start, date):
        return start

    def refuse(message: str) -> None:
        if start_date is not None:
            checker.report("--start-date", message)
        else:
            checker.add(("start_date",), message)

    if not EARLIEST_START <= start <= LATEST_START:
        refuse(
            f"start date {start.isoformat()} is out of range; a program starts between "
            f"{EARLIEST_START.isoformat()} and {LATEST_START.isoformat()} (a typo in the year?)"
        )
        return BAD
    if today is not None and start < today:
        later = "use today or a later date" if start_date is not None else "use a future date or --start-date"
        refuse(f"start date {start.isoformat()} is in the past (today is {today.isoformat()}); {later}")
    return start
