"""The intake signed in with OAuth2 (INTAKE_AUTH=oauth2) against real parts: Dovecot with
its oauth2 passdb (XOAUTH2), whose tokens a small authorization server issues by the
client credentials grant and answers Dovecot's introspection for (tests/oauth_server.py).

It reads and moves replies; it gets a new token before the one it signed in with
expires and signs in again; a token the server refuses is replaced once, never in a
loop; a wrong secret, and a server without XOAUTH2, are one line without the secret."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from devstack.temporal_servers import TEST_KEY_ENV
from mentoring_service.intake.ledger import IntakeLedger
from mentoring_service.intake.mailbox import MailboxError, SignInRefused
from mentoring_service.intake.service import Intake
from tests.checkout import ROOT
from tests.imap_server import ImapServer
from tests.oauth_server import CLIENT_ID, SCOPE, OAuthServer
from tests.signals import interruptible
from tests.test_intake import Pairs, mail, stub_parse
from tests.waiting import eventually


@pytest.fixture
def oauth():
    with OAuthServer() as server:
        yield server


@pytest.fixture
def imap(tmp_path, oauth):
    with ImapServer(tmp_path, oauth2_introspection_url=oauth.introspection_url) as server:
        yield server


async def until(check: Callable[[], bool], timeout: float, every: float = 0.05) -> bool:
    async def asked() -> bool:
        return check()

    return await eventually(asked, timeout=timeout, every=every)


def intake_for(imap: ImapServer, oauth: OAuthServer, **overrides: object) -> tuple[Intake, Pairs]:
    settings = imap.settings(**oauth.settings(**overrides))
    pairs = Pairs()
    return Intake(settings, IntakeLedger.open(settings.ledger_url), stub_parse, pairs.deliver), pairs


def logins(imap: ImapServer) -> list[str]:
    return [line for line in imap.dovecot.log.read_text().splitlines() if "Login: user=<office>" in line]


async def test_it_reads_and_moves_a_reply_signed_in_with_xoauth2(imap, oauth):
    imap.deliver(mail(1))
    imap.deliver(mail(2, reply=False))
    intake, pairs = intake_for(imap, oauth)
    async with intake.mailbox() as mailbox:
        sweep = await intake.sweep(mailbox)
    assert (sweep.outcomes, sweep.ignored) == ({"recorded": 1}, {"no calendar part": 1})
    assert (imap.count("INBOX"), imap.count("Processed"), imap.count("Ignored")) == (0, 1, 1)
    assert list(pairs.recorded) == ["<reply-1@calendar.example.org>"]
    assert oauth.token_requests == [
        {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": oauth.client_secret,
            "scope": SCOPE,
        }
    ]
    assert oauth.introspections == [True]
    assert len(logins(imap)) == 1 and "method=XOAUTH2" in logins(imap)[0]


async def test_a_token_that_expires_mid_run_is_replaced_before_it_expires(imap, oauth, caplog):
    """Tokens live 2 s: the intake gets a new one shortly before, and signs in again with
    it; no connection is ever signed in with a token the server has seen expire."""
    oauth.lifetime = 2.0
    intake, pairs = intake_for(imap, oauth)
    caplog.set_level(logging.INFO, logger="intake")
    task = asyncio.create_task(intake.run())
    try:
        imap.deliver(mail(1))
        assert await until(lambda: imap.count("Processed") == 1, timeout=10)
        first = next(iter(oauth.issued.values()))
        assert await until(lambda: time.monotonic() > first.expires_at + 0.2, timeout=5)
        imap.deliver(mail(2))
        assert await until(lambda: imap.count("Processed") == 2, timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert list(pairs.recorded) == ["<reply-1@calendar.example.org>", "<reply-2@calendar.example.org>"]
    assert all(oauth.introspections) and len(oauth.introspections) >= 2
    assert 2 <= len(oauth.token_requests) <= 3  # one a lifetime: never a loop
    assert len(logins(imap)) == len(oauth.introspections)
    assert "signing in again with a new access token" in caplog.messages


async def test_a_refused_token_is_replaced_once_by_a_fresh_one(imap, oauth):
    """The cached token no longer works (revoked, the app's rights changed): one fresh
    token, and the intake is in."""
    intake, _ = intake_for(imap, oauth)
    async with intake.mailbox():
        pass
    oauth.revoke_all()
    async with intake.mailbox() as mailbox:
        assert await mailbox.uids() == []
    assert len(oauth.token_requests) == 2
    assert oauth.introspections == [True, False, True]


async def test_a_token_the_server_never_accepts_stops_the_intake_after_one_fresh_try(imap, oauth):
    """Two tries, the second with a fresh token, then a permanent error: run() raises it
    rather than signing in again and again."""
    oauth.refuse_all = True
    intake, _ = intake_for(imap, oauth)
    with pytest.raises(SignInRefused) as refused:
        await asyncio.wait_for(intake.run(), 14)
    assert str(refused.value) == (
        "AUTHENTICATE XOAUTH2 refused, also with a fresh token: NO [AUTHENTICATIONFAILED] Authentication failed. "
        "(may the app read INTAKE_USER's mailbox?)"
    )
    assert (len(oauth.token_requests), oauth.introspections) == (2, [False, False])
    assert logins(imap) == []


def run_intake(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    return subprocess.run(
        [sys.executable, "intake.py"], cwd=ROOT, env={**clean, **TEST_KEY_ENV, **env},
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip


def oauth_env(imap: ImapServer, oauth: OAuthServer, skipping_env, tmp_path, secret: str) -> dict[str, str]:
    return {
        "TEMPORAL_ADDRESS": skipping_env.client.service_client.config.target_host,
        "INTAKE_HOST": "127.0.0.1",
        "INTAKE_PORT": str(imap.port),
        "INTAKE_AUTH": "oauth2",
        "INTAKE_OAUTH_TOKEN_URL": oauth.token_url,
        "INTAKE_OAUTH_CLIENT_ID": CLIENT_ID,
        "INTAKE_OAUTH_CLIENT_SECRET": secret,
        "INTAKE_LEDGER_URL": f"sqlite:///{tmp_path}/ledger.sqlite3",
    }


def one_line(result: subprocess.CompletedProcess[str], secret: str) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and secret not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_wrong_client_secret_is_one_line_naming_the_setting(tmp_path, imap, oauth, skipping_env):
    wrong = "not-the-app-secret-" + oauth.client_secret[::-1]
    said = one_line(run_intake(oauth_env(imap, oauth, skipping_env, tmp_path, wrong)), wrong)
    assert said.endswith(
        f"mailbox at 127.0.0.1:{imap.port}: INTAKE_OAUTH_CLIENT_SECRET: the token endpoint refused the app's "
        "secret (401 invalid_client, AADSTS7000215); is it the current one?"
    ), said
    assert len(oauth.token_requests) == 1  # a refusal is not tried again
    assert logins(imap) == []


def test_a_server_without_xoauth2_is_one_line(tmp_path, oauth, skipping_env):
    with ImapServer(tmp_path) as plain:  # PLAIN and LOGIN only
        said = one_line(run_intake(oauth_env(plain, oauth, skipping_env, tmp_path, oauth.client_secret)), "s3cr3t")
    assert said.endswith(
        f"mailbox at 127.0.0.1:{plain.port}: the server does not offer AUTH=XOAUTH2 (INTAKE_AUTH=oauth2)"
    ), said
    assert oauth.token_requests == []  # no token asked for that nobody could take


async def test_the_intake_process_reads_with_oauth2_and_stops_on_ctrl_c(tmp_path, imap, oauth, skipping_env):
    imap.deliver(mail(1, reply=False))
    env = oauth_env(imap, oauth, skipping_env, tmp_path, oauth.client_secret)
    log_file = tmp_path / "intake.log"
    # A file, not a pipe: the test reads the pass's line while the intake runs.
    with log_file.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "intake.py", cwd=ROOT, stderr=log, preexec_fn=interruptible,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}, **TEST_KEY_ENV, **env},
        )  # fmt: skip
        try:
            assert await until(lambda: imap.count("Ignored") == 1, timeout=15)
            # The pass logs its line after its last move: Ctrl-C only once it has.
            await until(lambda: "1 message: " in log_file.read_text(), timeout=10)
        finally:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), 20)
    logged = log_file.read_text()
    assert process.returncode == 0, logged
    assert "intake: reading INBOX (IDLE)" in logged and "1 message: 1 ignored (" in logged, logged
    assert oauth.client_secret not in logged and not any(token in logged for token in oauth.issued)
    assert len(oauth.token_requests) == 1  # the check before starting and the run share it


def test_oauth2_without_a_client_id_is_one_line(tmp_path, imap, oauth, skipping_env):
    env = {**oauth_env(imap, oauth, skipping_env, tmp_path, oauth.client_secret), "INTAKE_OAUTH_CLIENT_ID": ""}
    said = one_line(run_intake(env), oauth.client_secret)
    assert said.endswith("settings: INTAKE_AUTH=oauth2 needs INTAKE_OAUTH_CLIENT_ID (the app's client id)"), said
    assert oauth.token_requests == []


async def test_a_server_that_cannot_check_tokens_now_is_tried_again_later(imap, oauth):
    """Dovecot's own trouble (its introspection endpoint down) is NO [UNAVAILABLE]: a
    passing fault, not a refusal, and no fresh token is wasted on it."""
    oauth.introspection_down = True
    intake, _ = intake_for(imap, oauth)
    with pytest.raises(MailboxError) as error:
        async with intake.mailbox():
            pass
    assert not isinstance(error.value, SignInRefused)
    assert str(error.value).startswith("AUTHENTICATE XOAUTH2: NO [UNAVAILABLE] "), error.value
    assert len(oauth.token_requests) == 1
    oauth.introspection_down = False
    async with intake.mailbox() as mailbox:
        assert await mailbox.uids() == []
    assert len(oauth.token_requests) == 1
