"""The program office's commands, run as they would run them."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
from collections import Counter
from pathlib import Path

from devstack.temporal_servers import TEST_KEY_ENV

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "digital-workplace-2027.yaml"


def starter(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "starter.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TEMPORAL_ADDRESS": "127.0.0.1:1", **TEST_KEY_ENV},
    )


def test_validate_accepts_the_example():
    result = starter("validate", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"ok {EXAMPLE}: cohort 'dw-2027' (Digitale Arbeitswelt 2027), 4 pairs, 6 months from 2027-02-02"
    )


def test_validate_lists_every_problem_with_its_place(tmp_path):
    bad = tmp_path / "cohort.yaml"
    bad.write_text(
        EXAMPLE.read_text()
        .replace("duration_months: 6", "duration_months: 7")
        .replace("k.richter@example.com", "k.richter@")
    )
    result = starter("validate", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}: 2 problems; nothing was started." in result.stderr
    assert "duration_months" in result.stderr and "4" in result.stderr and "6" in result.stderr
    assert "pairs[0] (id 'p1') → mentee.email" in result.stderr


def test_missing_file_is_a_message_not_a_traceback(tmp_path):
    result = starter("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nope.yaml" in result.stderr


def test_a_bad_start_date_argument_is_named():
    result = starter("start", str(EXAMPLE), "--start-date", "next tuesday")
    assert result.returncode == 2
    assert "argument --start-date: 'next tuesday' is not a date; use YYYY-MM-DD or 'today'" in result.stderr


def test_start_without_a_server_explains_what_to_do():
    result = starter("start", str(EXAMPLE))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot reach Temporal at 127.0.0.1:1" in result.stderr


def test_simulate_writes_every_message_of_the_program(tmp_path):
    outbox = tmp_path / "outbox"
    result = starter("simulate", str(EXAMPLE), "--outbox", str(outbox), "--start-date", "today")
    assert result.returncode == 0, result.stderr
    files = sorted(outbox.glob("*.eml"))
    messages = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    per_recipient = Counter(str(m["Delivered-To"]) for m in messages)
    # 4 pairs, 8 participants, each with welcome, midpoint and closing plus three messages a session.
    assert set(per_recipient) >= {"lena.weber@example.com", "sabine.hoffmann@example.com"}
    assert per_recipient["mentoring@example.com"] == 4
    kinds = Counter(str(m["X-Mentoring-Kind"]) for m in messages)
    assert kinds["welcome"] == kinds["midpoint_review"] == kinds["closing_review"] == 8
    assert kinds["invite"] == kinds["reminder"] == kinds["reflection"]
    assert kinds["completion_notice"] == 4
    assert f"{len(files)} .eml files in {outbox}" in result.stdout
    assert "0 failed" in result.stdout
    assert "welcome" in result.stdout and "sabine.hoffmann@example.com" in result.stdout


def test_simulate_refuses_an_outbox_that_already_holds_mail(tmp_path):
    (tmp_path / "old.eml").write_text("x")
    result = starter("simulate", str(EXAMPLE), "--outbox", str(tmp_path))
    assert result.returncode == 2
    assert "already holds .eml files" in result.stderr


def test_brackets_in_a_cohort_file_are_text_not_markup(tmp_path):
    # Found by the property tests: "[/x]" in a quoted value crashed the error printer (rich markup).
    bad = tmp_path / "cohort.yaml"
    bad.write_text(EXAMPLE.read_text().replace("id: dw-2027", 'id: "[/bad]"'))
    result = starter("validate", str(bad))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "id: '[/bad]' is not a valid id" in result.stderr
    good = tmp_path / "named.yaml"
    good.write_text(EXAMPLE.read_text().replace('"Digitale Arbeitswelt 2027"', '"DW [/x] [bold]2027"'))
    result = starter("validate", str(good))
    assert result.returncode == 0, result.stderr
    assert "(DW [/x] [bold]2027)" in result.stdout
