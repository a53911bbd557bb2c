"""Custom search attributes. None carries a name, an email or anything a participant wrote."""

from typing import Any

from temporalio.common import SearchAttributeKey

COHORT_ID = SearchAttributeKey.for_keyword("CohortId")
PAIR_ID = SearchAttributeKey.for_keyword("PairId")
PROGRAM_PHASE = SearchAttributeKey.for_keyword("ProgramPhase")
NEXT_EVENT_AT = SearchAttributeKey.for_datetime("NextEventAt")
SESSIONS_HELD = SearchAttributeKey.for_int("SessionsHeld")
# healthy, quiet or at_risk (``mentoring.answers.PairHealth``); unset on pairs that
# started before participants could answer.
PAIR_HEALTH = SearchAttributeKey.for_keyword("PairHealth")

ALL: list[SearchAttributeKey[Any]] = [COHORT_ID, PAIR_ID, PROGRAM_PHASE, NEXT_EVENT_AT, SESSIONS_HELD, PAIR_HEALTH]


def dev_server_flags() -> list[str]:
    """``--search-attribute Name=Type`` flags for ``temporal server start-dev``."""
    kinds = {
        "KEYWORD": "Keyword",
        "DATETIME": "Datetime",
        "INT": "Int",
    }
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}"]
    return flags
