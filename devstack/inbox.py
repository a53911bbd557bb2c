"""A local SMTP inbox, as make run runs it: every accepted message lands as an .eml file.

The inbox itself is ``mentoring_service/inbox.py`` (``starter.py simulate`` uses it too).

    python -m devstack.inbox --dir var/mail --port 1025
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from mentoring_service.inbox import start_inbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.inbox", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="var/mail", type=Path, help="where .eml files go (default: var/mail)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=1025, type=int)
    args = parser.parse_args(argv)

    try:
        controller = start_inbox(args.dir, args.host, args.port)
    except OSError as error:
        print(f"inbox: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"inbox: SMTP on {args.host}:{controller.port}, storing mail in {args.dir}/ (Ctrl-C stops)", flush=True)
    stop.wait()
    controller.stop()
    print("inbox: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
