"""The cohort file: every check reports its place and a plain reason, all at once."""

from __future__ import annotations

import pickle
import random
from datetime import date, time
from pathlib import Path

import pytest

from mentoring.cohort import Cadence, Language, Weekday
from mentoring.cohort_file import CohortFileError, Problem, load_cohort

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TODAY = date(2026, 11, 27)

BASE = """\
id: dw-2027
name: "Digitale Arbeitswelt 2027"
focus: "Digitale Zusammenarbeit"
language: de
program_office: {name: "Programmbüro HR", email: "mentoring@example.com"}
start_date: 2027-02-02
duration_months: 6
cadence: biweekly
session:
  weekday: tuesday
  time: "16:00"
  length_minutes: 60
  location: "Teams: https://teams.example.com/dw"
pairs:
  - id: p1
    mentor: {name: "Lena Weber", email: "lena.weber@example.com", timezone: "Europe/Berlin"}
    mentee: {name: "Dr. Klaus Richter", email: "k.richter@example.com", timezone: "Europe/Berlin"}
  - id: p2
    mentor: {name: "Jonas Becker", email: "jonas.becker@example.com", timezone: "Europe/Berlin"}
    mentee: {name: "Sabine Hoffmann", email: "s.hoffmann@example.com", timezone: "America/New_York"}
"""
# Line numbers in BASE: id 1, name 2, focus 3, language 4, program_office 5,
# start_date 6, duration_months 7, cadence 8, session 9 (weekday 10, time 11,
# length_minutes 12, location 13), pairs 14; pairs[0] 15-17; pairs[1] 18-20.

HEADER = (
    "pair_id,mentor_name,mentor_email,mentor_timezone,"
    "mentee_name,mentee_email,mentee_timezone,meeting_timezone,weekday,time,length_minutes,location"
)
ROW_P1 = "p1,Lena Weber,lena.weber@example.com,Europe/Berlin,Dr. Klaus Richter,k.richter@example.com,Europe/Berlin,,,,,"
ROW_P2 = "p2,Jonas Becker,jonas.becker@example.com,Europe/Berlin,Sabine Hoffmann,s.hoffmann@example.com,America/New_York,,,,,"


