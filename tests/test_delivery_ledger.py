"""The delivery ledger, on SQLite and on a real PostgreSQL (pgserver), and the send
activity using it against a real SMTP server."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from datetime import UTC, datetime, time, timedelta

import pgserver
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.answer_links import AnswerLinks
from activities.delivery import MailDelivery
from activities.ledger import LedgerStats, LedgerStatus, open_ledger
from mentoring.cohort import Role
from mentoring.messages import PERMANENT_FAILURE, DeliveryRequest, MessageKind, Recipient
from mentoring_service.settings import MailSettings
from tests import factories
from tests.smtp_server import SmtpServer
from tests.workers import SITE_URL, test_signer

MENTEE = "mentee-p1@example.com"


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory):
    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture(params=["sqlite", "postgresql"])
async def ledger(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/ledger.sqlite3"
    else:
        url = request.getfixturevalue("postgres_url")
    ledger = open_ledger(url)
    yield ledger
    await ledger.close()


def unique(name: str) -> str:
    # The PostgreSQL server is shared by the module; keys must not meet across tests.
    return f"{name}/{datetime.now(UTC).timestamp()}"


async def test_a_first_attempt_claims_and_acceptance_is_final(ledger):
    key = unique("k1")
    first = await ledger.begin(key, "<m1@x>")
    assert (first.status, first.previous_status, first.attempts) == (LedgerStatus.CLAIMED, None, 1)
    await ledger.accepted(key, "250 OK")
    again = await ledger.begin(key, "<m1@x>")
    assert (again.status, again.previous_status, again.attempts, again.smtp_reply) == (
        LedgerStatus.ACCEPTED,
        LedgerStatus.ACCEPTED,
        2,
        "250 OK",
    )


async def test_an_unknown_outcome_is_seen_by_the_next_attempt(ledger):
    key = unique("k2")
    await ledger.begin(key, "<m2@x>")
    retry = await ledger.begin(key, "<m2@x>")
    assert (retry.status, retry.previous_status) == (LedgerStatus.CLAIMED, LedgerStatus.CLAIMED)
    await ledger.count_ambiguous(key)
    released = unique("k3")
    await ledger.begin(released, "<m3@x>")
    await ledger.release(released)
    clean = await ledger.begin(released, "<m3@x>")
    assert clean.previous_status == LedgerStatus.RELEASED


async def test_stats_count_by_status(tmp_path):
    ledger = open_ledger(f"sqlite:///{tmp_path}/stats.sqlite3")
    await ledger.begin("a", "<a@x>")
    await ledger.accepted("a", "250 OK")
    await ledger.begin("b", "<b@x>")
    await ledger.count_ambiguous("b")
    await ledger.begin("c", "<c@x>")
    await ledger.release("c")
    assert await ledger.stats() == LedgerStats(claimed=1, accepted=1, released=1, ambiguous_resends=1)
    await ledger.close()


async def test_concurrent_writes_commit_together_and_each_is_durable(tmp_path):
    """A group commit: writes that arrive while one commits share the next transaction,
    and every caller returns only once its write is on disk."""
    path = tmp_path / "group.sqlite3"
    ledger = open_ledger(f"sqlite:///{path}")
    commits = []
    ledger._db.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    keys = [f"k{n}" for n in range(60)]
    await asyncio.gather(*(ledger.begin(key, f"<{key}@x>") for key in keys))
    await asyncio.gather(*(ledger.accepted(key, "250 OK") for key in keys))
    assert len(commits) < len(keys)  # one fsync'd transaction each would be 120
    await ledger.close()
    with sqlite3.connect(path) as db:  # what another process sees: all of it
        rows = db.execute("SELECT key, status, smtp_reply FROM deliveries ORDER BY key").fetchall()
    assert rows == sorted((key, "accepted", "250 OK") for key in keys)


async def test_a_failing_write_fails_alone_in_its_batch(tmp_path):
    ledger = open_ledger(f"sqlite:///{tmp_path}/isolated.sqlite3")
    outcomes = await asyncio.gather(
        ledger.begin("before", "<before@x>"),
        ledger.begin("broken", None),  # message_id is NOT NULL: this write cannot hold
        ledger.begin("after", "<after@x>"),
        return_exceptions=True,
    )
    assert isinstance(outcomes[1], sqlite3.IntegrityError)
    assert [entry.key for entry in (outcomes[0], outcomes[2])] == ["before", "after"]
    assert [row.key for row in await ledger.rows()] == ["after", "before"]
    await ledger.close()


async def test_a_failing_write_on_its_own_leaves_nothing_behind(tmp_path):
    """Sends one at a time commit each write alone: a failing one rolls back, the next commits."""
    ledger = open_ledger(f"sqlite:///{tmp_path}/alone.sqlite3")
    with pytest.raises(sqlite3.IntegrityError):
        await ledger.begin("broken", None)
    entry = await ledger.begin("after", "<after@x>")
    assert (entry.status, entry.previous_status) == (LedgerStatus.CLAIMED, None)
    again = await ledger.begin("after", "<after@x>")
    assert (again.attempts, again.previous_status) == (2, LedgerStatus.CLAIMED)
    assert [(row.key, row.attempts) for row in await ledger.rows()] == [("after", 2)]
    await ledger.close()


def test_an_unknown_ledger_url_is_named():
    with pytest.raises(ValueError, match="must start with sqlite:/// or postgresql://, not 'mysql'"):
        open_ledger("mysql://x")


def invite_request(key: str) -> DeliveryRequest:
    program = factories.program((datetime.now(UTC) + timedelta(days=10)).date())
    pair = factories.pair()
    starts = datetime.now(UTC) + timedelta(days=12)
    from mentoring.messages import SessionRef

    session = SessionRef(
        number=1,
        uid="u1@test",
        sequence=0,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        local_start=datetime.combine(starts.date(), time(16)),
        timezone="Europe/Berlin",
        location="Teams",
    )
    return DeliveryRequest(
        key=key,
        kind=MessageKind.INVITE,
        recipient=Recipient(role=Role.MENTEE, name=pair.mentee.name, email=pair.mentee.email, timezone="Europe/Berlin"),
        program=program,
        pair_id="p1",
        mentor=pair.mentor,
        mentee=pair.mentee,
        session=session,
        total_sessions=13,
        composed_at=datetime.now(UTC),
    )


def delivery(smtp: SmtpServer, tmp_path, timeout: float = 30.0) -> MailDelivery:
    return MailDelivery(
        MailSettings(
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_timeout_seconds=timeout,
            delivery_ledger_url=f"sqlite:///{tmp_path}/activity-ledger.sqlite3",
        ),
        AnswerLinks(test_signer(), SITE_URL),
    )


async def test_a_retry_after_acceptance_sends_nothing(smtp, tmp_path):
    mail, env = delivery(smtp, tmp_path), ActivityEnvironment()
    first = await env.run(mail.deliver_message, invite_request("wf/session-1-invite/0/mentee"))
    second = await env.run(mail.deliver_message, invite_request("wf/session-1-invite/0/mentee"))
    assert first.message_id == second.message_id
    # Only what the pair records: the key is the request's, the reply in the ledger.
    assert (
        first.model_dump(exclude_defaults=True)
        == second.model_dump(exclude_defaults=True)
        == {
            "message_id": first.message_id,
            "smtp_code": 250,
        }
    )
    assert len(smtp.handler.for_recipient(MENTEE)) == 1
    assert await mail.ledger.stats() == LedgerStats(claimed=0, accepted=1, released=0, ambiguous_resends=0)


async def test_the_claim_is_on_disk_before_data_and_the_acceptance_after(smtp, tmp_path):
    """The claim is written while MAIL FROM and RCPT TO go out, but DATA waits for it:
    what another process reads from the ledger file when the message arrives."""
    mail, env = delivery(smtp, tmp_path), ActivityEnvironment()
    key = "wf/session-1-invite/0/mentee"
    seen = []

    def ledger_at_data(recipients: list[str]) -> None:
        with sqlite3.connect(tmp_path / "activity-ledger.sqlite3") as db:
            seen.append(db.execute("SELECT status FROM deliveries WHERE key = ?", (key,)).fetchall())

    smtp.handler.on_data = ledger_at_data
    await env.run(mail.deliver_message, invite_request(key))
    assert seen == [[("claimed",)]]
    assert [(row.key, row.status) for row in await mail.ledger.rows()] == [(key, LedgerStatus.ACCEPTED)]


async def test_a_retry_after_acceptance_succeeds_whatever_the_server_says_now(smtp, tmp_path):
    mail, env = delivery(smtp, tmp_path), ActivityEnvironment()
    request = invite_request("wf/session-1-invite/0/mentee")
    first = await env.run(mail.deliver_message, request)
    smtp.handler.refused[MENTEE] = "550 5.1.1 No such user"
    assert await env.run(mail.deliver_message, request) == first
    smtp.handler.refused.clear()
    smtp.handler.rcpt_faults[MENTEE] = ["451 4.7.1 Greylisted"]
    assert await env.run(mail.deliver_message, request) == first
    assert len(smtp.handler.for_recipient(MENTEE)) == 1
    assert await mail.ledger.stats() == LedgerStats(claimed=0, accepted=1, released=0, ambiguous_resends=0)


async def test_a_timeout_inside_data_is_resent_once_with_the_same_message_id(smtp, tmp_path):
    smtp.handler.slow_data_seconds, smtp.handler.slow_data_count = 3.0, 1
    mail, env = delivery(smtp, tmp_path, timeout=1.0), ActivityEnvironment()
    request = invite_request("wf/session-1-invite/0/mentee")
    with pytest.raises(Exception) as first_attempt:
        await env.run(mail.deliver_message, request)
    assert "Timed out" in str(first_attempt.value) or "timeout" in type(first_attempt.value).__name__.lower()
    receipt = await env.run(mail.deliver_message, request)
    copies = smtp.handler.for_recipient(MENTEE)
    assert [str(c.message["Message-ID"]) for c in copies] == [receipt.message_id] * 2
    assert await mail.ledger.stats() == LedgerStats(claimed=0, accepted=1, released=0, ambiguous_resends=1)


async def test_a_451_releases_the_claim_and_a_550_is_permanent(smtp, tmp_path):
    smtp.handler.rcpt_faults[MENTEE] = ["451 4.7.1 Greylisted"]
    mail, env = delivery(smtp, tmp_path), ActivityEnvironment()
    request = invite_request("wf/session-1-invite/0/mentee")
    with pytest.raises(
        ApplicationError,
        match=r"pair p1: invite wf/session-1-invite/0/mentee: deferred by the mail server \(451 4.7.1\)$",
    ):
        await env.run(mail.deliver_message, request)
    await env.run(mail.deliver_message, request)
    assert await mail.ledger.stats() == LedgerStats(claimed=0, accepted=1, released=0, ambiguous_resends=0)

    smtp.handler.refused[MENTEE] = "550 5.1.1 No such user"
    with pytest.raises(ApplicationError) as refused:
        await env.run(mail.deliver_message, invite_request("wf/session-2-invite/0/mentee"))
    assert (refused.value.type, refused.value.non_retryable, refused.value.details) == (
        PERMANENT_FAILURE,
        True,
        (550, "5.1.1 No such user"),
    )
    assert len(smtp.handler.for_recipient(MENTEE)) == 1


async def test_the_sqlite_ledger_and_its_wal_and_shm_files_are_private(tmp_path):
    old_umask = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        path = tmp_path / "var" / "delivery-ledger.sqlite3"
        ledger = open_ledger(f"sqlite:///{path}")
        await ledger.begin("k", "<k@x>")
        files = [path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")]
        # WAL mode keeps both side files while the connection is open.
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
        await ledger.close()

        # A ledger an older version left readable by others is made private when opened.
        path.chmod(0o644)
        reopened = open_ledger(f"sqlite:///{path}")
        assert (await reopened.rows())[0].key == "k"
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
        await reopened.close()
    finally:
        os.umask(old_umask)
