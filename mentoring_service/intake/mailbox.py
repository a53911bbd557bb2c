"""The program office's mailbox as the intake sees it: one IMAP folder to read, two to
move messages into, with aioimaplib.

- TLS is what ``INTAKE_TLS`` says: implicit TLS, STARTTLS (refused, never skipped, when
  the server does not offer it) or none. Certificates are checked against the system's
  CAs (``SSL_CERT_FILE`` names another bundle).
- Messages are addressed by UID. Their size and Message-ID come first, in batches
  (``envelopes``); a body is fetched one message at a time, with ``BODY.PEEK`` so that
  nothing changes in the mailbox until a message is moved.
- Moving is ``UID MOVE`` where the server offers MOVE, else ``UID COPY``, ``\\Deleted``
  and ``UID EXPUNGE`` (plain ``EXPUNGE`` without UIDPLUS), for many UIDs in one command.
- ``wait_for_news`` IDLEs when the server offers IDLE and sleeps otherwise.
"""

from __future__ import annotations

import asyncio
import base64
import re
import ssl
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, TypeVar

# aioimaplib ships no type information (no py.typed).
import aioimaplib  # type: ignore[import-untyped]
from aioimaplib.aioimaplib import STOP_WAIT_SERVER_PUSH, Command  # type: ignore[import-untyped]

from mentoring_service.settings import ImapTls, IntakeAuth, IntakeSettings

# Each command's limit; a long FETCH restarts it with every chunk that arrives.
TIMEOUT_SECONDS = 30.0
# Messages whose envelopes are asked for at once. aioimaplib reads a response's lines
# recursively, copying the rest of the data at each line: a big batch costs memory
# quadratically and would reach the interpreter's recursion limit (three lines a message).
ENVELOPE_BATCH = 25

T = TypeVar("T")

_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_FETCH = re.compile(rb"^\d+ FETCH \(")
_FOLD = re.compile(r"\r?\n(?=[ \t])")  # a header line continued on the next (RFC 5322 2.2.3)


class MailboxError(Exception):
    """The server refused something, did not answer, or the connection is gone. The
    message names the command and the server's words, never a message's content."""


class SignInRefused(MailboxError):
    """Signing in cannot work as set up (no XOAUTH2, a token refused even when fresh, a
    client the token endpoint refuses): trying again would not help."""


class AccessTokens(Protocol):
    """Where XOAUTH2's bearer tokens come from (``tokens.TokenSource``)."""

    @property
    def due_at(self) -> float | None: ...

    async def token(self, fresh: bool = False) -> str: ...


@dataclass(frozen=True)
class Envelope:
    uid: int
    size: int  # RFC822.SIZE, in bytes
    message_id: str | None  # the header as sent (unfolded), None when there is none


def quoted(name: str) -> str:
    """A folder name as an IMAP quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uid_set(uids: Iterable[int]) -> str:
    """``1,2,3,7`` as ``1:3,7``."""
    ranges: list[list[int]] = []
    for uid in sorted(set(uids)):
        if ranges and uid == ranges[-1][1] + 1:
            ranges[-1][1] = uid
        else:
            ranges.append([uid, uid])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in ranges)


def _fetched(lines: list[Any]) -> list[tuple[bytes, bytes | None]]:
    """A FETCH response's items: each message's data items and its literal, if any."""
    items: list[tuple[bytes, bytes | None]] = []
    for line in lines:
        if isinstance(line, bytes) and _FETCH.match(line):
            items.append((line, None))
        elif items and isinstance(line, bytearray):
            meta, _ = items[-1]
            items[-1] = (meta, bytes(line))
        elif items and isinstance(line, bytes):  # what follows the literal: ")" or more items
            meta, literal = items[-1]
            items[-1] = (meta + b" " + line, literal)
    return items


def _message_id(header_block: bytes | None) -> str | None:
    """The Message-ID header's value, unfolded, from ``BODY[HEADER.FIELDS (MESSAGE-ID)]``.

    By hand: the email package builds a class for every header it parses, which only
    the garbage collector's cycle pass frees, and this runs for every message."""
    if not header_block:
        return None
    text = _FOLD.sub("", header_block.decode("utf-8", errors="replace"))
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip().lower() == "message-id":
            return value.strip()
    return None


