"""The program office's time zone in the cohort file: given, or the zone most pairs meet in."""

from __future__ import annotations

from datetime import date

import pytest

from mentoring.cohort import office_zone
from mentoring.cohort_file import CohortFileError, load_cohort
from tests import factories
from tests.test_cohort_file import BASE, EXAMPLES, base_with, csv_cohort, write

TODAY = date(2026, 11, 27)
OFFICE = 'program_office: {name: "Programmbüro HR", email: "mentoring@example.com"}'


def with_office_zone(zone: str) -> str:
    return base_with(OFFICE, OFFICE.replace("}", f", timezone: {zone}}}"))


def test_the_zone_the_file_names_is_the_offices(tmp_path):
    cohort = load_cohort(write(tmp_path, with_office_zone("America/Chicago")), today=TODAY)
    assert cohort.program.program_office.timezone == "America/Chicago"


def test_without_one_the_office_keeps_the_clock_most_pairs_meet_on(tmp_path):
    # p1 meets in Berlin, p2 in New York (its mentee's zone); a third pair in New York decides.
    third = (
        "  - id: p3\n"
        '    mentor: {name: "Tim Nguyen", email: "tim@example.com", timezone: "Europe/Vienna"}\n'
        '    mentee: {name: "Ann Lee", email: "ann@example.com", timezone: "America/New_York"}\n'
    )
    cohort = load_cohort(write(tmp_path, BASE + third), today=TODAY)
    assert cohort.program.program_office.timezone == "America/New_York"


def test_on_a_tie_the_pair_named_first_in_the_file_decides(tmp_path):
    # BASE: p1 meets in Berlin, p2 in New York.
    assert load_cohort(write(tmp_path, BASE), today=TODAY).program.program_office.timezone == "Europe/Berlin"
    head, pairs = BASE.split("pairs:\n")
    p1, p2 = pairs[: pairs.index("  - id: p2")], pairs[pairs.index("  - id: p2") :]
    cohort = load_cohort(write(tmp_path, f"{head}pairs:\n{p2}{p1}"), today=TODAY)
    assert cohort.program.program_office.timezone == "America/New_York"


def test_a_csv_cohort_resolves_the_same_way(tmp_path):
    from tests.test_cohort_file import HEADER, ROW_P1, ROW_P2

    row_p3 = ROW_P2.replace("p2,", "p3,", 1).replace("jonas.becker@", "jonas.b@").replace("s.hoffmann@", "s.h@")
    cohort = load_cohort(csv_cohort(tmp_path, "\n".join([HEADER, ROW_P1, ROW_P2, row_p3]) + "\n"), today=TODAY)
    assert cohort.program.program_office.timezone == "America/New_York"


def test_the_example_cohorts_office_is_in_berlin():
    for name in ("digital-workplace-2027.yaml", "digital-workplace-2027-csv.yaml"):
        assert load_cohort(EXAMPLES / name, today=TODAY).program.program_office.timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Berln", "unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?"),
        ("berlin", "unknown time zone 'berlin'; did you mean 'Europe/Berlin'?"),
        ("Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'; use a name like 'Europe/Berlin'"),
        ("localtime", "unknown time zone 'localtime'"),
        ("[Europe/Berlin]", "must be a time zone name, but it is a list"),
    ],
)
def test_a_zone_that_is_not_an_iana_name_is_refused_with_file_line_and_field(tmp_path, zone, expected):
    path = write(tmp_path, with_office_zone(zone))
    with pytest.raises(CohortFileError) as error:
        load_cohort(path, today=TODAY)
    (problem,) = [str(p) for p in error.value.problems]
    assert problem.startswith(f"{path} line 5: program_office.timezone: {expected}")


def test_a_misspelled_key_is_suggested(tmp_path):
    path = write(tmp_path, base_with(OFFICE, OFFICE.replace("}", ", time_zone: Europe/Berlin}")))
    with pytest.raises(CohortFileError) as error:
        load_cohort(path, today=TODAY)
    assert [str(p) for p in error.value.problems] == [
        f"{path} line 5: program_office.time_zone: unknown key 'time_zone'; did you mean 'timezone'?"
    ]


def test_a_cohort_built_without_the_file_gets_the_same_rule():
    cohort = factories.cohort(TODAY, ["p1", "p2"])
    assert cohort.program.program_office.timezone is None
    assert office_zone(cohort) == "Europe/Berlin"
    cohort.program.program_office.timezone = "Asia/Kolkata"
    assert office_zone(cohort) == "Asia/Kolkata"
