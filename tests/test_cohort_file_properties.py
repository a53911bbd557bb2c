"""Property-based cohort files: whatever the program office writes, a clean cohort or a clear error.

Hypothesis writes cohort files and pair CSVs: valid cohorts built from the
model's fields and written the ways people write them (block or flow YAML,
JSON, a CSV with commas or semicolons, BOMs, CRLF), the same cohorts with
fields broken (wrong types, hostile Unicode, huge values, duplicates), damaged
text and bytes (tags, anchors, alias bombs, other encodings, truncation),
random files and CSV layouts. For every one ``load_cohort`` must keep its one
promise: a ``Cohort`` that is valid in every field and can be planned, or a
``CohortFileError`` whose problems each name the file and say in one plain
line what is wrong. Nothing else: no other exception, no half-checked cohort.

The examples are derandomized, so CI sees the same files on every run.
Examples per test: valid 150, mutated 350, damaged 200, random 200, CSV 300,
end to end 20 (each example writes a cohort file; the CSV test and the CSV
forms of the others write a CSV too): about 1,220 cohort files and 420 CSVs,
in about a minute on two cores.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from email_validator import validate_email
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from activities.planning import plan_program
from mentoring.cohort import Cadence, Cohort, Language, Pair, Person, Program, ProgramOffice, SessionPattern, Weekday
from mentoring.cohort_file import CohortFileError, Problem, load_cohort
from mentoring.cohort_file.csv_pairs import ALL_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from mentoring.plan import PlanRequest

pytestmark = pytest.mark.properties

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 27)
LATEST_START = date(2099, 12, 31)  # the last start date a cohort file may have
UNUSABLE_ZONES = {"localtime", "posixrules", "Factory"}
# A fixed list (the machine's zone list varies, derandomized examples should not): odd
# offsets, DST in both hemispheres, zones on the date line, legacy and Etc names.
ZONES = [
    *["Europe/Berlin", "Europe/Vienna", "Europe/London", "Europe/Lisbon", "America/New_York", "America/St_Johns"],
    *["America/Sao_Paulo", "America/Los_Angeles", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo", "Asia/Tehran"],
    *["Australia/Lord_Howe", "Australia/Adelaide", "Pacific/Auckland", "Pacific/Chatham", "Pacific/Kiritimati"],
    *["Pacific/Apia", "Antarctica/Troll", "Africa/Casablanca", "Africa/Abidjan", "UTC", "Etc/GMT+12", "Etc/GMT-14"],
    *["CET", "EST5EDT", "US/Eastern", "GMT"],
]
ID_RE = re.compile(r"[a-z0-9_-]{1,40}")
UNSAFE_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}  # control characters, surrogates, line/paragraph separators
REPR_NOISE = re.compile(r"Traceback|<class|<function|<built-in| object at 0x|\b[A-Z]\w*(?:Error|Exception)\b")

# Reproducible (derandomize), no example database in the repository, no slowness deadline:
# some examples are large files on purpose.
PROPERTY = settings(deadline=None, derandomize=True, database=None, print_blob=False)


# ----------------------------------------------------------------- the properties


def load(path: Path, names: list[str], **kwargs: Any) -> Cohort | None:
    """Load; check whichever outcome against the promise. None means a clear error."""
    try:
        cohort = load_cohort(path, **kwargs)
    except CohortFileError as error:
        assert_clear_error(error, [str(path), *names, "--start-date"])
        event("refused")  # events show with --hypothesis-show-statistics
        return None
    assert_valid_cohort(cohort, kwargs.get("today"))
    event("loaded")
    return cohort


def assert_one_printable_line(text: str) -> None:
    bad = [ch for ch in text if unicodedata.category(ch) in UNSAFE_CATEGORIES]
    assert not bad, f"unsafe characters {bad!r} in {text!r}"


def assert_clear_error(error: CohortFileError, names: list[str]) -> None:
    assert error.problems, "a CohortFileError must list at least one problem"
    for problem in error.problems:
        assert isinstance(problem, Problem)
        assert isinstance(problem.where, str) and problem.where.strip(), problem
        assert isinstance(problem.message, str) and problem.message.strip(), problem
        assert problem.where.startswith(tuple(names)), f"does not name the file: {problem}"
        assert_one_printable_line(problem.where)
        assert_one_printable_line(problem.message)
        assert not REPR_NOISE.search(str(problem)), f"Python noise in a message: {problem}"
    assert str(error) == "\n".join(str(p) for p in error.problems)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*strings(k), *strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def assert_valid_cohort(cohort: Cohort, today: date | None) -> None:
    assert isinstance(cohort, Cohort)
    for text in strings(cohort.model_dump(mode="json")):
        assert_one_printable_line(text)
    program = cohort.program
    assert ID_RE.fullmatch(program.cohort_id)
    texts = [(program.cohort_name, 200), (program.focus, 200), (program.program_office.name, 200)]
    texts += [(person.name, 200) for pair in cohort.pairs for person in (pair.mentor, pair.mentee)]
    texts += [(pair.pattern.location, 500) for pair in cohort.pairs]
    for text, limit in texts:
        assert text == text.strip() and 0 < len(text) <= limit, text
    emails = [program.program_office.email]
    emails += [person.email for pair in cohort.pairs for person in (pair.mentor, pair.mentee)]
    for email in emails:
        assert email.count("@") == 1, email
        assert validate_email(email, check_deliverability=False).normalized == email
    zones = [z for pair in cohort.pairs for z in (pair.mentor.timezone, pair.mentee.timezone, pair.pattern.timezone)]
    for zone in zones:
        assert zone not in UNUSABLE_ZONES
        zoneinfo.ZoneInfo(zone)
    assert 4 <= program.duration_months <= 6
    assert 1 <= program.invite_lead_days <= 60 and 1 <= program.reminder_hours <= 168
    assert 0 <= program.reflection_delay_hours <= 72
    assert date(2000, 1, 1) <= program.start_date <= LATEST_START
    if today is not None:
        assert program.start_date >= today
    assert cohort.pairs, "a cohort without pairs"
    pair_ids = [pair.id for pair in cohort.pairs]
    assert all(ID_RE.fullmatch(i) for i in pair_ids) and len(set(pair_ids)) == len(pair_ids)
    people = [person.email.lower() for pair in cohort.pairs for person in (pair.mentor, pair.mentee)]
    assert len(set(people)) == len(people), "a person in two roles or two pairs"
    # What the starter does next must work: serialize for Temporal, plan every pair.
    assert Cohort.model_validate_json(cohort.model_dump_json().encode("utf-8")) == cohort
    not_before = datetime.combine(program.start_date, time(0), tzinfo=UTC) - timedelta(days=1)
    for pair in cohort.pairs:
        assert 15 <= pair.pattern.length_minutes <= 240
        plan = plan_program(
            PlanRequest(
                start_date=program.start_date,
                duration_months=program.duration_months,
                pattern=pair.pattern,
                not_before=not_before,
            )
        )
        assert plan.sessions, f"pair {pair.id} has no sessions"


# ------------------------------------------------------------ valid cohorts


@dataclass
class Written:
    """A cohort as the program office writes it (``data``), and the cohort it must load as."""

    data: dict[str, Any]
    cohort: Cohort


# Characters people really put into names, and some that only attackers do.
SPICE = (
    "äöüßÄÖÜéçłİıÅñ"
    "\u200f\u200e\u202e\u202b\u2066\u2069\u200d\u200c\u00ad\u0301"  # RTL/LTR marks, overrides, joiners, combining
    "👩‍💻🎉🇩🇪😀"
    "שלום مرحبا 日本語 Ελληνικά"
    "'\"#&*!|>%@,?[]{}:-=+~"
)
SAFE_CHARS = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cs", "Zl", "Zp"),
    exclude_characters="\ufeff\ufffe\uffff",
)
YAML_LOOKALIKES = ["No", "yes", "~", "null", "16:00", "0123", "1e3", "- x", "# x", "&a", "*a", "!tag", "[/red]", "{a}"]


def text_field(limit: int) -> st.SearchStrategy[str]:
    chars = st.one_of(st.sampled_from(SPICE), SAFE_CHARS, st.sampled_from("abcdefghij ABC.-'"))
    short_text = st.text(chars, min_size=1, max_size=40)
    long_text = st.builds(lambda s, n: (s * n)[:limit], short_text, st.integers(1, limit))
    formulas = st.sampled_from(["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1-1", "-2+3"])
    return st.one_of(short_text, long_text, st.sampled_from(YAML_LOOKALIKES), formulas).map(str.strip).filter(bool)


NAMES = text_field(200)
LOCATIONS = text_field(500)
IDS = st.from_regex(ID_RE, fullmatch=True)
ALNUM = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# [A-Za-z0-9]{1,12}([._+-][A-Za-z0-9]{1,8})?, drawn without a regex (13 % of this file's time).
LOCALS = st.one_of(
    st.builds(
        lambda head, tail: head + tail,
        st.text(ALNUM, min_size=1, max_size=12),
        st.just("") | st.builds(str.__add__, st.sampled_from("._+-"), st.text(ALNUM, min_size=1, max_size=8)),
    ),
    st.sampled_from(["jürgen", "Lena.Weber", "Ü", "o'brien"]),
)
DOMAINS = st.sampled_from(["example.com", "example.org", "Firma.Example.DE", "bücher.example.com", "mentoring.example"])
GERMAN = {
    Weekday.MONDAY: "montag",
    Weekday.TUESDAY: "dienstag",
    Weekday.WEDNESDAY: "mittwoch",
    Weekday.THURSDAY: "donnerstag",
    Weekday.FRIDAY: "freitag",
    Weekday.SATURDAY: "samstag",
    Weekday.SUNDAY: "sonntag",
}


# Strategies are built once, here: one built inside a draw is validated again on every
# draw (with the regex above, this file took 37 % more CPU).
CASES = st.sampled_from([str, str.upper, str.title])
SEPARATORS = st.sampled_from(["_", "-", " "])
WEEKDAYS = st.tuples(st.sampled_from(list(Weekday)), st.booleans(), CASES).map(
    lambda d: (d[0], d[2](GERMAN[d[0]] if d[1] else d[0].value))
)
TIMES = st.tuples(
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    st.sampled_from(["{0.hour}:{0.minute:02d}", "{0.hour:02d}:{0.minute:02d}", "{0.hour:02d}.{0.minute:02d}"]),
).map(lambda t: (t[0], t[1].format(t[0])))


def spelled(draw: st.DrawFn, word: str) -> str:
    return draw(CASES)(word)


@functools.cache
def number(lo: int, hi: int) -> st.SearchStrategy[tuple[int, Any]]:
    """An int and how it is written: plain, as text, or padded with spaces."""
    return st.tuples(st.integers(lo, hi), st.sampled_from([int, str, " {} ".format])).map(lambda n: (n[0], n[1](n[0])))


def address(draw: st.DrawFn, index: int) -> tuple[str, str]:
    """A unique address (by ``index``) as written, and as it loads."""
    written = f"{draw(LOCALS)}.{index}@{draw(DOMAINS)}"
    return written, validate_email(written, check_deliverability=False).normalized


@st.composite
def valid_cohorts(draw: st.DrawFn) -> Written:
    n_pairs = draw(st.integers(1, 5))
    pair_ids = draw(st.lists(IDS, min_size=n_pairs, max_size=n_pairs, unique=True))
    cadence = draw(st.sampled_from(list(Cadence)))
    language = draw(st.sampled_from(list(Language)))
    start = draw(st.dates(TODAY, LATEST_START))
    duration, duration_written = draw(number(4, 6))
    weekday, weekday_written = draw(WEEKDAYS)
    at, at_written = draw(TIMES)
    length, length_written = draw(number(15, 240))
    location = draw(LOCATIONS)
    office_email, office_normalized = address(draw, 0)
    data: dict[str, Any] = {
        "id": draw(IDS),
        "name": draw(NAMES),
        "focus": draw(NAMES),
        "language": spelled(draw, language.value),
        "program_office": {"name": draw(NAMES), "email": office_email},
        "start_date": start.isoformat(),
        "duration_months": duration_written,
        "cadence": spelled(draw, cadence.value.replace("_", draw(SEPARATORS))),
        "session": {
            "weekday": weekday_written,
            "time": at_written,
            "length_minutes": length_written,
            "location": location,
        },
    }
    extra = {}
    for key, lo, hi in (("invite_lead_days", 1, 60), ("reminder_hours", 1, 168), ("reflection_delay_hours", 0, 72)):
        if draw(st.booleans()):
            extra[key], data[key] = draw(number(lo, hi))
    pairs_data, pairs = [], []
    for i, pair_id in enumerate(pair_ids):
        people = {}
        entry: dict[str, Any] = {"id": pair_id}
        for j, role in enumerate(("mentor", "mentee")):
            name = draw(NAMES)
            written, normalized = address(draw, 2 * i + j + 1)
            zone = draw(st.sampled_from(ZONES))
            entry[role] = {"name": name, "email": written, "timezone": zone}
            people[role] = Person(name=name, email=normalized, timezone=zone)
        pattern = {"weekday": weekday, "local_time": at, "length_minutes": length, "location": location}
        pattern["timezone"] = people["mentee"].timezone
        if draw(st.booleans()):
            pattern["timezone"] = entry["meeting_timezone"] = draw(st.sampled_from(ZONES))
        if draw(st.booleans()):
            pattern["weekday"], entry["weekday"] = draw(WEEKDAYS)
        if draw(st.booleans()):
            pattern["local_time"], entry["time"] = draw(TIMES)
        if draw(st.booleans()):
            pattern["length_minutes"], entry["length_minutes"] = draw(number(15, 240))
        if draw(st.booleans()):
            pattern["location"] = entry["location"] = draw(LOCATIONS)
        pairs_data.append(entry)
        pairs.append(Pair(id=pair_id, **people, pattern=SessionPattern(cadence=cadence, **pattern)))
    data["pairs"] = pairs_data
    # The office's zone as written, or else the zone most pairs meet in (the earliest on a tie).
    office_zone = draw(st.one_of(st.none(), st.sampled_from(ZONES)))
    if office_zone is not None:
        data["program_office"]["timezone"] = office_zone
    met_in = [pair.pattern.timezone for pair in pairs]
    program = Program(
        cohort_id=data["id"],
        cohort_name=data["name"],
        focus=data["focus"],
        language=language,
        program_office=ProgramOffice(
            name=data["program_office"]["name"],
            email=office_normalized,
            timezone=office_zone or max(met_in, key=lambda zone: (met_in.count(zone), -met_in.index(zone))),
        ),
        start_date=start,
        duration_months=duration,
        **extra,
    )
    if draw(st.booleans()):  # key order does not matter
        data = dict(draw(st.permutations(list(data.items()))))
    return Written(data=data, cohort=Cohort(program=program, pairs=pairs))


# ------------------------------------------------------------------ writing files


@dataclass
class Style:
    """How a cohort is written down."""

    form: str  # block | flow | json | csv
    allow_unicode: bool
    width: int
    bom: bool
    crlf: bool
    delimiter: str
    quote_all: bool
    csv_name: str


STYLES = st.builds(
    Style,
    form=st.sampled_from(["block", "flow", "json", "csv"]),
    allow_unicode=st.booleans(),
    width=st.sampled_from([60, 10**6]),
    bom=st.booleans(),
    crlf=st.booleans(),
    delimiter=st.sampled_from([",", ";"]),
    quote_all=st.booleans(),
    csv_name=st.sampled_from(["pairs.csv", "Paare 2027.csv", "sub/pairs.csv", "pärchen.csv"]),
)


def yaml_text(data: Any, style: Style) -> str:
    if style.form == "json":
        return json.dumps(data, ensure_ascii=not style.allow_unicode, indent=2 if style.crlf else None) + "\n"
    return yaml.safe_dump(
        data,
        default_flow_style=style.form == "flow",
        allow_unicode=style.allow_unicode,
        sort_keys=False,
        width=style.width,
    )


def encode(text: str, style: Style) -> bytes:
    if style.crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    # surrogatepass: a lone surrogate becomes bytes that are not UTF-8, as a broken editor would write.
    return ("\ufeff" if style.bom else "").encode() + text.encode("utf-8", "surrogatepass")


def csv_text(pairs: list[Any], style: Style, columns: list[str] | None = None) -> str:
    """The pairs as a CSV table; entries that are not mappings become a row of their text."""
    rows = []
    for entry in pairs:
        if not isinstance(entry, dict):
            rows.append({"pair_id": entry})
            continue
        row = {}
        for column in ALL_COLUMNS:
            role, _, key = column.partition("_")
            if role in ("mentor", "mentee"):
                person = entry.get(role)
                value = person.get(key) if isinstance(person, dict) else None
            else:
                value = entry.get("id" if column == "pair_id" else column)
            if value is not None:
                row[column] = value
        rows.append(row)
    if columns is None:
        used = {c for row in rows for c in row}
        columns = [*REQUIRED_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in used)]
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=style.delimiter,
        quoting=csv.QUOTE_ALL if style.quote_all else csv.QUOTE_MINIMAL,
        lineterminator="\r\n" if style.crlf else "\n",
    )
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row[c]) for c in columns])
    return out.getvalue()


def write_cohort(folder: Path, data: Any, style: Style) -> tuple[Path, list[str]]:
    """Write the cohort file (and its CSV); return its path and the CSV's name."""
    path = folder / "cohort.yaml"
    if style.form == "csv" and isinstance(data, dict) and isinstance(data.get("pairs"), list):
        top = {k: v for k, v in data.items() if k != "pairs"}
        top["pairs_csv"] = style.csv_name
        csv_path = folder / style.csv_name
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        csv_path.write_bytes(encode(csv_text(data["pairs"], style), style))
        path.write_bytes(encode(yaml_text(top, Style(**{**style.__dict__, "form": "block"})), style))
        return path, [style.csv_name]
    path.write_bytes(encode(yaml_text(data, style), style))
    return path, []