def base_with(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def write(tmp_path: Path, text: str | bytes, name: str = "cohort.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, **kwargs) -> list[str]:
    with pytest.raises(CohortFileError) as info:
        load_cohort(path, **kwargs)
    assert info.value.problems, "a CohortFileError must carry problems"
    return [str(p) for p in info.value.problems]


def csv_cohort(tmp_path: Path, csv_text: str | bytes, csv_name: str = "pairs.csv") -> Path:
    yaml_text = BASE.split("pairs:\n")[0] + f"pairs_csv: {csv_name}\n"
    write(tmp_path, csv_text, csv_name)
    return write(tmp_path, yaml_text)


def csv_problems(tmp_path: Path, csv_text: str | bytes) -> list[str]:
    return problems(csv_cohort(tmp_path, csv_text))


# ------------------------------------------------------------------ API basics


def test_problem_and_error_strings():
    p = Problem(where="cohort.yaml line 3: cadence", message="unknown cadence 'daily'")
    assert str(p) == "cohort.yaml line 3: cadence: unknown cadence 'daily'"
    err = CohortFileError([p, Problem("x.yaml", "file not found")])
    assert str(err) == "cohort.yaml line 3: cadence: unknown cadence 'daily'\nx.yaml: file not found"
    copy = pickle.loads(pickle.dumps(err))
    assert copy.problems == err.problems and str(copy) == str(err)


def test_base_loads(tmp_path):
    cohort = load_cohort(write(tmp_path, BASE), today=TODAY)
    assert cohort.program.cohort_id == "dw-2027"
    assert cohort.program.invite_lead_days == 14 and cohort.program.reminder_hours == 24
    assert [p.id for p in cohort.pairs] == ["p1", "p2"]
    # The meeting time zone defaults to the mentee's.
    assert cohort.pairs[1].pattern.timezone == "America/New_York"


def test_accepts_str_path(tmp_path):
    assert load_cohort(str(write(tmp_path, BASE))).program.cohort_id == "dw-2027"


# -------------------------------------------------------------------- examples


def test_yaml_example_resolves():
    cohort = load_cohort(EXAMPLES / "digital-workplace-2027.yaml", today=TODAY)
    program = cohort.program
    assert program.cohort_id == "dw-2027"
    assert program.language is Language.DE
    assert program.start_date == date(2027, 2, 2)
    assert program.duration_months == 6
    assert program.focus == "Digitale Zusammenarbeit und Social Media"
    assert program.program_office.email == "mentoring@example.com"
    assert len(cohort.pairs) == 4
    by_id = {p.id: p for p in cohort.pairs}
    assert len(by_id) == 4
    for pair in cohort.pairs:
        assert pair.pattern.cadence is Cadence.BIWEEKLY
        # The meeting time zone defaults to the mentee's (none is set in the file).
        assert pair.pattern.timezone == pair.mentee.timezone

    p1 = by_id["p1"]
    assert p1.pattern.weekday is Weekday.TUESDAY
    assert p1.pattern.local_time == time(16, 0)
    assert p1.pattern.length_minutes == 60
    assert p1.pattern.location.startswith("Microsoft Teams: https://")

    ny = by_id["p2"]
    assert (ny.mentor.timezone, ny.mentee.timezone) == ("Europe/Berlin", "America/New_York")
    assert ny.pattern.timezone == "America/New_York"
    assert ny.pattern.local_time == time(10, 0)
    assert ny.pattern.weekday is Weekday.TUESDAY

    override = by_id["p3"]
    assert override.pattern.weekday is Weekday.THURSDAY
    assert override.pattern.local_time == time(8, 30)
    assert override.pattern.length_minutes == 45
    assert override.pattern.location == "Zentrale München, Raum 4.12"
    assert override.mentor.name == "Aylin Yılmaz"

    vienna = by_id["p4"]
    assert vienna.mentor.timezone == "Europe/Vienna"
    assert vienna.pattern.timezone == "Europe/Berlin"


def test_csv_example_equals_yaml_example():
    from_yaml = load_cohort(EXAMPLES / "digital-workplace-2027.yaml", today=TODAY)
    from_csv = load_cohort(EXAMPLES / "digital-workplace-2027-csv.yaml", today=TODAY)
    assert from_csv == from_yaml


def test_start_date_override(tmp_path):
    path = write(tmp_path, BASE)
    cohort = load_cohort(path, today=TODAY, start_date=date(2026, 12, 1))
    assert cohort.program.start_date == date(2026, 12, 1)
    # The override replaces a past date in the file.
    past = write(tmp_path, base_with("start_date: 2027-02-02", "start_date: 2025-01-07"), "past.yaml")
    assert load_cohort(past, today=TODAY, start_date=TODAY).program.start_date == TODAY
    # With an override, the file may leave start_date out.
    without = write(tmp_path, base_with("start_date: 2027-02-02\n", ""), "without.yaml")
    assert load_cohort(without, start_date=date(2027, 1, 5)).program.start_date == date(2027, 1, 5)
    assert problems(without) == [
        "without.yaml: start_date: missing (required), e.g. start_date: 2027-02-02".replace(
            "without.yaml", str(without)
        )
    ]


def test_start_date_override_in_the_past(tmp_path):
    path = write(tmp_path, BASE)
    assert problems(path, today=TODAY, start_date=date(2026, 11, 1)) == [
        "--start-date: start date 2026-11-01 is in the past (today is 2026-11-27); use today or a later date"
    ]


def test_start_date_in_the_past(tmp_path):
    path = write(tmp_path, base_with("start_date: 2027-02-02", "start_date: 2026-01-05"))
    assert problems(path, today=TODAY) == [
        f"{path} line 6: start_date: start date 2026-01-05 is in the past (today is 2026-11-27); "
        "use a future date or --start-date"
    ]
    # Without `today` the date is not judged; today itself is fine.
    assert load_cohort(path).program.start_date == date(2026, 1, 5)
    assert load_cohort(path, today=date(2026, 1, 5)).program.start_date == date(2026, 1, 5)


# --------------------------------------------------------- files and YAML syntax


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    assert problems(path) == [f"{path}: file not found"]


def test_directory(tmp_path):
    assert problems(tmp_path) == [f"{tmp_path}: is a directory, not a file"]


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file(tmp_path, text):
    path = write(tmp_path, text)
    assert problems(path) == [f"{path}: the file is empty"]


def test_malformed_yaml_has_line_and_column(tmp_path):
    path = write(tmp_path, base_with('focus: "Digitale Zusammenarbeit"', 'focus: "Digitale Zusammenarbeit'))
    (p,) = problems(path)
    assert p.startswith(f"{path} line ")
    assert ", column " in p and "malformed YAML: " in p


def test_malformed_yaml_bad_indentation(tmp_path):
    path = write(tmp_path, base_with('  time: "16:00"', '    time: "16:00"'))
    (p,) = problems(path)
    assert p.startswith(f"{path} line 11, column ")
    assert "malformed YAML: mapping values are not allowed here" in p


def test_tab_indentation_gets_a_hint(tmp_path):
    path = write(tmp_path, base_with("  weekday: tuesday", "\tweekday: tuesday"))
    (p,) = problems(path)
    assert p.startswith(f"{path} line 10, column 1: malformed YAML:")
    assert "YAML does not allow tabs for indentation, use spaces" in p


@pytest.mark.parametrize(
    ("text", "described"),
    [("- a\n- b\n", "a list"), ("just text\n", "'just text'"), ("42\n", "'42'")],
)
def test_top_level_not_a_mapping(tmp_path, text, described):
    path = write(tmp_path, text)
    assert problems(path) == [
        f"{path}: the top level must be a mapping of keys such as 'id:', 'name:' and 'pairs:', but it is {described}"
    ]


def test_latin1_file(tmp_path):
    path = write(tmp_path, BASE.replace("Programmbüro", "Programmb\xfcro").encode("latin-1"))
    assert problems(path) == [
        f"{path} line 5: is not UTF-8 text (byte 0xfc cannot be read); save the file with UTF-8 encoding"
    ]


def test_utf8_bom_yaml(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + BASE.encode())
    assert load_cohort(path).program.cohort_name == "Digitale Arbeitswelt 2027"


def test_duplicate_key(tmp_path):
    path = write(tmp_path, BASE + "cadence: weekly\n")
    assert problems(path) == [f"{path} line 21: cadence: the key 'cadence' appears twice (lines 8 and 21); keep one"]


def test_yaml_11_surprises_are_plain_text(tmp_path):
    text = base_with('time: "16:00"', "time: 16:00")  # sexagesimal 960 in YAML 1.1
    text = text.replace('name: "Lena Weber"', "name: No")  # boolean False in YAML 1.1
    text = text.replace("id: p2", "id: 0123")  # octal 83 in YAML 1.1
    cohort = load_cohort(write(tmp_path, text))
    assert cohort.pairs[0].pattern.local_time == time(16, 0)
    assert cohort.pairs[0].mentor.name == "No"
    assert cohort.pairs[1].id == "0123"


def test_anchors_and_merge_keys(tmp_path):
    text = base_with("pairs:\n", "x-berlin: &berlin {timezone: Europe/Berlin}\npairs:\n")
    text = text.replace(
        'mentor: {name: "Lena Weber", email: "lena.weber@example.com", timezone: "Europe/Berlin"}',
        'mentor: {<<: *berlin, name: "Lena Weber", email: "lena.weber@example.com"}',
    )
    # Unknown top-level keys are still errors, also when they only hold an anchor.
    assert problems(write(tmp_path, text)) == [
        f"{tmp_path / 'cohort.yaml'} line 14: x-berlin: unknown key 'x-berlin'; allowed here: "
        "cadence, duration_months, focus, id, invite_lead_days, language, name, pairs, pairs_csv, "
        "program_office, proposed_times, reflection_delay_hours, reminder_hours, session, start_date"
    ]
    # Explicit keys win over merged ones.
    text = base_with(
        'mentor: {name: "Lena Weber", email: "lena.weber@example.com", timezone: "Europe/Berlin"}',
        'mentor: {<<: {timezone: Europe/Berlin, name: Old}, name: "Lena Weber", email: "lena.weber@example.com"}',
    )
    cohort = load_cohort(write(tmp_path, text))
    assert cohort.pairs[0].mentor.name == "Lena Weber"
    assert cohort.pairs[0].mentor.timezone == "Europe/Berlin"


# --------------------------------------------------------- keys and value types


def test_unknown_key_typo_is_named(tmp_path):
    path = write(tmp_path, base_with("cadence: biweekly", "cadance: biweekly"))
    # The suggestion replaces the "missing cadence" problem.
    assert problems(path) == [f"{path} line 8: cadance: unknown key 'cadance'; did you mean 'cadence'?"]


def test_unknown_key_in_a_pair(tmp_path):
    path = write(tmp_path, base_with("  - id: p2\n", "  - id: p2\n    wekday: friday\n"))
    assert problems(path) == [
        f"{path} line 19: pairs[1] (id 'p2') → wekday: unknown key 'wekday'; did you mean 'weekday'?"
    ]


def test_missing_required_keys(tmp_path):
    text = base_with('focus: "Digitale Zusammenarbeit"\n', "").replace("  length_minutes: 60\n", "")
    text = text.replace(', email: "k.richter@example.com"', "")
    path = write(tmp_path, text)
    assert problems(path) == [
        f'{path}: focus: missing (required), e.g. focus: "Digitale Zusammenarbeit"',
        f"{path} line 8: session.length_minutes: missing (required), e.g. length_minutes: 60",
        f"{path} line 15: pairs[0] (id 'p1') → mentee.email: missing (required), e.g. email: \"lena.weber@example.com\"",
    ]


def test_pairs_or_pairs_csv(tmp_path):
    neither = write(tmp_path, BASE.split("pairs:\n")[0], "neither.yaml")
    assert problems(neither) == [
        f"{neither}: pairs: missing (required): list the pairs under 'pairs:', or name a CSV file with 'pairs_csv:'"
    ]
    both = write(tmp_path, BASE + "pairs_csv: pairs.csv\n", "both.yaml")
    assert problems(both) == [f"{both} line 21: pairs_csv: use either 'pairs' or 'pairs_csv', not both"]


def test_empty_pairs(tmp_path):
    path = write(tmp_path, BASE.split("pairs:\n")[0] + "pairs: []\n")
    assert problems(path) == [f"{path} line 14: pairs: the list is empty; add at least one pair"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('name: "Digitale Arbeitswelt 2027"', "name: [a, b]", "line 2: name: must be text, but it is a list"),
        ('name: "Digitale Arbeitswelt 2027"', "name:", "line 2: name: is empty, but a value is required"),
        (
            'name: "Digitale Arbeitswelt 2027"',
            "name: null",
            "line 2: name: is empty, but a value is required",
        ),
        ('name: "Digitale Arbeitswelt 2027"', 'name: "   "', "line 2: name: is empty"),
        (
            "duration_months: 6",
            "duration_months: {a: 1}",
            "line 7: duration_months: a reverse-mentoring program runs 4 to 6 months, so this must be 4, 5 or 6, "
            "but it is a mapping (key: value lines)",
        ),
        (
            'session:\n  weekday: tuesday\n  time: "16:00"\n  length_minutes: 60\n  location: "Teams: https://teams.example.com/dw"',
            "session: tuesday",
            "line 9: session: must be a mapping with weekday, time, length_minutes and location, but it is 'tuesday'",
        ),
        (
            'program_office: {name: "Programmbüro HR", email: "mentoring@example.com"}',
            "program_office: HR",
            "line 5: program_office: must be a mapping with name and email, but it is 'HR'",
        ),
    ],
)
def test_wrong_types(tmp_path, old, new, expected):
    path = write(tmp_path, base_with(old, new))
    assert f"{path} {expected}" in problems(path)


def test_pairs_not_a_list(tmp_path):
    path = write(tmp_path, BASE.split("pairs:\n")[0] + "pairs: {id: p1}\n")
    assert problems(path) == [
        f"{path} line 14: pairs: must be a list of pairs (each starting with '- id: ...'), but it is a mapping (key: value lines)"
    ]


def test_pair_and_person_not_mappings(tmp_path):
    path = write(tmp_path, BASE + "  - p3\n  - id: p4\n    mentor: Lena\n    mentee:\n")
    assert problems(path) == [
        f"{path} line 21: pairs[2]: must be a mapping with id, mentor and mentee, but it is 'p3'",
        f"{path} line 23: pairs[3] (id 'p4') → mentor: must be a mapping with name, email and timezone, but it is 'Lena'",
        f"{path} line 24: pairs[3] (id 'p4') → mentee: must be a mapping with name, email and timezone, but it is empty",
    ]


# ------------------------------------------------------------------ field values


def test_bad_email(tmp_path):
    path = write(tmp_path, base_with('"lena.weber@example.com"', '"bob@"'))
    assert problems(path) == [
        f"{path} line 16: pairs[0] (id 'p1') → mentor.email: 'bob@' is not a valid email address: "
        "There must be something after the @-sign."
    ]


@pytest.mark.parametrize(
    "email", ["lena weber@example.com", "lena@", "@example.com", "Lena <lena@example.com>", "lena@example"]
)
def test_more_bad_emails(tmp_path, email):
    path = write(tmp_path, base_with('"mentoring@example.com"', f'"{email}"'))
    (p,) = problems(path)
    assert p.startswith(f"{path} line 5: program_office.email: '{email}' is not a valid email address: ")


def test_email_is_normalized(tmp_path):
    path = write(tmp_path, base_with('"lena.weber@example.com"', '"Lena.Weber@EXAMPLE.com"'))
    assert load_cohort(path).pairs[0].mentor.email == "Lena.Weber@example.com"


def test_unknown_time_zone(tmp_path):
    text = base_with('timezone: "America/New_York"', 'timezone: "America/NewYork"')
    text = text.replace(
        '"k.richter@example.com", timezone: "Europe/Berlin"', '"k.richter@example.com", timezone: "Berlin"'
    )
    path = write(tmp_path, text)
    assert problems(path) == [
        f"{path} line 17: pairs[0] (id 'p1') → mentee.timezone: unknown time zone 'Berlin'; did you mean 'Europe/Berlin'?",
        f"{path} line 20: pairs[1] (id 'p2') → mentee.timezone: unknown time zone 'America/NewYork'; did you mean 'America/New_York'?",
    ]


@pytest.mark.parametrize(
    "zone", ["localtime", "", "Mars/Olympus_Mons", "../etc/passwd", "/etc/localtime", "europe/berlin"]
)
def test_unusable_time_zones(tmp_path, zone):
    path = write(tmp_path, base_with("  - id: p2\n", f'  - id: p2\n    meeting_timezone: "{zone}"\n'))
    (p,) = problems(path)
    assert p.startswith(f"{path} line 19: pairs[1] (id 'p2') → meeting_timezone: ")
    if zone:
        assert f"unknown time zone '{zone}'" in p


def test_time_zone_keys_zoneinfo_knows_are_accepted(tmp_path):
    path = write(tmp_path, base_with("  - id: p2\n", "  - id: p2\n    meeting_timezone: CET\n"))
    assert load_cohort(path).pairs[1].pattern.timezone == "CET"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("3", "'3'"), ("7", "'7'"), ("0", "'0'"), ("six", "'six'"), ("4.5", "'4.5'"), ("-5", "'-5'")],
)
def test_duration_outside_four_to_six_months(tmp_path, value, shown):
    path = write(tmp_path, base_with("duration_months: 6", f"duration_months: {value}"))
    assert problems(path) == [
        f"{path} line 7: duration_months: a reverse-mentoring program runs 4 to 6 months, "
        f"so this must be 4, 5 or 6, but it is {shown}"
    ]


