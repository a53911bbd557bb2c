"""The cohort file: read, check and resolve it into a ``Cohort``.

``load_cohort(path, today=..., start_date=...)`` either returns a resolved
``mentoring.cohort.Cohort`` or raises ``CohortFileError`` listing *every*
problem found, each with its place (file, line, key or CSV column) and a
plain reason. It never raises anything else, whatever the input. This package
does I/O: it is for the command-line tools, not for workflow code.

Its rooms: ``reading`` (the file and its encoding), ``yaml_tree`` (YAML to plain
data with line numbers), ``structure`` (keys and places), ``fields`` (each value,
by the rules of ``mentoring.inputs``), ``program`` and ``pairs`` (the checks that
make a ``Cohort``), ``csv_pairs`` (the pairs CSV) and ``loading`` (all of it).

Cohort file format
==================

A UTF-8 YAML file with one mapping at the top level::

    id: dw-2027                 # cohort id: 1-40 lowercase letters, digits, '-' or '_'
                                # (it becomes part of workflow IDs)
    name: "Digitale Arbeitswelt 2027"
    focus: "Digitale Zusammenarbeit und Social Media"
    language: de                # de | en (language of all emails)
    program_office:             # the team that runs the program
      name: "Programmbüro HR"
      email: "mentoring@example.com"
    start_date: 2027-02-02      # YYYY-MM-DD (two-digit month and day), the program's first day
    duration_months: 6          # 4, 5 or 6: a program runs four to six months
    cadence: biweekly           # weekly | biweekly | every_3_weeks | monthly (the same
                                # n-th weekday as the first session; a 5th means the last)
    session:                    # defaults for every pair (all four required)
      weekday: tuesday          # monday..sunday, or German montag..sonntag
      time: "16:00"             # HH:MM (24-hour; 9:30 and 16.30 work too), local time
                                # in the pair's meeting time zone
      length_minutes: 60        # 15..240
      location: "Microsoft Teams: https://teams.example.com/dw-2027"
    invite_lead_days: 14        # optional, default 14 (1..60)
    reminder_hours: 24          # optional, default 24 (1..168)
    reflection_delay_hours: 2   # optional, default 2 (0..72)
    proposed_times:             # optional: new times proposed from participants' calendars
      auto_approve: no          # yes | no (also true/false, on/off, ja/nein), default no
      working_hours: "08:00-18:00"  # default; Monday to Friday, each participant's own clock
      notice_hours: 48          # optional, default 48 (1..336)
    pairs:                      # one entry per pair (or use pairs_csv, not both)
      - id: p1                  # pair id: same rules as the cohort id, unique in the cohort
        mentor: {name: "Lena Weber", email: "lena.weber@example.com", timezone: "Europe/Berlin"}
        mentee: {name: "Dr. Klaus Richter", email: "k.richter@example.com", timezone: "Europe/Berlin"}
        meeting_timezone: Europe/Berlin   # optional; default: the mentee's time zone
        weekday: thursday       # optional overrides of session.weekday / time /
        time: "08:30"           #   length_minutes / location for this pair
    # pairs_csv: pairs.csv      # instead of `pairs`: a CSV file, path relative to this file

Time zones are IANA names such as ``Europe/Berlin`` or ``America/New_York``.
Sessions keep their local time in the meeting time zone across DST changes; a
time the clocks skip or show twice follows ``activities.wall_clock``.
Unquoted values are read as text, so ``time: 16:00`` and ``name: No`` mean
what they say (no YAML 1.1 surprises); ``~``, ``null`` or nothing means empty.

Pairs CSV (``pairs_csv``)
-------------------------
UTF-8 (with or without BOM), comma- or semicolon-separated, header row
required. Columns: ``pair_id, mentor_name, mentor_email, mentor_timezone,
mentee_name, mentee_email, mentee_timezone`` (required) and
``meeting_timezone, weekday, time, length_minutes, location`` (optional; an
empty cell means "use the default"). Unknown columns are an error. Problems
name the file's line number (the header is line 1) and the column.

Checks
------
Unknown keys (with a "did you mean" hint), missing keys, duplicate keys,
wrong types, malformed YAML/CSV, non-UTF-8 files; email syntax; time zones;
duration 4..6 months; cadence, weekday, language, time and length; the
``proposed_times`` answers, working hours and notice; duplicate
pair ids; a person (by email, case-insensitive) as both mentor and mentee,
or in two pairs; line breaks or control characters in names, the cohort name,
focus and location (they go into email headers); a start date in the past
(when ``today`` is given) or outside 2000-01-01..2099-12-31; files over
5 MB or with more than 100,000 values; a CSV named by ``pairs_csv`` that is
not a regular file (a pipe or device would make the tool wait).
"""

from mentoring.cohort_file.loading import load_cohort
from mentoring.cohort_file.problems import CohortFileError, Problem

__all__ = ["CohortFileError", "Problem", "load_cohort"]