# ------------------------------------------------------------ breaking fields

CONTROL = "\x00\t\n\r\x0b\x0c\x1b\x7f\x85\u2028\u2029"
HOSTILE = CONTROL + "\u200f\u202e\u2066\ufeff\ufffe\ud800\udfff😀" + "'\"\\:#&*!|>%@[]{}"
# Values that look almost right, or are the classic tricks ("٦" is an Arabic-Indic six).
HOSTILE_VALUES = [
    *["", " ", "~", "null", "yes", "0", "-1", "-0", "+5", "4.5", "1e999", "0x10", "٦", "9" * 5000, str(10**40)],
    *["Mars/Phobos", "../../etc/passwd", "/etc/localtime", "Europe/Berlin\x00", "europe/berlin", "localtime"],
    *["Factory", "2001-01-01", "2027-02-30", "9999-12-31", "0001-01-01", "2027-02-02T10:00", "24:00", "16:60"],
    *["=cmd|' /C calc'!A0", "[/red]", "{{7*7}}", "%s%n", "a@b@example.com", '"lena"@example.com'],
    *["lena@[127.0.0.1]", "Lena Weber <lena@example.com>", "lena@example.com\r\nBcc: all@example.com"],
]
HOSTILE_TEXT = st.one_of(
    st.text(st.sampled_from(HOSTILE + "abcXYZ "), max_size=30),
    st.text(max_size=30),
    st.sampled_from(HOSTILE_VALUES),
    # Longer than any field allows (200, 500 characters), up to 20,000 repeats.
    st.builds(lambda s, n: s * n, st.sampled_from(["a", "ä", "😀", "\u202e", "x\n", "ab "]), st.integers(201, 20_000)),
)
SCALARS = st.one_of(
    HOSTILE_TEXT,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
)


def nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


WRONG_TYPES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(HOSTILE_TEXT, SCALARS, max_size=3),
    st.sampled_from([5, 29, 31, 60, 120]).map(nested),
)


def slots(value: Any, path: tuple = ()) -> list[tuple]:
    """Every place in the data: mapping keys and list indexes, depth first."""
    places = []
    if isinstance(value, dict):
        for key, item in value.items():
            places += [path + (key,), *slots(item, path + (key,))]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            places += [path + (index,), *slots(item, path + (index,))]
    return places


def value_at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def container(data: Any, path: tuple) -> Any:
    return value_at(data, path[:-1])


def pair_entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The pair mappings that are still mappings after earlier breakages."""
    pairs = data.get("pairs")
    return [entry for entry in pairs if isinstance(entry, dict)] if isinstance(pairs, list) else []


def person_slots(data: dict[str, Any]) -> list[tuple]:
    pairs = data.get("pairs")
    return [
        ("pairs", i, role)
        for i, entry in enumerate(pairs if isinstance(pairs, list) else [])
        if isinstance(entry, dict)
        for role in ("mentor", "mentee")
        if isinstance(entry.get(role), dict)
    ]


@st.composite
def mutated_data(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """1-3 breakages of a valid cohort's data, field by field."""
    data = json.loads(json.dumps(data))  # a private deep copy
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add", "duplicate", "same_person"]))
        places = slots(data)
        if kind in ("replace", "delete", "add") and places:
            path = draw(st.sampled_from(places))
            parent = container(data, path)
            if kind == "replace":
                parent[path[-1]] = draw(WRONG_TYPES)
            elif kind == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(HOSTILE_TEXT)] = draw(SCALARS)
            else:
                parent.append(draw(WRONG_TYPES))
        elif kind == "duplicate":
            people = person_slots(data)
            pairs = [entry for entry in pair_entries(data) if "id" in entry]
            if draw(st.booleans()) and len(pairs) >= 2:
                first, second = draw(st.permutations(pairs))[:2]
                second["id"] = first["id"]
            elif len(people) >= 2:
                a, b = draw(st.permutations(people))[:2]
                email = str(value_at(data, a).get("email"))
                value_at(data, b)["email"] = draw(st.sampled_from([email, email.upper(), f" {email} "]))
        else:  # mentor and mentee are the same person
            for entry in pair_entries(data):
                if isinstance(entry.get("mentor"), dict) and isinstance(entry.get("mentee"), dict):
                    entry["mentee"]["email"] = str(entry["mentor"].get("email")).swapcase()
                    break
    return data


