"""The intake signed in as a Google Workspace service account with domain-wide
delegation (INTAKE_OAUTH_PROVIDER=google), against real parts: Dovecot's XOAUTH2, and a
token endpoint that verifies the JWT bearer grant's RS256 signature and claims the way
Google does (tests/oauth_server.py).

It reads and moves replies; a key Google does not know, a service account without
delegation, and a malformed key file are each one line naming the key file, never
showing the key."""

from __future__ import annotations

import json
import logging
import os
import time

import pytest

from mentoring_service.intake.ledger import IntakeLedger
from mentoring_service.intake.mailbox import SignInRefused
from mentoring_service.intake.service import Intake
from mentoring_service.intake.tokens import TokenRefused, TokenSource
from mentoring_service.settings import IntakeSettings
from tests.imap_server import ImapServer
from tests.oauth_server import CLIENT_EMAIL, OAuthServer, new_key
from tests.test_intake import Pairs, mail, stub_parse
from tests.test_intake_oauth import logins, one_line, run_intake

KEY_FILE = "INTAKE_OAUTH_SERVICE_ACCOUNT_FILE"


@pytest.fixture
def oauth():
    with OAuthServer() as server:
        yield server


@pytest.fixture
def imap(tmp_path, oauth):
    with ImapServer(tmp_path, oauth2_introspection_url=oauth.introspection_url) as server:
        yield server


async def test_it_reads_and_moves_a_reply_signed_in_as_a_google_service_account(tmp_path, imap, oauth):
    imap.deliver(mail(1))
    settings = imap.settings(**oauth.google_settings(oauth.key_file(tmp_path)))
    pairs = Pairs()
    intake = Intake(settings, IntakeLedger.open(settings.ledger_url), stub_parse, pairs.deliver)
    before = int(time.time())
    async with intake.mailbox() as mailbox:
        sweep = await intake.sweep(mailbox)
    assert sweep.outcomes == {"recorded": 1}
    assert (imap.count("INBOX"), imap.count("Processed")) == (0, 1)
    assert list(pairs.recorded) == ["<reply-1@calendar.example.org>"]
    [form] = oauth.token_requests
    assert sorted(form) == ["assertion", "grant_type"]
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    [claims] = oauth.assertions
    assert before <= claims["iat"] <= int(time.time())
    assert claims == {
        "iss": CLIENT_EMAIL,
        "sub": "office",
        "scope": "https://mail.google.com/",
        "aud": oauth.google_token_url,
        "iat": claims["iat"],
        "exp": claims["iat"] + 3600,
    }
    assert oauth.introspections == [True]
    assert len(logins(imap)) == 1 and "method=XOAUTH2" in logins(imap)[0]


def google_env(imap: ImapServer, skipping_env, tmp_path, key_file: object) -> dict[str, str]:
    return {
        "TEMPORAL_ADDRESS": skipping_env.client.service_client.config.target_host,
        "INTAKE_HOST": "127.0.0.1",
        "INTAKE_PORT": str(imap.port),
        "INTAKE_AUTH": "oauth2",
        "INTAKE_OAUTH_PROVIDER": "google",
        KEY_FILE: str(key_file),
        "INTAKE_LEDGER_URL": f"sqlite:///{tmp_path}/ledger.sqlite3",
    }


