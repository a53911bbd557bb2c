"""Every input rule is defined once (``mentoring.inputs``): the cohort file, the ops.py
arguments and the workflows' update validators refuse the same bad value for the same
reason, in the same words. Each place adds only where: file and line, argument, field."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from mentoring import inputs
from mentoring.cohort import Person, Role
from mentoring.cohort_file import CohortFileError, load_cohort
from mentoring.operations import ChangeRhythm, PausePair, ReplaceParticipant
from mentoring_service.cli.ops_parser import build_parser
from tests import factories
from tests.unit.states import START, pair_state
from workflows import validation

NOW = START - timedelta(days=1)
GOOD = {
    "name": "Lena Weber",
    "email": "lena.weber@example.com",
    "zone": "Europe/Berlin",
    "location": "Teams",
    "length": "60",
    "time": "16:00",
    "date": "2027-02-02",
}
COHORT = """\
id: dw-2027
name: "Digitale Arbeitswelt 2027"
focus: "Digitale Zusammenarbeit"
language: de
program_office: {{name: "Programmbüro HR", email: "mentoring@example.com"}}
start_date: {date}
duration_months: 6
cadence: biweekly
session:
  weekday: tuesday
  time: {time}
  length_minutes: {length}
  location: {location}
pairs:
  - id: p1
    mentor: {{name: {name}, email: {email}, timezone: {zone}}}
    mentee: {{name: "Dr. Klaus Richter", email: "k.richter@example.com", timezone: "Europe/Berlin"}}
"""
# The command and argument that take each kind of value.
ARGUMENTS = {
    "name": ("replace", "--name"),
    "email": ("replace", "--email"),
    "zone": ("replace", "--timezone"),
    "location": ("change-rhythm", "--location"),
    "length": ("change-rhythm", "--length"),
    "time": ("change-rhythm", "--time"),
    "date": ("pause", "--until"),
    "reason": ("pause", "--reason"),
}


def refused_by_the_file(kind: str, value: str) -> str | None:
    # JSON is YAML: a double-quoted scalar with escapes carries any character.
    text = COHORT.format(**{k: json.dumps(v) for k, v in {**GOOD, kind: value}.items()})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "cohort.yaml")
        path.write_text(text, encoding="utf-8")
        try:
            load_cohort(path)
        except CohortFileError as error:
            (problem,) = error.problems
            return problem.message
    return None


def _argv(kind: str, value: str) -> list[str]:
    command, option = ARGUMENTS[kind]
    argv = [command, "dw-2027", "p1"]
    if command == "replace":
        person = {"--name": "Ines Brandt", "--email": "ines@example.com", "--timezone": "Europe/Berlin"}
        for opt, good in {**person, option: value}.items():
            argv += [opt, good]
        return argv + ["--role", "mentor", "--reason", "new job"]
    if command == "pause" and option != "--reason":
        argv += ["--reason", "holiday"]
    return argv + [option, value]


def refused_by_ops(kind: str, value: str) -> str | None:
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            build_parser().parse_args(_argv(kind, value))
    except SystemExit:
        last = stderr.getvalue().strip().splitlines()[-1]
        prefix = f"error: argument {ARGUMENTS[kind][1]}: "
        assert prefix in last, last
        return last.split(prefix, 1)[1]
    return None


def _workflow_refusal(check, *args) -> str | None:
    try:
        check(*args)
    except ApplicationError as error:
        assert error.non_retryable
        return error.message
    return None


def refused_by_the_workflow(kind: str, value: str | int) -> str | None:
    """The update validators' checks, called in-process; the core after "field: "."""
    state = pair_state()
    if kind in ("name", "email", "zone"):
        fields = {"name": "Ines Brandt", "email": "ines@example.com", "timezone": "Europe/Berlin"}
        fields[{"zone": "timezone"}.get(kind, kind)] = value
        newcomer = Person(**fields)
        request = ReplaceParticipant(request_id="r", role=Role.MENTOR, person=newcomer, reason="new job")
        message = _workflow_refusal(validation.check_replace, state, request)
        # add-pair's validator (the cohort workflow) checks the same person the same way.
        pair = factories.pair().model_copy(update={"mentor": newcomer})
        assert _workflow_refusal(validation.check_pair, pair) == message
    elif kind in ("location", "length"):
        field = {"location": "location", "length": "length_minutes"}[kind]
        message = _workflow_refusal(
            validation.check_change_rhythm, state, ChangeRhythm(request_id="r", **{field: value})
        )
    else:
        message = _workflow_refusal(validation.check_pause, state, PausePair(request_id="r", reason=value), NOW)
    if message is None:
        return None
    return message.split(": ", 1)[1]


def refusals(kind: str, value: str) -> set[str | None]:
    found = {refused_by_ops(kind, value)}
    if kind != "reason":  # the cohort file has no reasons
        found.add(refused_by_the_file(kind, value))
    if kind not in ("date", "time"):
        found.add(refused_by_the_workflow(kind, int(value) if kind == "length" else value))
    return found


