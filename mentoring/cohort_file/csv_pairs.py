"""The pairs of a cohort read from a CSV file (``pairs_csv:`` in the cohort file).

The format is documented in ``mentoring.cohort_file``. This module turns the
CSV text into pair entries shaped like the YAML ``pairs:`` entries and reports
header and layout problems; the field checks are shared with the YAML pairs
(``mentoring.cohort_file.pairs``).
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field
from typing import Any

from mentoring.cohort_file.problems import Report
from mentoring.cohort_file.reading import MAX_VALUES
from mentoring.inputs import short

REQUIRED_COLUMNS = (
    "pair_id",
    "mentor_name",
    "mentor_email",
    "mentor_timezone",
    "mentee_name",
    "mentee_email",
    "mentee_timezone",
)
OPTIONAL_COLUMNS = ("meeting_timezone", "weekday", "time", "length_minutes", "location")
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# CSV column -> the pair field it fills, in the dotted form the YAML uses.
COLUMN_FIELD = {
    "pair_id": "id",
    "mentor_name": "mentor.name",
    "mentor_email": "mentor.email",
    "mentor_timezone": "mentor.timezone",
    "mentee_name": "mentee.name",
    "mentee_email": "mentee.email",
    "mentee_timezone": "mentee.timezone",
    **{c: c for c in OPTIONAL_COLUMNS},
}
FIELD_COLUMN = {f: c for c, f in COLUMN_FIELD.items()}

_EMPTY = "the file is empty; it needs a header row and one row per pair"
Lines = list[tuple[int, list[str]]]  # (line where the row starts, its cells)


@dataclass
class CsvRow:
    line: int  # line number in the file where the row starts (the header is line 1)
    pair: dict[str, Any]  # shaped like a YAML pair entry; empty cells are left out


@dataclass
class CsvPairs:
    rows: list[CsvRow]
    # Required columns missing from the header; already reported once, so
    # the rows do not report them again.
    absent_columns: set[str] = field(default_factory=set)


def row_where(name: str, line: int, pair_id: Any, column: str | None = None) -> str:
    where = f"{name} line {line}"
    if isinstance(pair_id, str) and pair_id:
        where += f" (pair '{short(pair_id, 40)}')"
    if column:
        where += f", column {column}"
    return where


def read_pairs_csv(text: str, name: str, add: Report) -> CsvPairs | None:
    """Parse the CSV text; report problems through ``add(where, message)``.

    Returns None when the file cannot be read as a table at all.
    """
    if not text.strip():
        add(name, _EMPTY)
        return None
    first_line = text.splitlines()[0]
    # German spreadsheet programs save "CSV" with semicolons; accept both.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    table = _table(text, delimiter, name, add)
    if table is None:
        return None
    table = [(line, cells) for line, cells in table if any(c.strip() for c in cells)]
    if not table:
        add(name, _EMPTY)
        return None
    (header_line, header_cells), data = table[0], table[1:]
    header = [c.strip().lower() for c in header_cells]
    absent = _check_header(header, data, f"{name} line {header_line} (header)", add)
    if not data:
        add(name, "has a header row but no pairs; add one row per pair")
    return CsvPairs(rows=_rows(header, data, delimiter, name, add), absent_columns=set(absent))


def _table(text: str, delimiter: str, name: str, add: Report) -> Lines | None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table: Lines = []
    previous = 0
    values = 0
    try:
        for cells in reader:
            values += len(cells)
            if values > MAX_VALUES:
                add(
                    f"{name} line {previous + 1}",
                    f"the file holds more than {MAX_VALUES} values; a pairs CSV is much smaller",
                )
                return None
            table.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as e:
        add(f"{name} line {reader.line_num}", f"malformed CSV: {e}")
        return None
    return table


def _check_header(header: list[str], data: Lines, where: str, add: Report) -> list[str]:
    """Report unnamed, repeated, unknown and missing columns; the required ones that are missing."""
    seen: set[str] = set()
    unknown: list[str] = []
    for index, column in enumerate(header):
        if not column:
            holding = [line for line, cells in data if index < len(cells) and cells[index].strip()]
            if holding:
                add(where, f"column {index + 1} has no name in the header, but line {holding[0]} has a value in it")
        elif column in seen:
            add(where, f"column '{short(column, 40)}' appears twice")
        elif column not in ALL_COLUMNS:
            unknown.append(column)
        seen.add(column)
    if unknown:
        described = []
        for column in unknown:
            hint = difflib.get_close_matches(column, ALL_COLUMNS, n=1, cutoff=0.6)
            described.append(f"'{short(column, 40)}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""))
        label = "unknown column" if len(unknown) == 1 else "unknown columns"
        add(where, f"{label} {', '.join(described)}; allowed columns: {', '.join(ALL_COLUMNS)}")
    absent = [c for c in REQUIRED_COLUMNS if c not in seen]
    if absent:
        label = "missing required column" if len(absent) == 1 else "missing required columns"
        add(where, f"{label}: {', '.join(absent)}")
    return absent


def _rows(header: list[str], data: Lines, delimiter: str, name: str, add: Report) -> list[CsvRow]:
    rows: list[CsvRow] = []
    for line, cells in data:
        if len(cells) != len(header):
            quote = (
                f"; a value that contains '{delimiter}' must be put in double quotes"
                if len(cells) > len(header)
                else ""
            )
            add(
                row_where(name, line, None),
                f"has {len(cells)} cells, but the header has {len(header)} columns{quote}",
            )
            continue
        pair: dict[str, Any] = {"mentor": {}, "mentee": {}}
        for column, cell in zip(header, cells, strict=True):
            value = cell.strip()
            if column not in COLUMN_FIELD or not value:
                continue
            target, _, key = COLUMN_FIELD[column].rpartition(".")
            (pair[target] if target else pair)[key] = value
        rows.append(CsvRow(line=line, pair=pair))
    return rows