@pytest.mark.parametrize("months", [4, 5, 6])
def test_duration_inside_range(tmp_path, months):
    path = write(tmp_path, base_with("duration_months: 6", f"duration_months: {months}"))
    assert load_cohort(path).program.duration_months == months


def test_unknown_cadence_language_weekday(tmp_path):
    text = base_with("cadence: biweekly", "cadence: fortnightly")
    text = text.replace("language: de", "language: fr").replace("weekday: tuesday", "weekday: tuesdy")
    path = write(tmp_path, text)
    assert problems(path) == [
        f"{path} line 4: language: unknown language 'fr'; use one of: de, en",
        f"{path} line 8: cadence: unknown cadence 'fortnightly'; use one of: weekly, biweekly, every_3_weeks, monthly",
        f"{path} line 10: session.weekday: unknown weekday 'tuesdy' (did you mean 'tuesday'?); use one of: "
        "monday, tuesday, wednesday, thursday, friday, saturday, sunday (or in German: montag ... sonntag)",
    ]


@pytest.mark.parametrize(
    ("written", "weekday"),
    [
        ("Donnerstag", Weekday.THURSDAY),
        ("MONTAG", Weekday.MONDAY),
        ("Friday", Weekday.FRIDAY),
        ("sonntag", Weekday.SUNDAY),
    ],
)
def test_weekday_german_and_english_any_case(tmp_path, written, weekday):
    path = write(tmp_path, base_with("weekday: tuesday", f"weekday: {written}"))
    assert load_cohort(path).pairs[0].pattern.weekday is weekday


