"""The command line of ``ops.py``: every argument is checked here, before any call."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from mentoring.cohort import Language, Role
from mentoring.inputs import EXTEND_WEEKS, SESSION_LENGTH
from mentoring.operations import Audience
from mentoring_service.cli import ops_arguments as a

ROLES = [Role.MENTOR.value, Role.MENTEE.value]
WHEN = '"YYYY-MM-DD HH:MM" in the pair\'s meeting time zone'


def _cohort(p: argparse.ArgumentParser) -> None:
    p.add_argument("cohort", type=a.identifier, metavar="COHORT", help="cohort id, e.g. dw-2027")


def _pair(p: argparse.ArgumentParser) -> None:
    _cohort(p)
    p.add_argument("pair", type=a.identifier, metavar="PAIR", help="pair id, e.g. p1")


def _request_id(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--request-id",
        type=a.request_id,
        metavar="ID",
        help="id that makes repeating this request harmless (default: derived from the command and its "
        "arguments, so the same command twice is applied once; pass a new id to do it again)",
    )


def _reason(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--reason", type=a.reason, required=True, metavar="TEXT", help=what)


def _rhythm(p: argparse.ArgumentParser) -> None:
    p.add_argument("--weekday", type=a.weekday, metavar="D", help="monday..sunday (or montag..sonntag)")
    p.add_argument("--time", type=a.local_time, metavar="HH:MM", help="local start time")
    length = f"{SESSION_LENGTH.lo}..{SESSION_LENGTH.hi} minutes"
    p.add_argument("--length", type=a.length_minutes, metavar="MIN", help=length)
    p.add_argument("--location", type=a.location, metavar="TEXT", help="where the pair meets (one line)")


Command = Callable[[str, str], argparse.ArgumentParser]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ops.py", description="Look at and change running reverse-mentoring programs."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, description=help)

    # In this order in --help.
    _views(command)
    _session_changes(command)
    _pair_changes(command)
    _participant_changes(command)
    _cohort_changes(command)
    return parser


def _views(command: Command) -> None:
    _cohort(command("status", "one line per pair of a cohort"))
    _pair(command("show", "one pair: its plan, every message and its pauses"))
    p = command("report", "the cohort's report for HR: report.html, report.pdf, report.json and pairs.csv")
    _cohort(p)
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the files (made if missing)")
    p.add_argument(
        "--lang", choices=[lang.value for lang in Language], help="de or en (default: the cohort's language)"
    )


def _session_changes(command: Command) -> None:
    p = command("reschedule", "move one session to another date and time")
    _pair(p)
    p.add_argument("session", type=a.session_number, metavar="SESSION", help="session number")
    p.add_argument("--to", type=a.local_datetime, required=True, metavar="WHEN", help=WHEN)
    _request_id(p)

    p = command("cancel-session", "cancel one session, optionally with a replacement")
    _pair(p)
    p.add_argument("session", type=a.session_number, metavar="SESSION", help="session number")
    _reason(p, "why, as the participants will read it")
    p.add_argument("--replacement", type=a.local_datetime, metavar="WHEN", help=WHEN)
    _request_id(p)

    for name, what in (("approve-counter", "take"), ("refuse-counter", "turn down")):
        p = command(name, f"{what} the new time a participant proposed for a session from their calendar")
        _pair(p)
        p.add_argument("session", type=a.session_number, metavar="SESSION", help="session number")
        _request_id(p)

    p = command("change-rhythm", "change weekday, time, length, place or cadence of every session not yet held")
    _pair(p)
    _rhythm(p)
    p.add_argument("--cadence", type=a.cadence, metavar="C", help="weekly, biweekly, every_3_weeks or monthly")
    _request_id(p)


def _pair_changes(command: Command) -> None:
    p = command("pause", "pause a pair: sessions in the pause are cancelled")
    _pair(p)
    _reason(p, "why, as the participants will read it")
    p.add_argument(
        "--until", type=a.local_date, metavar="YYYY-MM-DD", help="last day of the pause (default: until resumed)"
    )
    _request_id(p)

    p = command("resume", "end a pair's pause")
    _pair(p)
    _request_id(p)

    p = command("extend", "add weeks to a pair's program")
    _pair(p)
    p.add_argument("--weeks", type=a.weeks, required=True, metavar="N", help=f"{EXTEND_WEEKS.lo}..{EXTEND_WEEKS.hi}")
    _request_id(p)

    p = command("end", "end a pair's program early, with the closing review")
    _pair(p)
    _reason(p, "why, as the participants will read it")
    _request_id(p)


def _participant_changes(command: Command) -> None:
    p = command("withdraw", "a participant leaves the pair")
    _pair(p)
    p.add_argument("--role", choices=ROLES, required=True)
    _reason(p, "why")
    _request_id(p)

    p = command("replace", "a new person takes over a participant's role")
    _pair(p)
    p.add_argument("--role", choices=ROLES, required=True)
    p.add_argument("--name", type=a.name, required=True, metavar="NAME")
    p.add_argument("--email", type=a.email, required=True, metavar="EMAIL")
    p.add_argument("--timezone", type=a.timezone, required=True, metavar="TZ", help="e.g. Europe/Berlin")
    _reason(p, "why")
    _request_id(p)


def _cohort_changes(command: Command) -> None:
    p = command("add-pair", "add a pair to a running cohort; session defaults come from the cohort file")
    p.add_argument("cohort_file", type=Path, metavar="COHORT_FILE", help="the cohort's YAML file")
    p.add_argument("--id", dest="pair_id", type=a.identifier, required=True, metavar="ID", help="new pair id")
    for role in ROLES:
        p.add_argument(f"--{role}-name", type=a.name, required=True, metavar="NAME")
        p.add_argument(f"--{role}-email", type=a.email, required=True, metavar="EMAIL")
        p.add_argument(f"--{role}-timezone", type=a.timezone, required=True, metavar="TZ")
    p.add_argument("--meeting-timezone", type=a.timezone, metavar="TZ", help="default: the mentee's time zone")
    _rhythm(p)
    _request_id(p)

    p = command("withdraw-pair", "take a pair out of its cohort: its sessions are cancelled, no review")
    _pair(p)
    _reason(p, "why")
    _request_id(p)

    p = command("end-cohort", "end every pair of a cohort early")
    _cohort(p)
    _reason(p, "why, as the participants will read it")
    _request_id(p)

    p = command("announce", "email every participant of a cohort (or only mentors or mentees)")
    _cohort(p)
    p.add_argument("--subject", type=a.subject, required=True, metavar="TEXT")
    body = p.add_mutually_exclusive_group(required=True)
    body.add_argument("--body", type=a.body_text, metavar="TEXT")
    body.add_argument("--body-file", type=Path, metavar="FILE", help="UTF-8 text file with the body")
    p.add_argument("--to", dest="audience", choices=[x.value for x in Audience], default=Audience.ALL.value)
    _request_id(p)