class ImapMailbox:
    """One connection to the mailbox, with ``folder`` selected once ``open`` returns."""

    def __init__(
        self, settings: IntakeSettings, timeout: float = TIMEOUT_SECONDS, tokens: AccessTokens | None = None
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        if tokens is None and settings.auth == IntakeAuth.OAUTH2:
            from mentoring_service.intake.tokens import TokenSource  # it raises this module's errors

            tokens = TokenSource(settings)
        self.tokens = tokens
        self._client: Any = None
        self._lost = asyncio.Event()

    # -- connecting -----------------------------------------------------------------------

    async def open(self) -> ImapMailbox:
        settings = self.settings
        if settings.tls == ImapTls.TLS:
            self._client = aioimaplib.IMAP4_SSL(
                settings.host, settings.port, timeout=self.timeout, ssl_context=ssl.create_default_context()
            )
            self._client.protocol.conn_lost_cb = self._connection_lost
        else:
            self._client = aioimaplib.IMAP4(
                settings.host, settings.port, timeout=self.timeout, conn_lost_cb=self._connection_lost
            )
        try:
            await self._client.wait_hello_from_server()
        except (OSError, TimeoutError, ssl.SSLError) as error:
            raise MailboxError(f"cannot reach {settings.host}:{settings.port}: {_why(error)}") from None
        if settings.tls == ImapTls.STARTTLS:
            await self._starttls()
        if self.tokens is not None:
            await self._xoauth2(self.tokens)
        else:
            login = await self._call(self._client.login(settings.user, settings.password or ""), "LOGIN")
            if b"[UNAVAILABLE]" in b" ".join(_lines(login)):  # RFC 5530: the server's trouble, not the password's
                raise MailboxError(f"LOGIN: {_text(login)}")
            if login.result != "OK":
                # The same password would be refused again: stop, as for a refused token.
                raise SignInRefused(f"LOGIN refused: {_text(login)} (INTAKE_USER, INTAKE_PASSWORD)")
        # What a server offers may change once logged in (RFC 3501 7.2.1): ask again.
        await self._call(self._client.protocol.capability(), "CAPABILITY")
        await self._ensure_folders()
        await self._ok(self._client.select(quoted(settings.folder)), f"SELECT {settings.folder}")
        return self

    async def _starttls(self) -> None:
        protocol = self._client.protocol
        if "STARTTLS" not in protocol.capabilities:
            raise MailboxError("the server does not offer STARTTLS (INTAKE_TLS=starttls)")
        command = Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        await self._ok(protocol.execute(command), "STARTTLS")
        loop = asyncio.get_running_loop()
        try:
            protocol.transport = await loop.start_tls(
                protocol.transport, protocol, ssl.create_default_context(), server_hostname=self.settings.host
            )
        except (OSError, ssl.SSLError) as error:
            raise MailboxError(f"STARTTLS failed: {_why(error)}") from None
        await self._call(protocol.capability(), "CAPABILITY")  # the answer before TLS counts no more

    async def _xoauth2(self, tokens: AccessTokens) -> None:
        """SASL XOAUTH2 with the cached token; refused, once more with a fresh one."""
        if not self.offers("AUTH=XOAUTH2"):
            raise SignInRefused("the server does not offer AUTH=XOAUTH2 (INTAKE_AUTH=oauth2)")
        for fresh in (False, True):
            token = await tokens.token(fresh=fresh)
            response = await self._call(self._authenticate(token), "AUTHENTICATE XOAUTH2")
            if b"[UNAVAILABLE]" in b" ".join(_lines(response)):  # RFC 5530: the server's trouble, not the token's
                raise MailboxError(f"AUTHENTICATE XOAUTH2: {_text(response)}")
            if response.result == "OK":
                protocol = self._client.protocol
                async with protocol.state_condition:  # as aioimaplib's own sign-ins do
                    protocol.state = aioimaplib.AUTH
                    protocol.state_condition.notify_all()
                return
        raise SignInRefused(
            f"AUTHENTICATE XOAUTH2 refused, also with a fresh token: {_text(response)} "
            "(may the app read INTAKE_USER's mailbox?)"
        )

    async def _authenticate(self, token: str) -> Any:
        """aioimaplib's ``xoauth2`` waits forever where the server answers a refusal with
        a challenge (Gmail, Dovecot): this one answers it with the empty response that
        XOAUTH2 asks for, and the server then says NO."""
        protocol = self._client.protocol
        sasl = base64.b64encode(f"user={self.settings.user}\x01auth=Bearer {token}\x01\x01".encode()).decode()
        command = _Sasl(protocol, sasl)
        return await protocol.execute(command, scrub=sasl)

    def _connection_lost(self, error: Exception | None) -> None:
        self._lost.set()

    async def close(self) -> None:
        if self._client is None:
            return
        client, self._client = self._client, None
        if not self._lost.is_set():
            try:
                if client.has_pending_idle():  # LOGOUT would wait behind it
                    client.idle_done()
                async with asyncio.timeout(2):
                    await client.logout()
            except Exception:  # leaving anyway
                pass
        transport = client.protocol.transport
        if transport is not None:
            transport.close()

    async def __aenter__(self) -> ImapMailbox:
        try:
            return await self.open()
        except BaseException:
            await self.close()
            raise

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    def offers(self, capability: str) -> bool:
        return bool(self._client.has_capability(capability))

    async def _ensure_folders(self) -> None:
        for folder in (self.settings.processed_folder, self.settings.ignored_folder):
            listed = await self._ok(self._client.list('""', quoted(folder)), f"LIST {folder}")
            if len(listed.lines) > 1:  # a LIST line besides "List completed"
                continue
            created = await self._call(self._client.create(quoted(folder)), f"CREATE {folder}")
            if created.result != "OK" and b"ALREADYEXISTS" not in b" ".join(_lines(created)):
                raise MailboxError(f"CREATE {folder} refused: {_text(created)}")

    # -- commands -------------------------------------------------------------------------

    async def _call(self, command: Awaitable[T], what: str) -> T:
        if self._lost.is_set():
            raise MailboxError("the connection to the mailbox was lost")
        try:
            async with asyncio.timeout(self.timeout):
                result = await command
        except (TimeoutError, aioimaplib.CommandTimeout):
            raise MailboxError(f"{what}: no answer in {self.timeout:.0f} s") from None
        except aioimaplib.Abort as error:
            raise MailboxError(f"{what}: {error}") from None
        except OSError as error:
            raise MailboxError(f"{what}: {_why(error)}") from None
        # aioimaplib wraps its commands in asyncio.wait_for, which on Python 3.11 drops a
        # cancellation that arrives as the command completes: the intake would go on
        # (and IDLE) after being stopped. A cancelled task says so; honour it here.
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise asyncio.CancelledError
        return result

    async def _ok(self, command: Awaitable[Any], what: str) -> Any:
        response = await self._call(command, what)
        if response.result != "OK":
            if self._lost.is_set():
                raise MailboxError("the connection to the mailbox was lost")
            raise MailboxError(f"{what} refused: {_text(response)}")
        return response

    async def uids(self) -> list[int]:
        """The folder's messages, oldest first (those already marked for deletion left out)."""
        # NOOP is IMAP's poll (RFC 3501 6.1.2): Dovecot looks for new mail on it, and
        # SEARCH answers only about messages the client has been told of.
        await self._ok(self._client.noop(), "NOOP")
        found = await self._ok(self._client.protocol.search("UNDELETED", by_uid=True, charset=None), "UID SEARCH")
        numbers = found.lines[0].split() if found.lines and found.lines[0][:1].isdigit() else []
        return sorted(int(n) for n in numbers)

    async def envelopes(self, uids: list[int]) -> list[Envelope]:
        """Size and Message-ID of each message still there, without their bodies (keep
        ``uids`` to a batch: one response is read, and held, whole)."""
        response = await self._ok(
            self._client.uid("fetch", uid_set(uids), "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"),
            "UID FETCH envelopes",
        )
        found: list[Envelope] = []
        for meta, literal in _fetched(response.lines):
            uid, size = _UID.search(meta), _SIZE.search(meta)
            if uid and size:  # not an unrelated FETCH the server pushed (a flag change)
                found.append(Envelope(int(uid.group(1)), int(size.group(1)), _message_id(literal)))
        return sorted(found, key=lambda envelope: envelope.uid)

    async def fetch(self, uid: int) -> bytes | None:
        """The whole message, or None when it is gone (another client moved it)."""
        response = await self._ok(self._client.uid("fetch", str(uid), "(UID BODY.PEEK[])"), "UID FETCH")
        for meta, literal in _fetched(response.lines):
            found = _UID.search(meta)
            if found and int(found.group(1)) == uid and literal is not None:
                return literal
        return None

    async def move(self, uids: list[int], folder: str) -> None:
        if not uids:
            return
        which, target = uid_set(uids), quoted(folder)
        if self.offers("MOVE"):
            await self._ok(self._client.uid("move", which, target), f"UID MOVE to {folder}")
            return
        await self._ok(self._client.uid("copy", which, target), f"UID COPY to {folder}")
        await self._ok(self._client.uid("store", which, "+FLAGS.SILENT", r"(\Deleted)"), "UID STORE")
        if self.offers("UIDPLUS"):
            await self._ok(self._client.uid("expunge", which), "UID EXPUNGE")
        else:  # also expunges whatever else is marked \Deleted in the folder
            await self._ok(self._client.expunge(), "EXPUNGE")

    # -- waiting --------------------------------------------------------------------------

    async def wait_for_news(self, seconds: float) -> bool:
        """Until the server says the folder changed (IDLE), or ``seconds`` pass. True
        when the server said something; without IDLE, always a plain wait."""
        if not self.offers("IDLE"):
            lost = asyncio.ensure_future(self._lost.wait())
            done, _ = await asyncio.wait({lost}, timeout=seconds)
            lost.cancel()
            if done:
                raise MailboxError("the connection to the mailbox was lost")
            return False
        try:
            idle = await self._call(self._client.idle_start(timeout=seconds), "IDLE")
        except aioimaplib.Error as error:
            raise MailboxError(f"IDLE refused: {error}") from None
        push = asyncio.ensure_future(self._client.wait_server_push(timeout=seconds + self.timeout))
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait({push, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            push.cancel()
            lost.cancel()
        if self._lost.is_set():
            raise MailboxError("the connection to the mailbox was lost")
        self._client.idle_done()
        await self._call(idle, "IDLE")
        try:
            said = push.result()
        except (asyncio.CancelledError, TimeoutError):
            return False
        return bool(said) and said != STOP_WAIT_SERVER_PUSH


class _Sasl(Command):  # type: ignore[misc]
    """AUTHENTICATE XOAUTH2 with its initial response (SASL-IR, RFC 4959)."""

    def __init__(self, protocol: Any, sasl: str) -> None:
        super().__init__("AUTHENTICATE", protocol.new_tag(), "XOAUTH2", sasl, loop=protocol.loop)
        self._protocol = protocol

    def append_to_resp(self, line: Any, result: str = "Pending") -> None:
        if isinstance(line, bytes) and line.startswith(b"+"):
            self._protocol.transport.write(b"\r\n")  # the error challenge: answer it empty
        super().append_to_resp(line, result)


def _lines(response: Any) -> list[bytes]:
    return [bytes(line) for line in response.lines]


def _text(response: Any) -> str:
    """The server's words of a refusal (its tagged response line)."""
    lines = _lines(response)
    return f"{response.result} {lines[-1].decode(errors='replace') if lines else ''}".strip()


def _why(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