def test_cadence_and_language_spellings(tmp_path):
    text = base_with("cadence: biweekly", "cadence: Every-3-Weeks").replace("language: de", "language: EN")
    program = load_cohort(write(tmp_path, text)).program
    assert program.language is Language.EN
    assert load_cohort(write(tmp_path, text)).pairs[0].pattern.cadence is Cadence.EVERY_3_WEEKS


@pytest.mark.parametrize("value", ["4pm", "1600", "24:00", "16:60", "16:0", "16:00:00", "[16, 0]"])
def test_time_not_hh_mm(tmp_path, value):
    path = write(tmp_path, base_with('time: "16:00"', f"time: {value}"))
    (p,) = problems(path)
    assert p.startswith(f"{path} line 11: session.time: ")
    if not value.startswith("["):
        assert p.endswith(f"'{value}' is not a time; write it as HH:MM in 24-hour form, e.g. '16:00'")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("9:05", time(9, 5)), ("07:30", time(7, 30)), ("23:59", time(23, 59)), ("16.30", time(16, 30))],
)
def test_time_accepted(tmp_path, value, expected):
    path = write(tmp_path, base_with('time: "16:00"', f'time: "{value}"'))
    assert load_cohort(path).pairs[0].pattern.local_time == expected


@pytest.mark.parametrize("value", ["14", "241", "sixty", "60.5"])
def test_length_out_of_range(tmp_path, value):
    path = write(tmp_path, base_with("  - id: p2\n", f"  - id: p2\n    length_minutes: {value}\n"))
    (p,) = problems(path)
    assert p.startswith(f"{path} line 19: pairs[1] (id 'p2') → length_minutes: must be ")
    assert "from 15 to 240 minutes" in p


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("invite_lead_days", "0", "must be from 1 to 60 days, but it is 0"),
        ("reminder_hours", "169", "must be from 1 to 168 hours, but it is 169"),
        ("reflection_delay_hours", "x", "must be a whole number from 0 to 72 hours, but it is 'x'"),
    ],
)
def test_optional_numbers(tmp_path, key, value, message):
    path = write(tmp_path, base_with("cadence: biweekly\n", f"cadence: biweekly\n{key}: {value}\n"))
    assert problems(path) == [f"{path} line 9: {key}: {message}"]


def test_optional_numbers_resolve(tmp_path):
    text = base_with(
        "cadence: biweekly\n",
        "cadence: biweekly\ninvite_lead_days: 21\nreminder_hours: 48\nreflection_delay_hours: 0\n",
    )
    program = load_cohort(write(tmp_path, text)).program
    assert (program.invite_lead_days, program.reminder_hours, program.reflection_delay_hours) == (21, 48, 0)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "DW 2027",
            "'DW 2027' is not a valid id; use lowercase letters a-z, digits, '-' or '_' (e.g. 'dw-2027')",
        ),
        (
            "DW-2027",
            "'DW-2027' is not a valid id (did you mean 'dw-2027'?); use lowercase letters a-z, digits, '-' or '_' (e.g. 'dw-2027')",
        ),
        ("a" * 41, "'" + "a" * 41 + "' is too long for an id (41 characters; at most 40)"),
        (
            "dw/2027",
            "'dw/2027' is not a valid id; use lowercase letters a-z, digits, '-' or '_' (e.g. 'dw-2027')",
        ),
    ],
)
def test_bad_cohort_id(tmp_path, value, message):
    path = write(tmp_path, base_with("id: dw-2027", f"id: {value}"))
    assert problems(path) == [f"{path} line 1: id: {message}"]


