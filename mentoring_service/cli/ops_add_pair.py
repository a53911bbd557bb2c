"""``ops.py add-pair COHORT_FILE``: a new pair, resolved like the pairs of the file.

The cohort workflow keeps only resolved pairs, not the cohort's session
defaults, so those come from the cohort file, the program office's source of
truth. The whole file is checked with ``mentoring.cohort_file.load_cohort``
first (without the start-date check: the cohort has started), then the
``session`` defaults and the ``cadence`` are read from it and the pair's own
options override them, exactly as a pair entry in the file would.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from mentoring import inputs, vocabulary
from mentoring.cohort import Pair, Person, SessionPattern, place_of, same_address
from mentoring.cohort_file import CohortFileError, load_cohort
from mentoring.inputs import SESSION_LENGTH
from mentoring_service.cli.console import CommandError


def _file_problem(path: Path, problems: list[str]) -> CommandError:
    listed = "\n".join(f"  - {p}" for p in problems)
    count = len(problems)
    return CommandError(
        f"{path}: {count} problem{'s' if count != 1 else ''}; nothing was changed.\n{listed}", exit_code=2
    )


def _defaults(path: Path) -> dict[str, object]:
    # Already checked by load_cohort; BaseLoader keeps every value as the text written,
    # which is how the file checker reads it too ("16:00" is not 960 minutes).
    data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader)
    session = data["session"]
    return {
        "weekday": vocabulary.weekday(session["weekday"]),
        "local_time": inputs.clock_time(session["time"]),
        "length_minutes": SESSION_LENGTH.parse(session["length_minutes"]),
        "location": inputs.location(session["location"]),
        "cadence": vocabulary.cadence(data["cadence"]),
    }


def resolve_pair(args: argparse.Namespace) -> tuple[str, Pair]:
    """The cohort id from the file and the new pair, or a CommandError (exit 2)."""
    path: Path = args.cohort_file
    try:
        cohort = load_cohort(path)
        defaults = _defaults(path)
    except CohortFileError as error:
        raise _file_problem(path, [str(p) for p in error.problems]) from None
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as error:  # InputError is a ValueError
        raise _file_problem(path, [f"cannot read the session defaults: {error}"]) from None
    mentor = Person(name=args.mentor_name, email=args.mentor_email, timezone=args.mentor_timezone)
    mentee = Person(name=args.mentee_name, email=args.mentee_email, timezone=args.mentee_timezone)
    if same_address(mentor.email, mentee.email):
        raise CommandError(
            f"argument --mentee-email: '{mentee.email}' is also the mentor's address; "
            "mentor and mentee must be two different people",
            exit_code=2,
        )
    # The file may already list the new pair (kept in step with the cohort); other pairs must not
    # hold the same people. Pairs added earlier with add-pair are checked by the cohort workflow.
    for role, person in (("mentor", mentor), ("mentee", mentee)):
        if place := place_of(cohort.pairs, person.email, except_pair=args.pair_id):
            raise CommandError(
                f"argument --{role}-email: '{person.email}' is already in pair '{place[0].id}' "
                f"as {place[1].value}; a person can be in only one pair of a cohort",
                exit_code=2,
            )
    overrides = {
        "weekday": args.weekday,
        "local_time": args.time,
        "length_minutes": args.length,
        "location": args.location,
    }
    pattern = SessionPattern(
        **{**defaults, **{k: v for k, v in overrides.items() if v is not None}},
        timezone=args.meeting_timezone or mentee.timezone,
    )
    return cohort.program.cohort_id, Pair(id=args.pair_id, mentor=mentor, mentee=mentee, pattern=pattern)
