"""Signed links to the response site, and the CSRF tokens of its forms.

A link names a pair workflow, a role, an item (a session's check-in or reflection, a
review) and an expiry, and a keyed digest of the recipient's address, never a name or
an address. It is signed with HMAC-SHA256 (itsdangerous) under a key derived from each
payload encryption key (``mentoring_service.keys``): rotating those keys rotates these,
the active key signs, and every key in the ring still verifies.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from mentoring.answers import AnswerViewRequest, CheckInChoice, ReviewStage
from mentoring.cohort import Language, Role
from mentoring_service.keys import KeyRing, new_key

ITEMS = ("check_in", "reflection", "review")
# A form is answered within this long of opening its page.
CSRF_MAX_AGE_SECONDS = 4 * 3600


class LinkError(ValueError):
    """A link the site cannot take: ``reason`` is "tampered" or "expired"."""

    def __init__(self, reason: str, language: Language | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.language = language


@dataclass(frozen=True)
class Link:
    workflow_id: str
    role: Role
    item: str
    expires: date
    recipient: str  # ``LinkSigner.recipient_digest`` of the address the link was sent to
    language: Language
    session: int = 0  # ``SessionState.number``, the stable one
    stage: ReviewStage | None = None
    # A check-in link per answer, so one click shows the right confirmation page.
    choice: CheckInChoice | None = None

    def view_request(self) -> AnswerViewRequest:
        assert self.role in (Role.MENTOR, Role.MENTEE)
        return AnswerViewRequest(role=self.role, item=self.item, session=self.session, stage=self.stage)  # type: ignore[arg-type]

    def with_choice(self, choice: CheckInChoice | None) -> Link:
        return replace(self, choice=choice)


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"mentoring " + purpose).derive(key)


class LinkSigner:
    def __init__(self, ring: KeyRing) -> None:
        # itsdangerous signs with the last key and verifies with all of them.
        ordered = [k for i, k in ring.keys.items() if i != ring.active_key_id] + [ring.keys[ring.active_key_id]]
        self._links = URLSafeSerializer([_derive(k, b"response links") for k in ordered], salt="link")
        self._csrf = URLSafeTimedSerializer([_derive(k, b"response forms") for k in ordered], salt="csrf")
        self._digest_key = _derive(ring.keys[ring.active_key_id], b"recipient digest")
        self._digest_keys = [_derive(k, b"recipient digest") for k in ordered]

    # ----------------------------------------------------------------- links

    def recipient_digest(self, email: str) -> str:
        return hmac.new(self._digest_key, email.casefold().encode(), hashlib.sha256).hexdigest()[:20]

    def same_recipient(self, link: Link, email: str) -> bool:
        """Whether the link went to this address (under any key of the ring)."""
        wanted = email.casefold().encode()
        return any(
            hmac.compare_digest(hmac.new(k, wanted, hashlib.sha256).hexdigest()[:20], link.recipient)
            for k in self._digest_keys
        )

    def sign(self, link: Link) -> str:
        data: dict[str, Any] = {
            "w": link.workflow_id,
            "r": link.role.value,
            "i": link.item,
            "x": link.expires.isoformat(),
            "d": link.recipient,
            "l": link.language.value,
        }
        if link.session:
            data["s"] = link.session
        if link.stage:
            data["g"] = link.stage.value
        if link.choice:
            data["c"] = link.choice.value
        return str(self._links.dumps(data))

    def read(self, token: str, today: date) -> Link:
        """The link, or ``LinkError``: tampered (any key fails) or expired (in its language)."""
        try:
            data = self._links.loads(token)
            link = _link(data)
        except (BadSignature, KeyError, TypeError, ValueError):
            raise LinkError("tampered") from None
        if link.expires < today:
            raise LinkError("expired", link.language)
        return link

    @classmethod
    def ephemeral(cls) -> LinkSigner:
        """For a preview (``simulate``): links that no site will ever take."""
        return cls(KeyRing({"preview": new_key()}, "preview", "preview"))

    @staticmethod
    def answer_id(token: str) -> str:
        """The same for every submission from one link: the pair records it once."""
        return hashlib.sha256(token.encode()).hexdigest()[:32]

    # ----------------------------------------------------------------- forms

    def csrf_token(self, token: str) -> str:
        return str(self._csrf.dumps(self.answer_id(token)))

    def csrf_ok(self, token: str, csrf: str) -> bool | None:
        """True when ``csrf`` came from this link's page; None when it is only too old."""
        try:
            return bool(self._csrf.loads(csrf, max_age=CSRF_MAX_AGE_SECONDS) == self.answer_id(token))
        except SignatureExpired:
            return None
        except BadSignature:
            return False


def _link(data: dict[str, Any]) -> Link:
    item, role = data["i"], Role(data["r"])
    if item not in ITEMS or role not in (Role.MENTOR, Role.MENTEE):
        raise ValueError(item)
    return Link(
        workflow_id=str(data["w"]),
        role=role,
        item=item,
        expires=date.fromisoformat(data["x"]),
        recipient=str(data["d"]),
        language=Language(data["l"]),
        session=int(data.get("s", 0)),
        stage=ReviewStage(data["g"]) if "g" in data else None,
        choice=CheckInChoice(data["c"]) if "c" in data else None,
    )