def test_bad_pair_id(tmp_path):
    path = write(tmp_path, base_with("  - id: p2", "  - id: Pair 2"))
    assert problems(path) == [
        f"{path} line 18: pairs[1] (id 'Pair 2') → id: 'Pair 2' is not a valid id; "
        "use lowercase letters a-z, digits, '-' or '_' (e.g. 'dw-2027')"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2027-02-30", "'2027-02-30' is not a real date"),
        ("01.02.2027", "'01.02.2027' is not a date; write it as YYYY-MM-DD, e.g. 2027-02-01"),
        ("2027-02-02 10:00", "must be a date without a time, like 2027-02-01, but it is '2027-02-02 10:00'"),
    ],
)
def test_bad_start_date(tmp_path, value, message):
    path = write(tmp_path, base_with("start_date: 2027-02-02", f"start_date: {value}"))
    assert problems(path) == [f"{path} line 6: start_date: {message}"]


# ---------------------------------------------------- header injection guards

LINE_BREAK = "contains a line break; it must be a single line"


@pytest.mark.parametrize(
    ("old", "new", "place"),
    [
        ('name: "Digitale Arbeitswelt 2027"', r'name: "Digitale\r\nBcc: all@example.com"', "line 2: name"),
        ('focus: "Digitale Zusammenarbeit"', r'focus: "Digitale\nZusammenarbeit"', "line 3: focus"),
        ('name: "Programmbüro HR"', r'name: "Programmbüro\rHR"', "line 5: program_office.name"),
        (
            'location: "Teams: https://teams.example.com/dw"',
            r'location: "Teams\u2028x"',
            "line 13: session.location",
        ),
        ('name: "Lena Weber"', r'name: "Lena\nWeber"', "line 16: pairs[0] (id 'p1') → mentor.name"),
        (
            'name: "Dr. Klaus Richter"',
            r'name: "Dr. Klaus\x85Richter"',
            "line 17: pairs[0] (id 'p1') → mentee.name",
        ),
    ],
)
def test_line_breaks_are_rejected(tmp_path, old, new, place):
    path = write(tmp_path, base_with(old, new))
    assert problems(path) == [f"{path} {place}: {LINE_BREAK}"]


def test_literal_block_with_line_break(tmp_path):
    path = write(
        tmp_path,
        base_with('  location: "Teams: https://teams.example.com/dw"', "  location: |\n    Teams\n    Raum 4"),
    )
    assert problems(path) == [f"{path} line 13: session.location: {LINE_BREAK}"]


@pytest.mark.parametrize(
    ("escape", "label"), [(r"\t", "a tab"), (r"\x07", "U+0007"), (r"\e", "U+001B"), (r"\x7f", "U+007F")]
)
def test_control_characters_are_rejected(tmp_path, escape, label):
    path = write(tmp_path, base_with('name: "Lena Weber"', f'name: "Lena{escape}Weber"'))
    assert problems(path) == [
        f"{path} line 16: pairs[0] (id 'p1') → mentor.name: contains a control character ({label}); remove it"
    ]


def test_line_break_in_email(tmp_path):
    path = write(tmp_path, base_with('"lena.weber@example.com"', r'"lena@example.com\nBcc: x@example.com"'))
    assert problems(path) == [f"{path} line 16: pairs[0] (id 'p1') → mentor.email: {LINE_BREAK}"]


def test_surrounding_whitespace_is_trimmed(tmp_path):
    path = write(tmp_path, base_with('name: "Lena Weber"', 'name: "  Lena Weber \\n"'))
    assert load_cohort(path).pairs[0].mentor.name == "Lena Weber"


# ------------------------------------------------------------- across pairs


def test_duplicate_pair_id(tmp_path):
    path = write(tmp_path, base_with("  - id: p2", "  - id: p1"))
    assert problems(path) == [
        f"{path} line 18: pairs[1] (id 'p1') → id: pair id 'p1' is already used (pairs[0] on line 15); pair ids must be unique"
    ]


def test_same_person_as_mentor_and_mentee(tmp_path):
    path = write(tmp_path, base_with('"k.richter@example.com"', '"Lena.Weber@Example.com"'))
    assert problems(path) == [
        f"{path} line 17: pairs[0] (id 'p1') → mentee.email: 'Lena.Weber@example.com' is both the mentor and "
        "the mentee of this pair; they must be two different people"
    ]


def test_person_in_two_pairs_names_both_pairs(tmp_path):
    path = write(tmp_path, base_with('"s.hoffmann@example.com"', '"LENA.WEBER@example.com"'))
    assert problems(path) == [
        f"{path} line 20: pairs[1] (id 'p2') → mentee.email: 'LENA.WEBER@example.com' is already in pair 'p1' "
        "(pairs[0] on line 15) as mentor; a person can be in only one pair of a cohort"
    ]


# ------------------------------------------------------------ many at once


def test_all_problems_are_reported_together(tmp_path):
    text = (
        base_with("cadence: biweekly", "cadance: biweekly")
        .replace("duration_months: 6", "duration_months: 12")
        .replace('"lena.weber@example.com"', '"bob@"')
        .replace('timezone: "America/New_York"', 'timezone: "America/NewYork"')
        .replace("  - id: p2", "  - id: p1")
        .replace('name: "Digitale Arbeitswelt 2027"', r'name: "Digitale\nArbeitswelt"')
    )
    path = write(tmp_path, text)
    found = problems(path, today=date(2027, 3, 1))
    assert len(found) == 7, found
    expected_parts = [
        ("line 2: name", "line break"),
        ("line 6: start_date", "is in the past (today is 2027-03-01)"),
        ("line 7: duration_months", "4 to 6 months"),
        ("line 8: cadance", "did you mean 'cadence'?"),
        ("line 16: pairs[0] (id 'p1') → mentor.email", "'bob@' is not a valid email address"),
        ("line 18: pairs[1] (id 'p1') → id", "pair id 'p1' is already used"),
        ("line 20: pairs[1] (id 'p1') → mentee.timezone", "unknown time zone 'America/NewYork'"),
    ]
    for problem, (place, reason) in zip(found, expected_parts, strict=True):
        assert problem.startswith(f"{path} {place}: ") and reason in problem, problem


