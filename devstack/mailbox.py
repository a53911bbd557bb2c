"""The program office's local mailbox: Dovecot from Debian's packages (dovecot-imapd),
started from a configuration this module writes, for ``make run`` and the tests.

Everything lives under one directory (``var/dovecot`` for ``make run``, a ``tmp_path``
in tests)::

    dovecot.conf       the generated configuration, rewritten at every start
    users              the passdb (passwd-file, mode 0600)
    office-password    the office user's password (mode 0600), made on the first start
    mail/office/Maildir  the mailbox (maildir; folders are Maildir/.<name>/)
    state/ log/dovecot.log
    run/               its sockets (base_dir)

A Unix socket's path must stay under 108 bytes: under a directory whose path is too long
for that, the sockets go to a temporary directory instead, removed when Dovecot stops.

IMAP listens on 127.0.0.1 only, in plaintext (no TLS, so LOGIN works without it), on a
free port unless one is given. It runs as whoever starts it:

- as a normal user, every Dovecot process runs as that user ("rootless": no chroot);
- as root (CI machines), Dovecot refuses to run its login processes or the mail access
  as root, so the login process runs as Debian's ``dovenull`` in its chroot, and the
  mail processes as the ``dovecot`` user, chrooted into ``mail/`` (a pytest tmp_path's
  parents are 0700 root, which no other user could traverse).

``stop`` ends every process it started: SIGTERM to Dovecot's master, then SIGKILL to
anything left in its session.

    python -m devstack.mailbox --dir var/dovecot --port 1143
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

from devstack.dovecot_config import HOST, MailboxError, identity, render_config, render_oauth2, write_self_signed
from mentoring_service.keys import ensure_secret_file

__all__ = ["BASIC_CAPABILITIES", "HOST", "OFFICE_USER", "Dovecot", "MailboxError", "deliver_to_maildir"]

DOVECOT = Path("/usr/sbin/dovecot")
IMAP_BINARY = Path("/usr/lib/dovecot/imap")
OFFICE_USER = "office"
START_SECONDS = 15.0
RUN_DIR_MAX = 80  # bytes: see _make_run_dir
STOP_SECONDS = 2.0  # then SIGKILL: a maildir is safe from that (its index is rebuilt)
# What a server without IDLE and MOVE offers: the tests' "old server", for polling and
# COPY + EXPUNGE. Dovecot still understands the rest; a client only goes by this list.
BASIC_CAPABILITIES = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE UIDPLUS NAMESPACE UNSELECT CHILDREN"


def dovecot_version() -> tuple[int, int]:
    if not DOVECOT.exists() or not IMAP_BINARY.exists():
        raise MailboxError(
            f"Dovecot is not installed ({DOVECOT}, {IMAP_BINARY}): run `make system-deps` (Debian's dovecot-imapd)"
        )
    out = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True, check=True, timeout=10).stdout
    found = re.match(r"(\d+)\.(\d+)", out.strip())
    if not found:
        raise MailboxError(f"cannot read Dovecot's version from {out.strip()!r}")
    return int(found.group(1)), int(found.group(2))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Dovecot:
    """One Dovecot instance serving the office's mailbox; a context manager."""

    def __init__(
        self,
        directory: Path,
        port: int = 0,
        capabilities: str | None = None,
        user: str = OFFICE_USER,
        tls: bool = False,
        oauth2_introspection_url: str | None = None,
    ) -> None:
        self.directory = Path(directory).resolve()
        # Tests of the intake's XOAUTH2: tokens are checked at this introspection endpoint.
        self.oauth2_introspection_url = oauth2_introspection_url
        self.requested_port = port
        self.port = port
        self.capabilities = capabilities  # None: Dovecot's own list (IDLE, MOVE ...)
        # Tests of the intake's TLS: STARTTLS on ``port`` and implicit TLS on ``tls_port``,
        # with a self-signed certificate for localhost and 127.0.0.1 (``cert_file``).
        self.tls = tls
        self.tls_port = 0
        self.cert_file = self.directory / "tls" / "cert.pem"
        self.user = user
        self.mail_dir = self.directory / "mail"
        self.log = self.directory / "log" / "dovecot.log"
        self.config = self.directory / "dovecot.conf"
        self.stderr = self.directory / "log" / "dovecot.stderr"
        self.who = identity(self.mail_dir)
        self.proc: subprocess.Popen[bytes] | None = None
        self._run_dir: Path | None = None

    # -- layout ---------------------------------------------------------------------------

    @property
    def password(self) -> str:
        return (self.directory / "office-password").read_text(encoding="utf-8").strip()

    def maildir(self, folder: str = "INBOX") -> Path:
        """The maildir of ``folder`` (Maildir++: a folder is Maildir/.<name>)."""
        root = self.mail_dir / self.user / "Maildir"
        return root if folder.upper() == "INBOX" else root / f".{folder}"

    def prepare(self) -> None:
        """The directories, the password and the passdb; the mailbox owned by its user."""
        for sub in ("state", "log"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        ensure_secret_file(self.directory / "office-password", nbytes=18)
        users = self.directory / "users"
        fd = os.open(users, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        for path in (self.mail_dir, self.mail_dir / self.user, *self._maildir_parts(self.maildir())):
            path.mkdir(mode=0o700, exist_ok=True)
            os.chown(path, self.who.mail_uid, self.who.mail_gid)
        if self.tls and not self.cert_file.exists():
            write_self_signed(self.cert_file, self.cert_file.with_name("key.pem"))

    @staticmethod
    def _maildir_parts(root: Path) -> tuple[Path, ...]:
        return (root, root / "cur", root / "new", root / "tmp")

    def write_config(self, run_dir: Path) -> None:
        home = Path("/") / self.user if self.who.mail_chroot else self.mail_dir / self.user
        oauth2 = None
        if self.oauth2_introspection_url:
            oauth2 = self.directory / "dovecot-oauth2.conf.ext"
            oauth2.write_text(render_oauth2(self.oauth2_introspection_url), encoding="utf-8")
        self.config.write_text(
            render_config(
                version=dovecot_version(),
                who=self.who,
                port=self.port,
                run_dir=run_dir,
                state_dir=self.directory / "state",
                log=self.log,
                users=self.directory / "users",
                home=home,
                capabilities=self.capabilities,
                tls=(self.tls_port, self.cert_file, self.cert_file.with_name("key.pem")) if self.tls else None,
                oauth2=oauth2,
            ),
            encoding="utf-8",
        )

    # -- running --------------------------------------------------------------------------

    def start(self) -> Dovecot:
        self.prepare()
        for attempt in range(3):  # a free port can be taken between choosing and binding it
            self.port = self.requested_port or free_port()
            self.tls_port = free_port() if self.tls else 0
            self._run_dir = self._make_run_dir()
            self.write_config(self._run_dir)
            with self.stderr.open("ab") as stderr:  # what Dovecot says before its log is open
                self.proc = subprocess.Popen(
                    [DOVECOT, "-F", "-c", self.config],
                    stdin=subprocess.DEVNULL,
                    stdout=stderr,
                    stderr=stderr,
                    start_new_session=True,  # its own session: stop() finds every process in it
                    preexec_fn=_die_with_parent,
                )
            try:
                self._wait_ready()
                return self
            except MailboxError:
                taken = "Address already in use" in self._log_tail()
                self.stop()
                if not taken or self.requested_port or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _log_tail(self, log: Path | None = None, lines: int = 10) -> str:
        try:
            return "\n".join((log or self.log).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def _wait_ready(self) -> None:
        """Until Dovecot greets a client: its login process is up."""
        assert self.proc is not None
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.proc.poll() is not None:
                said = self._log_tail(self.stderr) or self._log_tail()
                raise MailboxError(f"Dovecot exited with code {self.proc.returncode}: {said}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as sock:
                    if sock.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise MailboxError(f"Dovecot did not answer on {HOST}:{self.port} in {START_SECONDS:.0f} s")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM to the master (it stops its children), then SIGKILL to whatever is left."""
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # the master and its children at once: quicker
                try:
                    proc.wait(STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    pass
            kill_session(proc.pid)
            proc.wait()
        if self._run_dir is not None and self._run_dir != self.directory / "run":
            shutil.rmtree(self._run_dir, ignore_errors=True)
        self._run_dir = None

    def _make_run_dir(self) -> Path:
        """Dovecot's base_dir: ``run/`` beside the rest when its sockets' paths fit in the
        108 bytes a Unix socket's path may have (the longest, ``token-login/imap-urlauth``,
        adds 25), else a temporary directory, removed by stop()."""
        run = self.directory / "run"
        if len(os.fsencode(run)) > RUN_DIR_MAX:
            run = Path(tempfile.mkdtemp(prefix="dovecot-"))
        run.mkdir(exist_ok=True)
        os.chmod(run, 0o755)  # Dovecot wants its base_dir world-readable
        # A Dovecot that was killed leaves its pid behind; Dovecot refuses to start while a
        # process has that pid, which by now may be anyone's.
        pid_file = run / "master.pid"
        try:
            if _command_of(int(pid_file.read_text().strip())) != "dovecot":
                pid_file.unlink()
        except (OSError, ValueError):
            pass
        return run

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # -- delivering -----------------------------------------------------------------------

    def deliver(self, raw: bytes, folder: str = "INBOX") -> Path:
        """Put a message into ``folder`` the way an MDA does (tmp/, then a rename into new/)."""
        return deliver_to_maildir(self.maildir(folder), raw, self.who.mail_uid, self.who.mail_gid)


def _command_of(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def _die_with_parent() -> None:
    """In the child, before Dovecot runs: SIGTERM it when the process that started it dies
    (a killed test run, make run's SIGKILL), rather than leave it serving. Linux's
    PR_SET_PDEATHSIG counts the starting *thread*: start Dovecot from a thread that lives."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


_counter = 0
_counter_lock = threading.Lock()


def deliver_to_maildir(maildir: Path, raw: bytes, uid: int = -1, gid: int = -1) -> Path:
    """Write ``raw`` into ``maildir``/new atomically, under a unique maildir name.

    ``uid``/``gid`` own the file (root delivering for the mail user); -1 keeps the writer's."""
    global _counter
    with _counter_lock:
        _counter += 1
        count = _counter
    now = time.time()
    name = f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}Q{count}.{socket.gethostname()},S={len(raw)}"
    tmp = maildir / "tmp" / name
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        if uid != -1 or gid != -1:
            os.chown(tmp, uid, gid)
        final = maildir / "new" / name
        os.rename(tmp, final)  # Dovecot never sees half a message
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final


def kill_session(sid: int) -> None:
    """SIGKILL every process of session ``sid`` (Dovecot and all it started) until none is left."""
    deadline = time.monotonic() + STOP_SECONDS
    while (left := session_processes(sid)) and time.monotonic() < deadline:
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.02)


def session_processes(sid: int) -> list[int]:
    """The live processes of session ``sid``; zombies, which only wait to be reaped, are not."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it has just exited
            continue
        # "pid (name) state ppid pgrp session ...": the name may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(entry.name))
    return found


def deliver_file(maildir: Path, message: Path) -> int:
    """``--deliver``: a message written by hand (a participant's reply), as if mailed."""
    if not maildir.is_dir():
        print(f"mailbox: there is no mailbox at {maildir} yet; start it first (make run)", file=sys.stderr)
        return 1
    try:
        raw = message.read_bytes()
    except OSError as error:
        print(f"mailbox: cannot read {message}: {error.strerror or error}", file=sys.stderr)
        return 1
    # Mail travels with CRLF line ends; a file written in an editor has LF.
    raw = re.sub(rb"(?<!\r)\n", b"\r\n", raw)
    owner = maildir.stat()
    deliver_to_maildir(maildir, raw, owner.st_uid, owner.st_gid)
    print(f"mailbox: {message} is in the office's INBOX", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.mailbox", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="var/dovecot", type=Path, help="its configuration and mail")
    parser.add_argument("--port", default=1143, type=int)
    parser.add_argument(
        "--deliver", type=Path, metavar="FILE.eml", help="put a message into the office's INBOX, then exit"
    )
    args = parser.parse_args(argv)
    if args.deliver:
        return deliver_file(Dovecot(args.dir).maildir(), args.deliver)
    server = Dovecot(args.dir, port=args.port)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        server.start()
    except MailboxError as error:
        print(f"mailbox: {error}", file=sys.stderr)
        return 1
    pid = server.proc.pid if server.proc else 0
    print(f"mailbox: IMAP on {HOST}:{server.port}, user {server.user}, mail in {server.maildir()} (Dovecot pid {pid})")
    sys.stdout.flush()
    while not stop.wait(1.0):
        if server.proc is None or server.proc.poll() is not None:
            print(f"mailbox: Dovecot exited; its log: {server.log}", file=sys.stderr)
            server.stop()
            return 1
    server.stop()
    print("mailbox: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
