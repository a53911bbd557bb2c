"""A local SMTP inbox, as make run runs it: every accepted message lands as an .eml file.

The inbox itself is ``mentoring_service/inbox.py`` (``starter.py simulate`` uses it too).
With ``--office ADDRESS --maildir DIR``, mail to the program office also lands in the
office's local IMAP mailbox (``devstack/mailbox.py``), where the intake reads it: a
participant's calendar reply goes where a real one would.

    python -m devstack.inbox --dir var/mail --port 1025 [--office ADDRESS --maildir DIR]
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from devstack.mailbox import deliver_to_maildir
from mentoring_service.inbox import OnMessage, StoredMessage, start_inbox


def to_office(offices: list[str], maildir: Path) -> OnMessage:
    """Copies each message for one of ``offices`` into ``maildir``'s new/, owned as the
    maildir is (Dovecot's mail user when make run runs as root)."""
    wanted = {address.strip().lower() for address in offices}

    async def deliver(stored: StoredMessage) -> None:
        if stored.recipient.strip().lower() in wanted:
            owner = maildir.stat()
            deliver_to_maildir(maildir, stored.path.read_bytes(), owner.st_uid, owner.st_gid)

    return deliver


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.inbox", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="var/mail", type=Path, help="where .eml files go (default: var/mail)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=1025, type=int)
    parser.add_argument("--office", action="append", default=[], help="the program office's address (repeatable)")
    parser.add_argument("--maildir", type=Path, help="the office's maildir (with --office)")
    args = parser.parse_args(argv)
    if bool(args.office) != bool(args.maildir):
        parser.error("--office and --maildir go together")

    on_message = to_office(args.office, args.maildir) if args.office else None
    try:
        controller = start_inbox(args.dir, args.host, args.port, on_message=on_message)
    except OSError as error:
        print(f"inbox: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"inbox: SMTP on {args.host}:{controller.port}, storing mail in {args.dir}/ (Ctrl-C stops)", flush=True)
    if args.office:
        print(f"inbox: mail to {', '.join(args.office)} also goes to {args.maildir}/", flush=True)
    stop.wait()
    controller.stop()
    print("inbox: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