# ---------------------------------------------------------------------- CSV


def test_csv_loads_like_yaml(tmp_path):
    from_yaml = load_cohort(write(tmp_path, BASE, "inline.yaml"))
    from_csv = load_cohort(csv_cohort(tmp_path, f"{HEADER}\n{ROW_P1}\n{ROW_P2}\n"))
    assert from_csv == from_yaml


def test_csv_with_bom_crlf_semicolons_and_only_required_columns(tmp_path):
    header = "pair_id;mentor_name;mentor_email;mentor_timezone;mentee_name;mentee_email;mentee_timezone"
    rows = [
        "p1;Lena Weber;lena.weber@example.com;Europe/Berlin;Dr. Klaus Richter;k.richter@example.com;Europe/Berlin",
        "p2;Jonas Becker;jonas.becker@example.com;Europe/Berlin;Sabine Hoffmann;s.hoffmann@example.com;America/New_York",
    ]
    data = ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    cohort = load_cohort(csv_cohort(tmp_path, data))
    assert cohort == load_cohort(write(tmp_path, BASE, "inline.yaml"))


def test_csv_overrides(tmp_path):
    row = (
        "p1,Lena Weber,lena.weber@example.com,Europe/Berlin,Dr. Klaus Richter,k.richter@example.com,Europe/Berlin,"
        'America/New_York,Donnerstag,08:30,45,"Raum 4.12, Zentrale"'
    )
    pattern = load_cohort(csv_cohort(tmp_path, f"{HEADER}\n{row}\n")).pairs[0].pattern
    assert (
        pattern.timezone,
        pattern.weekday,
        pattern.local_time,
        pattern.length_minutes,
        pattern.location,
    ) == ("America/New_York", Weekday.THURSDAY, time(8, 30), 45, "Raum 4.12, Zentrale")


def test_csv_unknown_and_missing_columns(tmp_path):
    header = "pair_id,mentor_name,mentor_email,mentor_timezone,mentee_name,mentee_email,wekday,notes"
    row = "p1,Lena Weber,lena.weber@example.com,Europe/Berlin,Dr. Klaus Richter,k.richter@example.com,friday,hi"
    assert csv_problems(tmp_path, f"{header}\n{row}\n") == [
        "pairs.csv line 1 (header): unknown columns 'wekday' (did you mean 'weekday'?), 'notes'; allowed columns: "
        "pair_id, mentor_name, mentor_email, mentor_timezone, mentee_name, mentee_email, mentee_timezone, "
        "meeting_timezone, weekday, time, length_minutes, location",
        "pairs.csv line 1 (header): missing required column: mentee_timezone",
    ]


def test_csv_row_problems_name_line_and_column(tmp_path):
    bad_tz = ROW_P2.replace("America/New_York", "America/NewYork")
    text = f"{HEADER}\n{ROW_P1.replace('lena.weber@example.com', 'bob@')}\n\n{bad_tz}\n"
    assert csv_problems(tmp_path, text) == [
        "pairs.csv line 2 (pair 'p1'), column mentor_email: 'bob@' is not a valid email address: "
        "There must be something after the @-sign.",
        "pairs.csv line 4 (pair 'p2'), column mentee_timezone: unknown time zone 'America/NewYork'; "
        "did you mean 'America/New_York'?",
    ]


def test_csv_empty_required_cell_and_bad_optional(tmp_path):
    row = ROW_P1.replace("Lena Weber", "").replace(",,,,,", ",,mittwochs,,10,")
    assert csv_problems(tmp_path, f"{HEADER}\n{row}\n") == [
        "pairs.csv line 2 (pair 'p1'), column mentor_name: is empty, but a value is required",
        "pairs.csv line 2 (pair 'p1'), column weekday: unknown weekday 'mittwochs' (did you mean 'mittwoch'?); use one of: "
        "monday, tuesday, wednesday, thursday, friday, saturday, sunday (or in German: montag ... sonntag)",
        "pairs.csv line 2 (pair 'p1'), column length_minutes: must be from 15 to 240 minutes, but it is 10",
    ]


def test_csv_cross_pair_checks(tmp_path):
    dup = ROW_P2.replace("p2,", "p1,", 1).replace("s.hoffmann@example.com", "K.Richter@example.com")
    same = ROW_P2.replace("p2,", "p3,", 1).replace("jonas.becker@example.com", "s.hoffmann@example.com")
    assert csv_problems(tmp_path, f"{HEADER}\n{ROW_P1}\n{dup}\n{same}\n") == [
        "pairs.csv line 3 (pair 'p1'), column pair_id: pair id 'p1' is already used (line 2); pair ids must be unique",
        "pairs.csv line 3 (pair 'p1'), column mentee_email: 'K.Richter@example.com' is already in pair 'p1' (line 2) "
        "as mentee; a person can be in only one pair of a cohort",
        "pairs.csv line 4 (pair 'p3'), column mentee_email: 's.hoffmann@example.com' is both the mentor and the mentee "
        "of this pair; they must be two different people",
    ]


def test_csv_line_breaks_and_multiline_cells(tmp_path):
    # A quoted cell may span lines in CSV, but a name must be one line; later rows keep their true line numbers.
    row = ROW_P1.replace("Lena Weber", '"Lena\nWeber"')
    bad = ROW_P2.replace("s.hoffmann@example.com", "nope")
    assert csv_problems(tmp_path, f"{HEADER}\n{row}\n{bad}\n") == [
        f"pairs.csv line 2 (pair 'p1'), column mentor_name: {LINE_BREAK}",
        "pairs.csv line 4 (pair 'p2'), column mentee_email: 'nope' is not a valid email address: "
        "An email address must have an @-sign.",
    ]


