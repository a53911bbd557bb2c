"""What the send activity raises, retryable or not.

The SDK logs an activity's error, with its message, traceback and causes, at WARNING.
So a message here names only the pair, the message kind and the key (the workflow
id, the event, the version, the role). It never names a name or an address, and it
never chains the SMTP library's exception: that one quotes the address, and so does
many a server's reply. The reply itself goes into the details of a permanent failure
(encrypted, for the record and the program office's notice), not into the message.
"""

from __future__ import annotations

import re

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from mentoring.messages import INVALID_MESSAGE, PERMANENT_FAILURE, DeliveryRequest

TEMPORARY_FAILURE = "TemporaryDeliveryFailure"
"""Retryable: a 4xx reply. Connection trouble keeps the SMTP library's class name as its type."""

# RFC 3463 enhanced status code at the start of a reply ("5.1.1 No such user").
_ENHANCED = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")
# Anything with an @ in it, down to fragments such as "'@example.com'".
_ADDRESS_LIKE = re.compile(r"[^\s<>()\[\]'\",;]*@[^\s<>()\[\]'\",;]*")


def where(request: DeliveryRequest) -> str:
    about = f"pair {request.pair_id}" if request.pair_id is not None else f"cohort {request.program.cohort_id}"
    return f"{about}: {request.kind.value} {request.key}"


def status(code: int, reply: str) -> str:
    """The reply code and its enhanced status code, without the reply's words."""
    first = reply.split(maxsplit=1)[0] if reply.strip() else ""
    return f"{code} {first}" if _ENHANCED.fullmatch(first) else str(code)


def without_addresses(text: str) -> str:
    return _ADDRESS_LIKE.sub("<address>", text)


def permanent(place: str, code: int, reply: str, why: str = "refused permanently") -> ApplicationError:
    activity.logger.warning("%s: %s (%s)", place, why, status(code, reply))
    return ApplicationError(
        f"{place}: {why} ({status(code, reply)})",
        code,
        reply,
        type=PERMANENT_FAILURE,
        non_retryable=True,
        # An expected outcome that the workflow handles, not a worker fault: no traceback in the log.
        category=ApplicationErrorCategory.BENIGN,
    )


def refused(place: str, code: int, reply: str) -> ApplicationError:
    if 500 <= code < 600:
        return permanent(place, code, reply)
    return ApplicationError(f"{place}: deferred by the mail server ({status(code, reply)})", type=TEMPORARY_FAILURE)


def invalid(place: str, problem: str) -> ApplicationError:
    """Content no retry can change, and no address of a participant is at fault."""
    return ApplicationError(
        f"{place}: cannot be sent: {without_addresses(problem)}", type=INVALID_MESSAGE, non_retryable=True
    )


def transient(place: str, error: Exception) -> ApplicationError:
    """Connection trouble and timeouts: retried, under the library's class name as type."""
    name = type(error).__name__
    return ApplicationError(f"{place}: {name}: {without_addresses(str(error))}", type=name)
