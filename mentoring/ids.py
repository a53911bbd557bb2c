"""Deterministic workflow IDs: starting the same cohort twice finds the same workflows.

Cohort and pair ids may contain '-', so the parts are joined with ':', which ids
may not contain: cohort "a-b" with pair "c" never meets cohort "a" with pair "b-c".
"""

TASK_QUEUE = "reverse-mentoring"
EMAIL_TASK_QUEUE = "reverse-mentoring-email"

# The pair workflow's type name, in histories and visibility queries. Activities start
# pairs by it, so they need not import the workflow (activities never import workflows).
PAIR_WORKFLOW_TYPE = "PairProgramWorkflow"
# The weekly digest's, which its schedule starts by name.
DIGEST_WORKFLOW_TYPE = "WeeklyDigestWorkflow"


def cohort_workflow_id(cohort_id: str) -> str:
    return f"cohort:{cohort_id}"


def pair_workflow_id(cohort_id: str, pair_id: str) -> str:
    return f"pair:{cohort_id}:{pair_id}"


def digest_schedule_id(cohort_id: str) -> str:
    """One weekly digest per cohort, named by the cohort id alone (no names: ids are visible)."""
    return f"digest:{cohort_id}"


def digest_workflow_id(cohort_id: str) -> str:
    """The schedule adds each run's time to it (``digest:dw-2027-2027-03-01T07:00:00Z``)."""
    return f"digest:{cohort_id}"