def test_csv_wrong_cell_count(tmp_path):
    long_row = ROW_P1.replace("Lena Weber", "Weber, Lena")
    short_row = ROW_P2.rsplit(",", 3)[0]
    assert csv_problems(tmp_path, f"{HEADER}\n{long_row}\n{short_row}\n") == [
        "pairs.csv line 2: has 13 cells, but the header has 12 columns; a value that contains ',' must be put in double quotes",
        "pairs.csv line 3: has 9 cells, but the header has 12 columns",
    ]


def test_csv_malformed(tmp_path):
    text = f'{HEADER}\n{ROW_P1}\np2,"Jonas" Becker,x\n'
    assert csv_problems(tmp_path, text) == ["pairs.csv line 3: malformed CSV: ',' expected after '\"'"]


def test_csv_latin1(tmp_path):
    text = f"{HEADER}\n{ROW_P1.replace('Dr. Klaus Richter', 'Jürgen Müller')}\n".encode("cp1252")
    assert csv_problems(tmp_path, text) == [
        "pairs.csv line 2: is not UTF-8 text (byte 0xfc cannot be read); save the file with UTF-8 encoding"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["pairs.csv: the file is empty; it needs a header row and one row per pair"]),
        ("\n\n", ["pairs.csv: the file is empty; it needs a header row and one row per pair"]),
        (HEADER + "\n", ["pairs.csv: has a header row but no pairs; add one row per pair"]),
    ],
)
def test_csv_empty(tmp_path, text, expected):
    assert csv_problems(tmp_path, text) == expected


def test_csv_missing_file(tmp_path):
    path = write(tmp_path, BASE.split("pairs:\n")[0] + "pairs_csv: missing.csv\n")
    assert problems(path) == [
        f"{path} line 14: pairs_csv: the CSV file 'missing.csv' was not found (looked for {tmp_path / 'missing.csv'})"
    ]


def test_csv_and_yaml_problems_together(tmp_path):
    path = csv_cohort(tmp_path, f"{HEADER}\n{ROW_P1.replace('Europe/Berlin', 'Europe/Berln', 1)}\n")
    path.write_text(path.read_text().replace("cadence: biweekly", "cadence: daily"))
    found = problems(path)
    assert found == [
        f"{path} line 8: cadence: unknown cadence 'daily'; use one of: weekly, biweekly, every_3_weeks, monthly",
        "pairs.csv line 2 (pair 'p1'), column mentor_timezone: unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?",
    ]


# --------------------------------------------------------------- garbage in


GARBAGE = [
    b"\x00\x01\x02\xff\xfe\xfd" * 50,
    bytes(range(256)),
    b"\xff\xfe" + "id: x\n".encode("utf-16-le"),
    b"\x00id: dw\n",
    b"- 1\n- 2\n",
    b"[[[[[[[[[[",
    b"{" * 5000,
    b"[" * 200 + b"]" * 200,
    b"id: dw\nduration_months: " + b"9" * 5000 + b"\n",
    b"duration_months: 1e999\nreminder_hours: -0\ninvite_lead_days: 0x10\n",
    b"id:\nname:\nfocus:\nlanguage:\nprogram_office:\nstart_date:\nduration_months:\ncadence:\nsession:\npairs:\n",
    b"id: ~\npairs: [~, {id: ~, mentor: ~, mentee: {name: ~, email: ~, timezone: ~}}]\n",
    b"a: &a [*a]\n",
    b"a: &a\n  b: *a\n",
    b"!!python/object/apply:os.system ['echo hi']\n",
    b"id: !!binary aGVsbG8=\npairs: !!set {a, b}\n",
    b"? [complex, key]\n: value\n",
    b"---\nid: a\n---\nid: b\n",
    b"%YAML 1.1\n%YAML 1.1\n---\nx\n",
    b"id: '\n",
    b"\t\t\n\t- x",
    b"<<: 5\n",
    b"pairs_csv: /dev/null\n",
    b"pairs_csv: [a]\n",
    b"pairs_csv: ../../../../../../etc/shadow\n",
    b'pairs_csv: "nul\\0byte.csv"\n',
    b"pairs_csv: " + b"x" * 5000 + b"\n",
    'name: "\U0001f600\u202e\u200b"\nid: \u00e9\n'.encode(),
]


