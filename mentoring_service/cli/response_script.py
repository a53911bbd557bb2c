"""``simulate --responses FILE``: who answers what in a preview, read and checked.

A UTF-8 YAML file (see docs/responses.md and examples/digital-workplace-2027-responses.yaml)::

    default: met              # every check-in nobody listed: met | not_met | none (default none)
    pairs:
      p1:
        default: none         # optional: this pair's own default
        sessions:             # by the session's number in the plan (as the invites number them)
          3: not_met          # both say "we didn't meet"
          4: none             # nobody answers: the reminder goes out, then the check-in closes
          5: new_date         # the mentor asks for a new date (the first free one); the mentee does not answer
          6: {mentor: met, mentee: not_met}   # they disagree; a role left out answers the default
        reviews:              # nobody answers a review unless it is listed here
          midpoint:
            mentor: {career: 4, psychosocial: 2, emotional: 3, focus_progress: 3}
          closing:
            mentee: {career: 5, recommend: 9, keep_meeting: yes, comment: "..."}

Every problem is reported at once, with its line and key, by the rules the response
site and the cohort file use (``mentoring.inputs``); nothing starts on a bad file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from activities.planning import plan_program
from mentoring import inputs, vocabulary
from mentoring.answers import CheckInChoice, KeepMeeting, Ratings, ReviewAnswer, ReviewStage
from mentoring.cohort import Cohort, Role
from mentoring.cohort_file import fields as f
from mentoring.cohort_file.fields import BAD
from mentoring.cohort_file.problems import Problem, in_file_order
from mentoring.cohort_file.reading import read_text
from mentoring.cohort_file.structure import Checker
from mentoring.cohort_file.yaml_tree import Path_, parse_yaml
from mentoring.inputs import InputError, Range, short
from mentoring.plan import PlanRequest

# A check-in answer, or None: nobody answers.
Choice = CheckInChoice | None
ROLES = (Role.MENTOR, Role.MENTEE)
NEW_DATE_ASKER = Role.MENTOR
_ANSWERS = {"met": CheckInChoice.MET, "not_met": CheckInChoice.NOT_MET, "none": None}
default_answer = inputs.choice("answer", _ANSWERS, "met, not_met or none")
session_answer = inputs.choice(
    "answer", {**_ANSWERS, "new_date": CheckInChoice.NEW_DATE}, "met, not_met, new_date or none"
)
RATINGS = ("career", "psychosocial", "emotional")
REVIEW_KEYS = {*RATINGS, "focus_progress", "comment"}
CLOSING_KEYS = {"recommend", "keep_meeting"}


@dataclass(frozen=True)
class ScriptedReview:
    """What one participant answers to a review."""

    ratings: Ratings = field(default_factory=Ratings)
    focus_progress: int | None = None
    recommend: int | None = None
    keep_meeting: KeepMeeting | None = None
    comment: str | None = None

    def answer(self, answer_id: str, role: Role, stage: ReviewStage) -> ReviewAnswer:
        return ReviewAnswer(
            answer_id=answer_id, role=role, stage=stage, ratings=self.ratings, focus_progress=self.focus_progress,
            recommend=self.recommend, keep_meeting=self.keep_meeting, comment_to_office=self.comment,
        )  # fmt: skip


@dataclass
class PairScript:
    default: Choice
    sessions: dict[int, dict[Role, Choice]] = field(default_factory=dict)
    reviews: dict[tuple[ReviewStage, Role], ScriptedReview] = field(default_factory=dict)

    def check_in(self, session: int, role: Role) -> Choice:
        said = self.sessions.get(session)
        if said is None:
            return self.default
        if role in said:
            return said[role]
        # The partner of whoever asks for a new date does not answer that time.
        return None if CheckInChoice.NEW_DATE in said.values() else self.default


@dataclass
class ResponseScript:
    default: Choice = None
    pairs: dict[str, PairScript] = field(default_factory=dict)

    def pair(self, pair_id: str) -> PairScript:
        return self.pairs.get(pair_id) or PairScript(self.default)


class ResponseFileError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def load_responses(path: Path, cohort: Cohort, now: datetime | None = None) -> ResponseScript:
    """The script, or ``ResponseFileError`` with every problem."""
    display = str(path)
    problems: list[Problem] = []

    def add(where: str, message: str) -> None:
        problems.append(Problem(where, message))

    text = read_text(path, display, add, regular_only=True)
    tree = parse_yaml(text, display, add) if text is not None else None
    if tree is None:
        raise ResponseFileError(problems)
    checker = Checker(display, tree, add)
    for where, message, line in tree.pending:
        checker.add(where, message, line=line)
    script = _Reader(checker, cohort, now or datetime.now(UTC)).script()
    if problems:
        raise ResponseFileError(in_file_order(problems, [display]))
    return script


class _Reader:
    def __init__(self, checker: Checker, cohort: Cohort, now: datetime) -> None:
        self.checker = checker
        self.cohort = cohort
        self.now = now

    def script(self) -> ResponseScript:
        check, data = self.checker, self.checker.data
        if not check.mapping(data, (), {}, ("default", "pairs"), "a mapping with 'default:' and 'pairs:'"):
            return ResponseScript()
        default = check.take(data, "default", _text(default_answer), required=False)
        script = ResponseScript(default=None if default is BAD else default)
        pairs = data.get("pairs")
        if pairs is None:
            return script
        if not isinstance(pairs, dict):
            check.add(("pairs",), f"must be a mapping of pair ids (p1: ...), but it is {f.describe(pairs)}")
            return script
        known = {pair.id: pair for pair in self.cohort.pairs}
        for pair_id, entry in pairs.items():
            if pair_id not in known:
                ids = ", ".join(sorted(known)[:10]) + (", ..." if len(known) > 10 else "")
                check.add(("pairs", pair_id), f"the cohort has no pair '{short(pair_id)}'; its pairs are {ids}")
                continue
            script.pairs[pair_id] = self.pair(pair_id, entry, script.default)
        return script

    def pair(self, pair_id: str, entry: Any, default: Choice) -> PairScript:
        check, here = self.checker, ("pairs", pair_id)
        if entry is None or not check.mapping(
            entry, here, {}, ("default", "sessions", "reviews"), "a mapping with 'sessions:' and 'reviews:'"
        ):
            return PairScript(default)
        own = check.take(entry, "default", _text(default_answer), here, required=False)
        script = PairScript(own if "default" in entry and own is not BAD else default)
        self.sessions(script, entry.get("sessions"), here + ("sessions",), self.planned(pair_id))
        self.reviews(script, entry.get("reviews"), here + ("reviews",))
        return script

    def planned(self, pair_id: str) -> int:
        """How many sessions the pair's plan has when the preview starts now."""
        program = self.cohort.program
        pair = next(p for p in self.cohort.pairs if p.id == pair_id)
        request = PlanRequest(
            start_date=program.start_date, duration_months=program.duration_months, pattern=pair.pattern,
            not_before=self.now,
        )  # fmt: skip
        return len(plan_program(request).sessions)

    def sessions(self, script: PairScript, sessions: Any, here: Path_, planned: int) -> None:
        if sessions is None:
            return
        check = self.checker
        if not isinstance(sessions, dict):
            check.add(here, f"must be a mapping of session numbers (3: not_met), but it is {f.describe(sessions)}")
            return
        numbers = Range(1, planned)
        for key, said in sessions.items():
            try:
                number = numbers.parse(key)
            except InputError:
                check.add(here + (key,), f"is not a session of this pair: its plan has sessions 1 to {planned}")
                continue
            answers = self.session(said, here + (key,))
            if answers is not None:
                script.sessions[number] = answers

    def session(self, said: Any, here: Path_) -> dict[Role, Choice] | None:
        """``met`` for both, or ``{mentor: met, mentee: not_met}``; empty means nobody answers."""
        check = self.checker
        if said is None or isinstance(said, str):
            try:
                choice = session_answer(said or "none")
            except InputError as error:
                check.add(here, str(error))
                return None
            return {NEW_DATE_ASKER: choice} if choice == CheckInChoice.NEW_DATE else dict.fromkeys(ROLES, choice)
        if not check.mapping(said, here, {}, [r.value for r in ROLES], "an answer or a mapping of mentor: and mentee:"):
            return None
        answers = {}
        for role in (r for r in ROLES if r.value in said):
            choice = check.take(said, role.value, _text(session_answer), here, required=False)
            if choice is BAD:
                return None
            answers[role] = choice
        if CheckInChoice.NEW_DATE in answers.values() and len(answers) > 1:
            check.add(here, "when one asks for a new date, the other does not answer that time; leave the other out")
            return None
        return answers

    def reviews(self, script: PairScript, reviews: Any, here: Path_) -> None:
        check = self.checker
        stages = [s.value for s in ReviewStage]
        if reviews is None or not check.mapping(reviews, here, {}, stages, "a mapping with 'midpoint:' and 'closing:'"):
            return
        for stage in ReviewStage:
            by_role = reviews.get(stage.value)
            where = here + (stage.value,)
            if by_role is None or not check.mapping(by_role, where, {}, [r.value for r in ROLES], "a mapping of roles"):
                continue
            for role in ROLES:
                if role.value in by_role:
                    review = self.review(by_role[role.value], where + (role.value,), stage)
                    if review is not None:
                        script.reviews[stage, role] = review

    def review(self, given: Any, here: Path_, stage: ReviewStage) -> ScriptedReview | None:
        check = self.checker
        closing = stage == ReviewStage.CLOSING
        if given is None:
            given = {}
        if not check.mapping(given, here, {}, REVIEW_KEYS | CLOSING_KEYS, "a mapping of ratings (career: 4, ...)"):
            return None
        misplaced = sorted(CLOSING_KEYS & set(given)) if not closing else []
        for key in misplaced:
            check.add(here + (key,), f"'{key}' belongs to the closing review, not the midpoint review")
        rating = f.number(inputs.RATING)
        values = {key: check.take(given, key, rating, here, required=False) for key in (*RATINGS, "focus_progress")}
        recommend = check.take(given, "recommend", f.number(inputs.RECOMMENDATION), here, required=False)
        keep = check.take(given, "keep_meeting", _text(vocabulary.keep_meeting), here, required=False)
        comment = check.take(given, "comment", _text(inputs.comment), here, required=False)
        if misplaced or BAD in (*values.values(), recommend, keep, comment):
            return None
        focus = values.pop("focus_progress")
        return ScriptedReview(Ratings(**values), focus, recommend, keep, comment)


def _text(rule: Any) -> Any:
    def parse(value: Any) -> Any:
        return rule(f.string(value))

    return parse
