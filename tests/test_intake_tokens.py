"""The intake's access tokens (mentoring_service/intake/tokens.py) from a real token
endpoint (tests/oauth_server.py): kept until due, a refusal names the setting to look
at and is permanent, an endpoint out of reach is tried again later, the secret may come
from a 0600 file, and neither the secret nor a token is ever in a message or log line."""

from __future__ import annotations

import logging
import os
from typing import Any

import pytest

from mentoring_service.intake.mailbox import MailboxError, SignInRefused
from mentoring_service.intake.tokens import TokenRefused, TokenSource
from mentoring_service.settings import IntakeSettings
from tests.oauth_server import OAuthServer
from tests.ports import unused_port


@pytest.fixture(scope="module")
def oauth():
    with OAuthServer() as server:
        yield server


def source(oauth: OAuthServer, **overrides: Any) -> TokenSource:
    return TokenSource(IntakeSettings(**oauth.settings(**overrides)))


async def test_a_token_is_kept_until_it_is_due_and_replaced_when_asked(oauth):
    tokens = source(oauth)
    first = await tokens.token()
    assert await tokens.token() == first and tokens.fetched == 1
    fresh = await tokens.token(fresh=True)
    assert fresh != first and fresh in oauth.issued and tokens.fetched == 2
    assert tokens.due_at is not None and 3600 - 301 < tokens.due_at - tokens.clock() <= 3600 - 300


@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        (
            {"oauth_client_secret": "wrong-secret-1234"},
            "INTAKE_OAUTH_CLIENT_SECRET: the token endpoint refused the app's secret (401 invalid_client, "
            "AADSTS7000215); is it the current one?",
        ),
        (
            {"oauth_client_id": "99999999-1111-2222-3333-444444444444"},
            "INTAKE_OAUTH_CLIENT_ID: the token endpoint knows no such app, or it may not use this grant "
            "(400 unauthorized_client, AADSTS700016)",
        ),
        (
            {"oauth_scope": "https://mail.google.com/"},
            "INTAKE_OAUTH_SCOPE: the token endpoint refused the scope (400 invalid_scope)",
        ),
    ],
    ids=["secret", "client-id", "scope"],
)
async def test_a_refusal_names_the_setting_and_is_permanent(oauth, overrides, said):
    with pytest.raises(TokenRefused) as refused:
        await source(oauth, **overrides).token()
    assert str(refused.value) == said
    assert isinstance(refused.value, SignInRefused)
    assert "wrong-secret-1234" not in said and oauth.client_secret not in said


async def test_a_wrong_tenant_names_the_token_url(oauth):
    url = oauth.token_url.replace("contoso.example", "fabrikam.example")
    with pytest.raises(TokenRefused, match=r"^INTAKE_OAUTH_TOKEN_URL: the token endpoint refused the request "):
        await source(oauth, oauth_token_url=url).token()


async def test_an_endpoint_out_of_reach_is_tried_again_later_not_refused():
    port = unused_port()
    settings = IntakeSettings(**OAuthServer(port=port).settings())
    with pytest.raises(MailboxError) as error:
        await TokenSource(settings).token()
    assert not isinstance(error.value, SignInRefused)
    assert str(error.value).startswith(f"cannot reach the token endpoint 127.0.0.1:{port}: ")


async def test_the_secret_can_come_from_a_file_read_for_each_new_token(oauth, tmp_path, caplog):
    path = tmp_path / "intake-secret"
    path.write_text(oauth.client_secret + "\n")
    os.chmod(path, 0o600)
    tokens = source(oauth, oauth_client_secret=None, oauth_client_secret_file=str(path))
    with caplog.at_level(logging.WARNING):
        assert await tokens.token() in oauth.issued
    assert caplog.messages == []
    path.write_text("rotated-but-not-yet-at-the-endpoint\n")
    os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING), pytest.raises(TokenRefused, match="INTAKE_OAUTH_CLIENT_SECRET: "):
        await tokens.token(fresh=True)
    assert caplog.messages == [f"INTAKE_OAUTH_CLIENT_SECRET_FILE {path} is readable by others (mode 644); chmod 600 it"]
    path.unlink()
    with pytest.raises(SignInRefused) as missing:
        await tokens.token(fresh=True)
    assert str(missing.value) == f"cannot read INTAKE_OAUTH_CLIENT_SECRET_FILE {path}: No such file or directory"