def test_a_key_google_does_not_know_is_one_line_naming_the_key_file(tmp_path, imap, oauth, skipping_env):
    """A tampered or replaced key: the signature does not verify, and the intake stops."""
    key_file = oauth.key_file(tmp_path, key=new_key())
    pem = json.loads(key_file.read_text())["private_key"]
    said = one_line(run_intake(google_env(imap, skipping_env, tmp_path, key_file)), pem.splitlines()[1])
    assert said.endswith(
        f"mailbox at 127.0.0.1:{imap.port}: {KEY_FILE}: the token endpoint refused the signed request "
        "(400 invalid_grant: Invalid JWT Signature.); is the key current, and INTAKE_USER a mailbox of the domain?"
    ), said
    assert len(oauth.token_requests) == 1 and oauth.assertions == []  # refused, not tried again
    assert logins(imap) == []


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQ\n", "is not a service account's JSON key"),
        ('{"type": "authorized_user", "client_id": "x"}', "is not a service account's JSON key"),
        ('{"type": "service_account", "client_email": "a@b", "token_uri": ""}', "lacks private_key, token_uri"),
        (
            '{"client_email": "a@b", "token_uri": "https://oauth2.googleapis.com/token", '
            '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"}',
            ": private_key is not an unencrypted PEM RSA key",
        ),
    ],
    ids=["pem-not-json", "user-credentials", "missing-fields", "garbled-key"],
)
def test_a_malformed_key_file_is_one_line(tmp_path, imap, oauth, skipping_env, content, said):
    key_file = tmp_path / "key.json"
    key_file.write_text(content)
    os.chmod(key_file, 0o600)
    line = one_line(run_intake(google_env(imap, skipping_env, tmp_path, key_file)), "MIIEvQ")
    assert line.endswith(f"mailbox at 127.0.0.1:{imap.port}: {KEY_FILE} {key_file}{' ' * (said[0] != ':')}{said}")
    assert oauth.token_requests == []


def test_a_missing_key_file_is_one_line(tmp_path, imap, oauth, skipping_env):
    missing = tmp_path / "nowhere.json"
    line = one_line(run_intake(google_env(imap, skipping_env, tmp_path, missing)), "PRIVATE KEY")
    assert line.endswith(f"cannot read {KEY_FILE} {missing}: No such file or directory"), line


async def test_a_service_account_without_delegation_names_the_admin_step(tmp_path, oauth):
    oauth.delegated = False
    tokens = TokenSource(IntakeSettings(**oauth.google_settings(oauth.key_file(tmp_path))))
    with pytest.raises(TokenRefused) as refused:
        await tokens.token()
    assert str(refused.value) == (
        f"{KEY_FILE}: the service account may not act for INTAKE_USER (401 unauthorized_client: Client is "
        "unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes "
        "requested.); has the Workspace admin given it domain-wide delegation with the scope https://mail.google.com/?"
    )


async def test_the_key_file_is_read_for_each_new_token_and_warned_about_when_others_may_read_it(
    tmp_path, oauth, caplog
):
    key_file = oauth.key_file(tmp_path)
    tokens = TokenSource(IntakeSettings(**oauth.google_settings(key_file)))
    with caplog.at_level(logging.WARNING):
        first = await tokens.token()
    assert first in oauth.issued and caplog.messages == []
    oauth.service_account_key = new_key()  # rotated at Google: the old key is refused ...
    with pytest.raises(TokenRefused, match=r"^INTAKE_OAUTH_SERVICE_ACCOUNT_FILE: .* Invalid JWT Signature\."):
        await tokens.token(fresh=True)
    oauth.key_file(tmp_path)  # ... and the new one, put in place, is used without a restart
    os.chmod(key_file, 0o644)
    with caplog.at_level(logging.WARNING):
        assert await tokens.token(fresh=True) in oauth.issued
    assert caplog.messages == [f"{KEY_FILE} {key_file} is readable by others (mode 644); chmod 600 it"]


async def test_a_key_files_token_uri_must_be_https_like_intake_oauth_token_url(tmp_path, oauth):
    key_file = oauth.key_file(tmp_path, token_uri="http://oauth2.example.org/token")
    tokens = TokenSource(IntakeSettings(**oauth.google_settings(key_file)))
    with pytest.raises(SignInRefused) as refused:
        await tokens.token()
    assert str(refused.value) == f"{KEY_FILE} {key_file}: token_uri: the token endpoint must be an https:// URL"
    assert oauth.token_requests == []