# ------------------------------------------------------------ damaging text and bytes

BILLION_LAUGHS = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
)
SNIPPETS = [
    BILLION_LAUGHS,
    "x-self: &self [*self]\n",
    "x-loop: &loop {k: *loop}\n",
    "x-undefined: *nope\n",
    "<<: {cadence: weekly, extra: 1}\n",
    "<<: [*undefined]\n",
    "<<: 5\n",
    "x-defaults: &d {timezone: Europe/Berlin}\n",
    "---\nid: second-document\n",
    "...\n",
    "%YAML 1.1\n",
    "? [complex, key]\n: value\n",
    "!!python/object/apply:os.system ['echo hi']\n",
    "id: !!binary aGVsbG8=\n",
    "cadence: weekly\n",
    "\tweekday: monday\n",
    "[" * 60 + "\n",
    "{" * 5000 + "\n",
    "x: " + "[" * 40 + "]" * 40 + "\n",
    "key: 'unterminated\n",
    'key: "bad escape \\q"\n',
    "& : *\n",
    'name: "\\U00110000"\n',
    "%YAML 1." + "9" * 5000 + "\n---\n",
    'name: "\\ud83d\\ude00 \\ud800 \\x00 \\e \\N \\_ \\L \\P"\n',
]
TAGS = ["!!str ", "!!int ", "!!binary ", "!!null ", "!!set ", "!custom ", "!!python/object:os.system ", "!<tag:x> "]