@pytest.mark.parametrize("data", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_gives_only_cohort_file_errors(tmp_path, data):
    path = write(tmp_path, data)
    with pytest.raises(CohortFileError) as info:
        load_cohort(path, today=TODAY)
    assert info.value.problems
    for problem in info.value.problems:
        assert problem.where and problem.message


def test_billion_laughs_is_refused(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    (p,) = problems(path)
    assert "more than 100000 values" in p


def test_huge_file_is_refused(tmp_path):
    path = write(tmp_path, BASE + "#" * 5_000_001 + "\n")
    assert problems(path) == [f"{path}: is too large (more than 5 MB); a cohort file is a few kilobytes"]


def test_csv_garbage(tmp_path):
    for i, data in enumerate([bytes(range(256)), b"\x00,\x00\n", b'"unterminated\n', b"a" * 200_000 + b"\n"]):
        sub = tmp_path / str(i)
        sub.mkdir()
        with pytest.raises(CohortFileError):
            load_cohort(csv_cohort(sub, data))


def test_fuzzed_example_never_crashes(tmp_path):
    """Random edits of a valid file either load or give a CohortFileError, never anything else."""
    source = (EXAMPLES / "digital-workplace-2027.yaml").read_bytes()
    alphabet = b" \t\n\r:-[]{}#&*!|>'\"%@,?\x00\xc3\xa4\xff0aZ"
    rng = random.Random(20270202)
    for i in range(300):
        data = bytearray(source)
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(len(data))
            action = rng.random()
            if action < 0.4:
                data[pos] = rng.choice(alphabet)
            elif action < 0.7:
                del data[pos : pos + rng.randint(1, 40)]
            else:
                data[pos:pos] = bytes([rng.choice(alphabet)])
        path = write(tmp_path, bytes(data), f"fuzz{i}.yaml")
        try:
            load_cohort(path, today=TODAY)
        except CohortFileError as e:
            assert e.problems


# ------------------------------------------- found by the property tests (test_cohort_file_properties)


def test_lone_surrogates_are_refused(tmp_path):
    # A YAML escape can make half of a UTF-16 pair; such text cannot even be sent to Temporal.
    path = write(tmp_path, base_with('name: "Lena Weber"', 'name: "Lena \\udfff"'))
    assert problems(path) == [
        f"{path} line 16: pairs[0] (id 'p1') → mentor.name: "
        "contains an invalid character (U+DFFF, half of a UTF-16 pair); remove it"
    ]


def test_json_style_escaped_pairs_are_joined(tmp_path):
    # JSON (and so JSON-writing tools) escape an emoji as two halves: they make one character.
    path = write(tmp_path, base_with('"Digitale Arbeitswelt 2027"', '"DW \\ud83d\\ude00"'))
    assert load_cohort(path).program.cohort_name == "DW \U0001f600"


@pytest.mark.parametrize(
    ("old", "new", "where", "shown"),
    [
        ("cadence: biweekly\n", 'cadence: biweekly\n"ca\\ndence": x\n', "line 9: ca\\ndence", "'ca\\ndence'"),
        ('timezone: "America/New_York"', 'timezone: "America/\\rNY"', "line 20: pairs[1] (id 'p2')", "'America/\\rNY'"),
        ("id: p2", 'id: "p\\u2028\\x1b[2J"', "line 18: pairs[1] (id 'p\\u2028\\x1b[2J') → id", "'p\\u2028\\x1b[2J'"),
    ],
)
def test_quoted_values_keep_a_problem_on_one_line(tmp_path, old, new, where, shown):
    # Problems quote keys and values; line breaks and control characters in them are shown escaped.
    path = write(tmp_path, base_with(old, new))
    (p,) = problems(path)
    assert p.startswith(f"{path} {where}") and shown in p, p
    assert "\n" not in p and "\r" not in p and "\x1b" not in p and "\u2028" not in p


def test_csv_column_names_keep_a_problem_on_one_line(tmp_path):
    found = csv_problems(tmp_path, f'{HEADER},"no\ntes","no\ntes"\n{ROW_P1},,\n')
    assert found == [
        "pairs.csv line 1 (header): column 'no\\ntes' appears twice",
        "pairs.csv line 1 (header): unknown column 'no\\ntes'; allowed columns: pair_id, mentor_name, "
        "mentor_email, mentor_timezone, mentee_name, mentee_email, mentee_timezone, meeting_timezone, "
        "weekday, time, length_minutes, location",
    ]


@pytest.mark.parametrize("start", ["9999-11-02", "0001-01-01", "2100-01-01", "1999-12-31"])
def test_start_date_out_of_range(tmp_path, start):
    # Year 9999 + 6 months does not exist: the plan failed after the cohort had been started.
    path = write(tmp_path, base_with("start_date: 2027-02-02", f"start_date: {start}"))
    assert problems(path) == [
        f"{path} line 6: start_date: start date {start} is out of range; a program starts between "
        "2000-01-01 and 2099-12-31 (a typo in the year?)"
    ]


def test_start_date_override_out_of_range(tmp_path):
    path = write(tmp_path, BASE)
    assert problems(path, today=TODAY, start_date=date(9999, 12, 31)) == [
        "--start-date: start date 9999-12-31 is out of range; a program starts between "
        "2000-01-01 and 2099-12-31 (a typo in the year?)"
    ]
    assert load_cohort(path, start_date=date(2099, 12, 31)).program.start_date == date(2099, 12, 31)


def test_huge_file_of_tiny_values_is_refused_quickly(tmp_path):
    # Composing 1.2 MB of flow items took ~40 s before the value limit was checked; now a few seconds.
    import time as clock

    path = write(tmp_path, "x: [" + "a," * 600_000 + "]\n")
    # CPU time, not the wall clock: the suite's other processes must not fail it.
    began = clock.process_time()
    (p,) = problems(path)
    assert p == f"{path} line 1: the file holds more than 100000 values; a cohort file is much smaller"
    assert clock.process_time() - began < 20


@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_pairs_csv_must_be_a_regular_file(tmp_path, target):
    # A FIFO (or /dev/stdin on a terminal) made load_cohort wait for ever for a writer.
    import os
    import threading

    if target == "fifo":
        os.mkfifo(tmp_path / "pairs.csv")
        name = "pairs.csv"
    else:
        name = target
    path = write(tmp_path, BASE.split("pairs:\n")[0] + f"pairs_csv: {name}\n")
    outcome: list[list[str]] = []
    worker = threading.Thread(target=lambda: outcome.append(problems(path)), daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive() and target == "fifo":  # unblock the reader before failing
        with open(tmp_path / "pairs.csv", "w"):
            pass
    assert outcome == [[f"{name}: is not a regular file (it is a pipe, socket or device); name a file"]]


def test_huge_csv_is_refused_quickly(tmp_path):
    # The CSV had no value limit: 5 MB of one-cell rows took over a minute, each row checked and reported.
    import time as clock

    began = clock.process_time()  # CPU time, as above
    found = csv_problems(tmp_path, "pair_id\n" + "x\n" * 200_000)
    assert found == ["pairs.csv line 100001: the file holds more than 100000 values; a pairs CSV is much smaller"]
    assert clock.process_time() - began < 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'id: x\nname: "\\U00110000"\n',
            "line 2, column 10: malformed YAML: an escape names no character (the last one is \\U0010FFFF)",
        ),
        (
            "%YAML 1." + "9" * 5000 + "\n---\nid: x\n",
            "line 1, column 9: malformed YAML: a number in this directive is far too long",
        ),
        ("\x0cid: x\n", "line 1: malformed YAML: special characters are not allowed"),
    ],
)
def test_yaml_that_python_cannot_read_is_a_problem_not_a_crash(tmp_path, text, expected):
    # PyYAML raised a bare ValueError (chr() out of range, int() of 5000 digits), not a YAMLError.
    path = write(tmp_path, text)
    assert problems(path) == [f"{path} {expected}"]
