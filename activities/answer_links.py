"""The response-site links an email carries: one per check-in answer, the reflection
and the review, and the new date a participant who declined a session may choose, each
signed for its recipient (``mentoring_service.links``)."""

from __future__ import annotations

from mentoring.answers import CheckInChoice, ReviewStage
from mentoring.cohort import Role
from mentoring.ids import pair_workflow_id
from mentoring.messages import DeliveryRequest, MessageKind
from mentoring_service.links import Link, LinkSigner

_REVIEWS = {MessageKind.MIDPOINT_REVIEW: ReviewStage.MIDPOINT, MessageKind.CLOSING_REVIEW: ReviewStage.CLOSING}
_CHECK_INS = (MessageKind.REFLECTION, MessageKind.CHECK_IN_REMINDER)
# Only the "new date" answer: the decline already said the session will not take place.
_NEW_DATE_ONLY = (MessageKind.DECLINED_NEW_DATE,)


class AnswerLinks:
    def __init__(self, signer: LinkSigner, public_url: str) -> None:
        self._signer = signer
        self._base = public_url.rstrip("/")

    def url(self, link: Link) -> str:
        return f"{self._base}/a/{self._signer.sign(link)}"

    def for_request(self, request: DeliveryRequest) -> dict[str, str]:
        """Name -> URL: met, not_met, new_date and reflection, or review, or new_date
        alone. Empty for a message nobody answers, or a pair that does not take answers."""
        recipient = request.recipient
        if request.links_expire is None or request.pair_id is None or recipient.role not in (Role.MENTOR, Role.MENTEE):
            return {}
        base = Link(
            workflow_id=pair_workflow_id(request.program.cohort_id, request.pair_id),
            role=recipient.role,
            item="review",
            expires=request.links_expire,
            recipient=self._signer.recipient_digest(recipient.email),
            language=request.program.language,
        )
        if request.kind in _REVIEWS:
            return {"review": self.url(Link(**{**base.__dict__, "stage": _REVIEWS[request.kind]}))}
        if request.kind not in _CHECK_INS + _NEW_DATE_ONLY or request.session is None:
            return {}
        check_in = Link(**{**base.__dict__, "item": "check_in", "session": request.session.session_id})
        if request.kind in _NEW_DATE_ONLY:
            return {"new_date": self.url(check_in.with_choice(CheckInChoice.NEW_DATE))}
        links = {choice.value: self.url(check_in.with_choice(choice)) for choice in CheckInChoice}
        if request.kind == MessageKind.REFLECTION:
            links["reflection"] = self.url(Link(**{**check_in.__dict__, "item": "reflection"}))
        return links