@st.composite
def damaged_text(draw: st.DrawFn, text: str) -> str:
    """Damage the YAML text: tags, anchors and aliases, snippets, tabs, deep brackets."""
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["snippet", "tag", "anchor", "tab", "line"]))
        at = draw(st.integers(0, len(lines) - 1))
        if kind == "snippet":
            lines.insert(at if draw(st.booleans()) else len(lines), draw(st.sampled_from(SNIPPETS)))
        elif kind == "tag":
            lines[at] = lines[at].replace(": ", ": " + draw(st.sampled_from(TAGS)), 1)
        elif kind == "anchor":  # the first value gets an anchor, another line refers to it
            lines[at] = lines[at].replace(": ", ": &ref ", 1)
            other = draw(st.integers(0, len(lines) - 1))
            head, colon, _ = lines[other].partition(": ")
            if colon:
                lines[other] = f"{head}: *ref\n"
        elif kind == "tab":
            lines[at] = "\t" + lines[at].lstrip(" ")
        else:
            lines[at] = draw(st.text(st.sampled_from(" \t:-[]{}#&*!|>'\"%@,?abc\n"), max_size=20))
    return "".join(lines)


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "ascii"]


@st.composite
def damaged_bytes(draw: st.DrawFn, text: str) -> bytes:
    """Encode the text some way and damage the bytes: BOMs, truncation, flips, NULs, huge sizes."""
    encoding = draw(st.sampled_from(ENCODINGS))
    raw = text.encode(encoding, "replace" if encoding in ("latin-1", "cp1252", "ascii") else "surrogatepass")
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "bom", "nul", "inflate", "line_endings"]))
        at = draw(st.integers(0, len(raw)))
        if kind == "truncate":
            raw = raw[:at]
        elif kind == "flip" and raw:
            at = min(at, len(raw) - 1)
            raw = raw[:at] + bytes([raw[at] ^ draw(st.integers(1, 255))]) + raw[at + 1 :]
        elif kind == "insert":
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
        elif kind == "bom":
            raw = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf" * 2])) + raw
        elif kind == "nul":
            raw = raw[:at] + b"\x00" + raw[at:]
        elif kind == "inflate":
            # Big but cheap to write: a long comment, a long value, or just over the 5 MB limit.
            size = draw(st.sampled_from([50_000, 300_000, 5_000_001]))
            raw = draw(st.sampled_from([b"#" * size + b"\n" + raw, raw + b"\nx: " + b"a" * size + b"\n"]))
        else:
            raw = raw.replace(b"\n", draw(st.sampled_from([b"\r", b"\r\n", b"\n\n", b"\x85"])))
    return raw