# ----------------------------------------------------------------- named examples


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("name", "x" * 201, "is too long (201 characters; at most 200)"),
        ("location", "x" * 501, "is too long (501 characters; at most 500)"),
        ("name", "Lena\tWeber", "contains a control character (a tab); remove it"),
        ("location", "Raum\t4", "contains a control character (a tab); remove it"),
        ("name", "Lena\nBcc: all@example.com", "contains a line break; it must be a single line"),
        ("reason", "done\r\nBcc: all@example.com", "contains a line break; it must be a single line"),
        ("reason", "done\x1b[2J", "contains a control character (U+001B); remove it"),
        (
            "name",
            "Lena \u202eWeber",
            "contains a bidirectional control character (U+202E), which changes the order text is shown in; remove it",
        ),
        (
            "location",
            "Raum \u2066A\u2069",
            "contains a bidirectional control character (U+2066), which changes the order text is shown in; remove it",
        ),
        (
            "email",
            "a" * 65 + "@example.com",
            f"'{'a' * 59}…' is not a valid email address: "
            "The email address is too long before the @-sign (1 character too many).",
        ),
        ("name", "   ", "is empty"),
        ("reason", "   ", "is empty"),
        ("email", "bob@", "'bob@' is not a valid email address: There must be something after the @-sign."),
        ("email", "bob@example.com\nBcc: x@example.com", "contains a line break; it must be a single line"),
        ("zone", "Europe/Berlinn", "unknown time zone 'Europe/Berlinn'; did you mean 'Europe/Berlin'?"),
        ("zone", "localtime", "unknown time zone 'localtime'; use a name like 'Europe/Berlin' or 'America/New_York'"),
        ("length", "14", "must be from 15 to 240 minutes, but it is 14"),
        ("length", "241", "must be from 15 to 240 minutes, but it is 241"),
        (
            "date",
            "2027-2-2",
            "'2027-2-2' is not a date; write it as YYYY-MM-DD with two-digit month and day (did you mean 2027-02-02?)",
        ),
        ("date", "2027-02-30", "'2027-02-30' is not a real date"),
        ("time", "25:00", "'25:00' is not a time; write it as HH:MM in 24-hour form, e.g. '16:00'"),
    ],
)
def test_each_place_refuses_a_bad_value_in_the_same_words(kind, value, reason):
    assert refusals(kind, value) == {reason}


@pytest.mark.parametrize(
    ("kind", "value"),
    [(k, v) for k, v in GOOD.items()]
    + [("reason", "Umzug"), ("name", "\u200fעדן לוי\u200f"), ("email", "a" * 64 + "@example.com")],
)
def test_each_place_accepts_a_good_value(kind, value):
    assert refusals(kind, value) == {None}


def test_the_workflow_cannot_even_receive_a_malformed_date_or_time():
    # Update arguments are typed: the data converter refuses them before a validator runs.
    with pytest.raises(ValidationError):
        PausePair(request_id="r", reason="x", until="2027-2-2")
    with pytest.raises(ValidationError):
        ChangeRhythm(request_id="r", local_time="25:00")


# -------------------------------------------------------------- classes of text

LETTERS = st.text(st.characters(categories=["L"]), min_size=1, max_size=20)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    kind=st.sampled_from(["name", "location", "reason"]),
    before=LETTERS,
    after=LETTERS,
    char=st.characters(categories=["Cc", "Zl", "Zp"]),
)
def test_control_characters_and_line_breaks_inside_text(kind, before, after, char):
    found = refusals(kind, before + char + after)
    assert len(found) == 1 and None not in found, found
    (reason,) = found
    assert reason.startswith(("contains a line break;", "contains a control character ("))


@SETTINGS
@given(
    data=st.data(),
    kind=st.sampled_from([("name", inputs.NAME_MAX), ("location", inputs.LOCATION_MAX), ("reason", inputs.REASON_MAX)]),
)
def test_lengths_around_the_limit(data, kind):
    kind, limit = kind
    length = data.draw(st.integers(limit - 2, limit + 2))
    found = refusals(kind, "a" * length)
    expected = None if length <= limit else f"is too long ({length} characters; at most {limit})"
    assert found == {expected}


@SETTINGS
@given(minutes=st.integers(-5, 300))
def test_session_lengths(minutes):
    bounds = inputs.SESSION_LENGTH
    expected = None if bounds.lo <= minutes <= bounds.hi else f"must be from 15 to 240 minutes, but it is {minutes}"
    found = {refused_by_the_file("length", str(minutes)), refused_by_the_workflow("length", minutes)}
    if minutes >= 0:  # argparse takes "-5" for an option
        found.add(refused_by_ops("length", str(minutes)))
    assert found == {expected}
