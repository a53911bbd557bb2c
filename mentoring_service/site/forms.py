"""The site's forms, read and checked: each gives the answer for the pair, or says
what is wrong next to the field (in the page's language), and keeps what was typed
so that the page can show it again. Text fields follow the rules in
``mentoring.inputs``; browsers send a textarea's line breaks as CRLF, which count as
plain line breaks."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from mentoring import inputs
from mentoring.answers import (
    CheckInAnswer,
    CheckInChoice,
    KeepMeeting,
    Ratings,
    ReflectionAnswer,
    ReviewAnswer,
    ReviewStage,
)
from mentoring_service.links import Link
from mentoring_service.site.slots import Slot
from mentoring_service.site.texts import Texts

RATINGS = ("career", "psychosocial", "emotional")
SHARE = "yes"
_LINE_ENDS = re.compile(r"\r\n?")


@dataclass
class Form:
    """What was sent (to show again) and what is wrong with it, by field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, data: Mapping[str, str]) -> Form:
        return cls(values={k: v for k, v in data.items() if k != "csrf"})

    def number(self, name: str, lo: int, hi: int, t: Texts) -> int | None:
        """An optional choice from ``lo`` to ``hi`` (radio buttons; "" is no answer)."""
        raw = self.values.get(name, "")
        if raw == "":
            return None
        if raw.isascii() and raw.isdigit() and len(raw) <= 2 and lo <= int(raw) <= hi:
            return int(raw)
        self.errors[name] = t("err_range", lo=lo, hi=hi)
        return None

    def text(self, name: str, rule: Callable[[str], str], max_length: int, t: Texts) -> str:
        """An optional text; "" when empty or wrong (and then the error is noted)."""
        text = _LINE_ENDS.sub("\n", self.values.get(name, ""))
        self.values[name] = text
        if not text.strip():
            return ""
        if len(text.strip()) > max_length:
            self.errors[name] = t("err_too_long", length=len(text.strip()), max=max_length)
            return ""
        try:
            return rule(text)
        except inputs.InputError:
            # Length is checked above: what is left is a character that cannot be sent.
            self.errors[name] = t("err_control")
            return ""

    def ratings(self, t: Texts) -> Ratings:
        career, psychosocial, emotional = (self.number(name, 1, 5, t) for name in RATINGS)
        return Ratings(career=career, psychosocial=psychosocial, emotional=emotional)


def check_in(
    data: Mapping[str, str], link: Link, answer_id: str, slots: list[Slot] | None, t: Texts
) -> tuple[CheckInAnswer | None, Form]:
    """``slots``: the dates offered for a new one (None when they could not be computed)."""
    form = Form.of(data)
    try:
        choice = CheckInChoice(form.values.get("choice", ""))
    except ValueError:
        form.errors["choice"] = t("err_choice")
        return None, form
    new_local_start = None
    if choice == CheckInChoice.NEW_DATE:
        offered = {slot.value: slot for slot in slots or []}
        chosen = offered.get(form.values.get("slot", ""))
        if chosen is None:
            form.errors["slot"] = t("err_slot") if slots is not None else t("slots_unknown")
            return None, form
        new_local_start = chosen.local
    answer = CheckInAnswer(
        answer_id=answer_id, role=link.role, session=link.session, choice=choice, new_local_start=new_local_start
    )
    return answer, form


def reflection(
    data: Mapping[str, str], link: Link, answer_id: str, questions: int, t: Texts
) -> tuple[ReflectionAnswer | None, list[str], Form]:
    """The answer for the pair and, apart from it, the texts for the journal email:
    one per question (or one, when there are no questions)."""
    form = Form.of(data)
    texts = [form.text(f"answer_{i}", inputs.reflection, inputs.REFLECTION_MAX, t) for i in range(1, questions + 1)]
    ratings = form.ratings(t)
    if not any(texts) and not form.errors:
        form.errors["answer_1"] = t("err_empty_reflection")
    if form.errors:
        return None, texts, form
    answer = ReflectionAnswer(
        answer_id=answer_id,
        role=link.role,
        session=link.session,
        ratings=ratings,
        shared=form.values.get("share") == SHARE,
    )
    return answer, texts, form


def review(data: Mapping[str, str], link: Link, answer_id: str, t: Texts) -> tuple[ReviewAnswer | None, Form]:
    form = Form.of(data)
    closing = link.stage == ReviewStage.CLOSING
    ratings = form.ratings(t)
    focus_progress = form.number("focus_progress", 1, 5, t)
    recommend = form.number("recommend", 0, 10, t) if closing else None
    keep_meeting = None
    if closing and form.values.get("keep_meeting"):
        try:
            keep_meeting = KeepMeeting(form.values["keep_meeting"])
        except ValueError:
            form.errors["keep_meeting"] = t("err_choice")
    comment = form.text("comment", inputs.comment, inputs.COMMENT_MAX, t)
    if form.errors:
        return None, form
    if not (ratings.values() or focus_progress or recommend is not None or keep_meeting or comment):
        form.errors["career"] = t("err_empty_review")
        return None, form
    assert link.stage is not None
    answer = ReviewAnswer(
        answer_id=answer_id,
        role=link.role,
        stage=link.stage,
        ratings=ratings,
        focus_progress=focus_progress,
        recommend=recommend,
        keep_meeting=keep_meeting,
        comment_to_office=comment or None,
    )
    return answer, form
