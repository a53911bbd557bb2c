"""The JWT bearer grant's assertion for a Google service account
(mentoring_service/intake/service_account.py): RS256 over base64url(header).base64url(claims),
claims that ask for the mailbox's whole scope as INTAKE_USER, and never a lifetime over an hour."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring_service.intake.service_account import MAX_LIFETIME_SECONDS, ServiceAccount, assertion, claims

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ACCOUNT = ServiceAccount("intake@project.iam.gserviceaccount.com", KEY, "https://oauth2.googleapis.com/token")
NOW = st.integers(min_value=1_500_000_000, max_value=4_000_000_000)  # 2017 to 2096
MAILBOX = st.emails().map(str)


def unb64(part: str) -> bytes:
    assert "=" not in part and "+" not in part and "/" not in part  # base64url without padding
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@settings(max_examples=25, deadline=None)
@given(NOW, st.integers(min_value=1, max_value=MAX_LIFETIME_SECONDS), MAILBOX)
def test_the_assertion_is_signed_rs256_and_says_who_for_whom_until_when(now: int, lifetime: int, user: str) -> None:
    jwt = assertion(ACCOUNT, user, now, lifetime)
    header, body, signature = jwt.split(".")
    KEY.public_key().verify(unb64(signature), f"{header}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    assert json.loads(unb64(header)) == {"alg": "RS256", "typ": "JWT"}
    assert json.loads(unb64(body)) == {
        "iss": "intake@project.iam.gserviceaccount.com",
        "sub": user,
        "scope": "https://mail.google.com/",
        "aud": "https://oauth2.googleapis.com/token",
        "iat": now,
        "exp": now + lifetime,
    }


@given(NOW)
def test_by_default_an_assertion_lives_exactly_the_hour_google_allows(now: int) -> None:
    said = claims(ACCOUNT, "office@example.org", now)
    assert (said["iat"], said["exp"]) == (now, now + 3600)


@given(NOW, st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_LIFETIME_SECONDS + 1)))
def test_a_lifetime_google_would_refuse_is_never_signed(now: int, lifetime: int) -> None:
    with pytest.raises(ValueError, match="an assertion lives 1 to 3600 seconds"):
        assertion(ACCOUNT, "office@example.org", now, lifetime)