YAML_ALPHABET = " \t\n\r:-[]{}#&*!|>'\"%@,?~.\\0123456789abcdeiopstxyzÄü😀\u2028\x85"
RANDOM_FILES = st.one_of(
    st.binary(max_size=2000),
    st.text(st.sampled_from(YAML_ALPHABET), max_size=400).map(lambda t: t.encode("utf-8")),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


# ----------------------------------------------------------------- the tests


def today_and_start() -> st.SearchStrategy[dict[str, Any]]:
    """``load_cohort`` keyword arguments: with or without today, sometimes a start date override."""
    override = st.one_of(
        st.dates(TODAY, LATEST_START),
        st.sampled_from([date(1, 1, 1), date(2001, 1, 1), TODAY - timedelta(days=1), date(9999, 12, 31)]),
    )
    return st.fixed_dictionaries({}, optional={"today": st.just(TODAY), "start_date": override})


def open_brackets(text: str) -> int:
    """The most '[' and '{' open at once anywhere in the text, in quoted values too.

    By design the loader refuses a file past 50 (PyYAML is slow on deep flow
    nesting) without telling brackets in quotes from structure.
    """
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


@settings(PROPERTY, max_examples=150)
@given(written=valid_cohorts(), style=STYLES)
def test_valid_cohorts_load_as_written(written, style):
    with tempfile.TemporaryDirectory() as folder:
        path, names = write_cohort(Path(folder), written.data, style)
        assume(open_brackets(path.read_bytes().decode("utf-8", "replace")) <= 50)
        cohort = load(path, names, today=TODAY)
    assert cohort == written.cohort


@settings(PROPERTY, max_examples=350)
@given(data=st.data(), written=valid_cohorts(), style=STYLES, kwargs=today_and_start())
def test_mutated_cohorts_load_or_explain(data, written, style, kwargs):
    broken = data.draw(mutated_data(written.data), label="broken")
    with tempfile.TemporaryDirectory() as folder:
        path, names = write_cohort(Path(folder), broken, style)
        load(path, names, **kwargs)


@settings(PROPERTY, max_examples=200)
@given(data=st.data(), written=valid_cohorts(), style=STYLES, kwargs=today_and_start())
def test_damaged_files_load_or_explain(data, written, style, kwargs):
    text = data.draw(damaged_text(yaml_text(written.data, style)), label="text")
    raw = data.draw(damaged_bytes(text), label="bytes")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cohort.yaml"
        path.write_bytes(raw)
        load(path, [], **kwargs)


@settings(PROPERTY, max_examples=200)
@given(raw=RANDOM_FILES)
def test_random_files_are_refused_clearly(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cohort.yaml"
        path.write_bytes(raw)
        assert load(path, [], today=TODAY) is None


FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x")', "+1+1", "-1+1", "@SUM(A1)", "\t=1"]


@st.composite
def csv_variants(draw: st.DrawFn, written: Written, style: Style) -> tuple[bytes, str]:
    """A pairs CSV, broken the ways spreadsheets and people break them; and the name the cohort file gives it."""
    pairs = written.data["pairs"]
    if draw(st.booleans()):
        pairs = draw(mutated_data({"pairs": pairs})).get("pairs", [])
        pairs = pairs if isinstance(pairs, list) else [pairs]
    columns = list(draw(st.permutations(ALL_COLUMNS)))
    rows = list(csv.reader(io.StringIO(csv_text(pairs, style, columns), newline=""), delimiter=style.delimiter))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(
            st.sampled_from(["drop_column", "extra_column", "ragged", "cell", "formula", "header", "blank", "rows"])
        )
        if not rows:
            rows = [[]]
        if kind == "drop_column" and rows[0]:
            index = draw(st.integers(0, len(rows[0]) - 1))
            rows = [row[:index] + row[index + 1 :] for row in rows]
        elif kind == "extra_column":
            name = draw(st.one_of(st.sampled_from(["", "notes", "pair_id", "Mentor_Email ", "wekday"]), HOSTILE_TEXT))
            rows = [rows[0] + [name]] + [row + [draw(st.sampled_from(["", "x", "p1"]))] for row in rows[1:]]
        elif kind == "ragged" and len(rows) > 1:
            at = draw(st.integers(1, len(rows) - 1))
            rows[at] = rows[at][:-1] if draw(st.booleans()) else rows[at] + ["extra"]
        elif kind in ("cell", "formula") and len(rows) > 1:
            at, col = draw(st.integers(1, len(rows) - 1)), draw(st.integers(0, max(0, len(rows[1]) - 1)))
            if col < len(rows[at]):
                value = draw(st.sampled_from(FORMULAS)) if kind == "formula" else draw(HOSTILE_TEXT)
                rows[at][col] = value
        elif kind == "header":
            rows[0] = [draw(st.sampled_from([c, c.upper(), f" {c} ", c.replace("_", " ")])) for c in rows[0]]
        elif kind == "blank":
            rows.insert(draw(st.integers(0, len(rows))), draw(st.sampled_from([[], [""], ["", " "]])))
        else:
            rows = rows[: draw(st.integers(0, len(rows)))]
    out = io.StringIO()
    csv.writer(out, delimiter=style.delimiter, lineterminator="\r\n" if style.crlf else "\n").writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()):  # damage the text: stray quotes and delimiters, embedded line breaks
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(text)))
            stray = draw(st.sampled_from(['"', '""', ";", ",", "\n", "\r", '"\n"', "\u2028", "\x85"]))
            text = text[:at] + stray + text[at:]
    raw = draw(damaged_bytes(text)) if draw(st.integers(0, 3)) == 0 else encode(text, style)
    if draw(st.integers(0, 9)) == 0:
        raw = draw(st.binary(max_size=500))
    name = draw(st.sampled_from([style.csv_name] * 6 + ["missing.csv", ".", "/dev/null", "/dev/zero", "../pairs.csv"]))
    return raw, name


