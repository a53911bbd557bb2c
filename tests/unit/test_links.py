"""``mentoring_service.links``: signed links and form tokens, and key rotation."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer

from mentoring.answers import CheckInChoice, ReviewStage
from mentoring.cohort import Language, Role
from mentoring_service.keys import KeyRing, new_key
from mentoring_service.links import Link, LinkError, LinkSigner

OLD, NEW = new_key(), new_key()
TODAY = date(2027, 3, 10)


def link(**changes: object) -> Link:
    fields: dict[str, object] = {
        "workflow_id": "pair:dw-2027:p1",
        "role": Role.MENTEE,
        "item": "check_in",
        "expires": TODAY + timedelta(days=90),
        "recipient": "0" * 20,
        "language": Language.DE,
        "session": 3,
        "choice": CheckInChoice.MET,
    }
    fields.update(changes)
    return Link(**fields)  # type: ignore[arg-type]


def test_a_link_signed_before_a_rotation_still_opens_and_new_links_use_the_new_key():
    before = LinkSigner(KeyRing({"k1": OLD}, "k1"))
    after = LinkSigner(KeyRing({"k1": OLD, "k2": NEW}, "k2"))
    only_new = LinkSigner(KeyRing({"k2": NEW}, "k2"))
    token = before.sign(link())
    assert after.read(token, TODAY) == link()
    assert only_new.read(after.sign(link()), TODAY) == link()
    with pytest.raises(LinkError) as error:
        only_new.read(token, TODAY)  # the old key was retired
    assert error.value.reason == "tampered"
    # A recipient digest made under the old key is still recognised.
    digest = before.recipient_digest("Klaus.Richter@example.com")
    assert after.same_recipient(link(recipient=digest), "klaus.richter@example.com")
    assert not after.same_recipient(link(recipient=digest), "lena.weber@example.com")


def test_an_expired_link_says_so_in_its_language_and_a_changed_one_is_tampered():
    signer = LinkSigner(KeyRing({"k1": OLD}, "k1"))
    token = signer.sign(link(expires=TODAY - timedelta(days=1)))
    with pytest.raises(LinkError) as error:
        signer.read(token, TODAY)
    assert (error.value.reason, error.value.language) == ("expired", Language.DE)
    # Another pair's id under a key the site does not have, and a changed signature.
    forged = LinkSigner(KeyRing({"k1": NEW}, "k1")).sign(link(workflow_id="pair:dw-2027:p2"))
    genuine = signer.sign(link())
    flipped = genuine[:-2] + ("A" if genuine[-2] != "A" else "B") + genuine[-1]
    for bad in (forged, flipped, genuine[:-1], "", "a.b.c"):
        with pytest.raises(LinkError) as error:
            signer.read(bad, TODAY)
    assert (error.value.reason, error.value.language) == ("tampered", None)


@given(
    st.sampled_from(["check_in", "reflection", "review"]),
    st.sampled_from([Role.MENTOR, Role.MENTEE]),
    st.integers(1, 40),
    st.sampled_from([None, *CheckInChoice]),
    st.emails(),
)
def test_a_link_carries_ids_and_a_digest_only(item: str, role: Role, session: int, choice, email: str) -> None:
    signer = LinkSigner(KeyRing({"k1": OLD}, "k1"))
    made = link(
        item=item,
        role=role,
        session=session if item != "review" else 0,
        stage=ReviewStage.CLOSING if item == "review" else None,
        choice=choice if item == "check_in" else None,
        recipient=signer.recipient_digest(email),
    )
    token = signer.sign(made)
    assert signer.read(token, TODAY) == made
    payload = URLSafeSerializer("any").load_payload(token.rsplit(".", 1)[0].encode())
    assert set(payload) <= {"w", "r", "i", "x", "d", "l", "s", "g", "c"}
    assert email.casefold() not in json.dumps(payload).casefold()
    assert signer.same_recipient(made, email.upper())


def test_a_form_token_belongs_to_its_link_and_grows_old():
    signer = LinkSigner(KeyRing({"k1": OLD}, "k1"))
    token, other = signer.sign(link()), signer.sign(link(session=4))
    csrf = signer.csrf_token(token)
    assert signer.csrf_ok(token, csrf) is True
    assert signer.csrf_ok(other, csrf) is False
    assert signer.csrf_ok(token, "not-a-token") is False
    assert signer.answer_id(token) == signer.answer_id(token) != signer.answer_id(other)


def test_a_link_for_the_program_office_or_an_unknown_item_is_refused():
    signer = LinkSigner(KeyRing({"k1": OLD}, "k1"))
    for bad in (link(role=Role.PROGRAM_OFFICE), link(item="payroll")):
        with pytest.raises(LinkError):
            signer.read(signer.sign(bad), TODAY)
