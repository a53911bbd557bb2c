"""The office's email about a proposed time nobody can approve as it stands (outside the
program, clashing with another session, or about a session changed since), in every
cohort: it says so and why, in English and German, text and HTML, and offers refusing
and rescheduling, never the approve command."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest

from mentoring.cohort import Language
from mentoring.replies import CounterHold, HoldReason
from tests.test_compose import html_of, text_of
from tests.test_reply_emails import COUNTER, commands, compose, reply

WINDOW = CounterHold(reason=HoldReason.OUTSIDE_PROGRAM, program_start=date(2026, 3, 3), program_end=date(2026, 7, 3))
CLASH = CounterHold(reason=HoldReason.CLASH, session=3)
ACTIONS = {
    Language.EN: (
        "The session stays as planned (run in the checkout; see docs/operations.md):\n\n"
        "- Refuse: Klaus Richter is told the proposal was refused, and their calendar drops it:\n"
        "  .venv/bin/python ops.py refuse-counter dw26 p1 2\n"
        "- Or pick another time for the session yourself; both calendars get the update:\n"
        '  .venv/bin/python ops.py reschedule dw26 p1 2 --to "YYYY-MM-DD HH:MM"\n'
        "- See the plan and the replies first:\n"
        "  .venv/bin/python ops.py show dw26 p1\n\n"
        "Dates and times are on the pair's clock, Europe/Berlin."
    ),
    Language.DE: (
        "Der Termin bleibt wie geplant (im Projektverzeichnis auszuführen; siehe docs/operations.md):\n\n"
        "- Ablehnen: Klaus Richter erfährt, dass der Vorschlag abgelehnt ist, und der Kalender verwirft ihn:\n"
        "  .venv/bin/python ops.py refuse-counter dw26 p1 2\n"
        "- Oder selbst eine andere Zeit für den Termin wählen; beide Kalender erhalten die Aktualisierung:\n"
        '  .venv/bin/python ops.py reschedule dw26 p1 2 --to "YYYY-MM-DD HH:MM"\n'
        "- Vorher Plan und Antworten ansehen:\n"
        "  .venv/bin/python ops.py show dw26 p1\n\n"
        "Datum und Uhrzeit gelten in der Zeitzone des Tandems, Europe/Berlin."
    ),
}
WHY = {
    (Language.EN, "window"): "This time cannot be approved as it stands:\n"
    "- outside the program (from Tuesday, 3 March 2026; it ends on Friday, 3 July 2026)\n\n",
    (Language.EN, "clash"): "This time cannot be approved as it stands:\n- clashes with session 3\n\n",
    (Language.DE, "window"): "Diese Zeit kann so nicht angenommen werden:\n"
    "- außerhalb des Programms (ab Dienstag, 3. März 2026; es endet am Freitag, 3. Juli 2026)\n\n",
    (Language.DE, "clash"): "Diese Zeit kann so nicht angenommen werden:\n- überschneidet sich mit Termin 3\n\n",
}


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize(("reason", "hold"), [("window", WINDOW), ("clash", CLASH)])
def test_the_office_reads_why_and_can_refuse_or_reschedule_but_not_approve(
    language: Language, reason: str, hold: CounterHold
) -> None:
    # A cohort without proposed_times: the rules of every cohort still apply.
    request = reply(COUNTER, language, counter_holds=[hold])
    assert not request.program.proposed_times.auto_approve
    msg = compose(request)
    text, html = text_of(msg), unescape(html_of(msg))
    assert WHY[language, reason] + ACTIONS[language] in text
    assert commands(msg) == [
        ".venv/bin/python ops.py refuse-counter dw26 p1 2",
        '.venv/bin/python ops.py reschedule dw26 p1 2 --to "YYYY-MM-DD HH:MM"',
        ".venv/bin/python ops.py show dw26 p1",
    ]
    line = WHY[language, reason].split("\n")[1].removeprefix("- ")
    assert f"<li>{line}</li>" in html
    assert ("<strong>cannot be approved</strong>" if language is Language.EN else "<strong>kann so nicht") in html
    for said in (text, html):
        assert "approve-counter" not in said and "Approve:" not in said and "Annehmen:" not in said


@pytest.mark.parametrize("language", list(Language))
def test_an_approvable_time_in_a_cohort_without_the_setting_reads_as_before(language: Language) -> None:
    msg = compose(reply(COUNTER, language))
    assert [c.split()[2] for c in commands(msg)] == ["approve-counter", "refuse-counter", "show"]
    text = text_of(msg)
    assert "cannot be approved" not in text and "kann so nicht" not in text