@settings(PROPERTY, max_examples=300)
@given(data=st.data(), written=valid_cohorts(), style=STYLES, kwargs=today_and_start())
def test_csv_variants_load_or_explain(data, written, style, kwargs):
    raw, name = data.draw(csv_variants(written, style), label="csv")
    top = {k: v for k, v in written.data.items() if k != "pairs"}
    top["pairs_csv"] = name
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "cohort"
        (root / "sub").mkdir(parents=True)
        (root / style.csv_name).write_bytes(raw)
        path = root / "cohort.yaml"
        path.write_bytes(encode(yaml_text(top, Style(**{**style.__dict__, "form": "block"})), style))
        load(path, [name], **kwargs)


@st.composite
def any_cohort_file(draw: st.DrawFn) -> tuple[bytes, bytes | None, str]:
    """The bytes of a cohort file of any kind above, and of its CSV if it names one."""
    written, style = draw(valid_cohorts()), draw(STYLES)
    kind = draw(st.sampled_from(["valid", "mutated", "damaged", "random", "csv"]))
    if kind == "random":
        return draw(RANDOM_FILES), None, style.csv_name
    if kind == "csv":
        raw, name = draw(csv_variants(written, style))
        top = {k: v for k, v in written.data.items() if k != "pairs"} | {"pairs_csv": name}
        return encode(yaml_text(top, Style(**{**style.__dict__, "form": "block"})), style), raw, style.csv_name
    data = draw(mutated_data(written.data)) if kind == "mutated" else written.data
    text = yaml_text(data, Style(**{**style.__dict__, "form": "flow" if style.form == "csv" else style.form}))
    if kind == "damaged":
        return draw(damaged_bytes(draw(damaged_text(text)))), None, style.csv_name
    return encode(text, style), None, style.csv_name


# Each example starts a Python process, so there are few, and they are slow to run (not to generate).
@settings(PROPERTY, max_examples=20)
@given(files=any_cohort_file())
def test_starter_validate_exits_cleanly(files):
    raw, csv_raw, csv_name = files
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "sub").mkdir()
        path = root / "cohort.yaml"
        path.write_bytes(raw)
        if csv_raw is not None:
            (root / csv_name).write_bytes(csv_raw)
        result = subprocess.run(
            [sys.executable, "starter.py", "validate", str(path)],
            cwd=ROOT,
            capture_output=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TEMPORAL_ADDRESS": "127.0.0.1:1"},
        )
        try:
            load_cohort(path, today=date.today())
            loads = True
        except CohortFileError:
            loads = False
    stdout, stderr = result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")
    assert result.returncode in (0, 2), stderr
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr
    if loads:
        assert result.returncode == 0 and stdout.startswith(f"ok {path}"), stderr
    else:
        assert result.returncode == 2 and "nothing was started" in stderr, stderr
