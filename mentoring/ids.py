"""Deterministic workflow IDs: starting the same cohort twice finds the same workflows."""

TASK_QUEUE = "reverse-mentoring"
EMAIL_TASK_QUEUE = "reverse-mentoring-email"


def cohort_workflow_id(cohort_id: str) -> str:
    return f"cohort-{cohort_id}"


def pair_workflow_id(cohort_id: str, pair_id: str) -> str:
    return f"pair-{cohort_id}-{pair_id}"
