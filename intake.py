"""The intake: reads participants' calendar replies (accept, decline, tentative, propose a
new time) from the program office's mailbox over IMAP and hands each to its pair
workflow (``mentoring_service/intake/``).

    python intake.py

Settings: docs/configuration.md (INTAKE_*, and the encryption keys the Temporal client
needs); the mailbox set-up: docs/intake.md.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from pydantic import ValidationError

from mentoring_service.cli.exit import exit_now
from mentoring_service.connection import connect, target_address
from mentoring_service.intake.ledger import IntakeLedger
from mentoring_service.intake.mailbox import MailboxError, SignInRefused
from mentoring_service.intake.pairs import PairDelivery, session_of
from mentoring_service.intake.parse import read_reply
from mentoring_service.intake.service import Intake
from mentoring_service.keys import KeyConfigError
from mentoring_service.settings import IntakeSettings, settings_problem


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Its INFO lines quote what the server sends unasked; the intake says what matters.
    logging.getLogger("aioimaplib").setLevel(logging.WARNING)
    try:  # before connecting: a mistyped setting needs no server to be found
        settings = IntakeSettings()
    except ValidationError as error:
        logging.error("settings: %s", settings_problem(error))
        exit_now(1)
    if problem := settings.folders_problem():
        logging.error("settings: %s", problem)
        exit_now(1)
    try:
        ledger = IntakeLedger.open(settings.ledger_url)
    except (ValueError, OSError, sqlite3.Error) as error:
        logging.error("intake ledger: %s", error)
        exit_now(1)
    try:
        client = await connect()
    except KeyConfigError as error:
        logging.error("encryption keys: %s", error)
        exit_now(1)
    except RuntimeError as error:  # the SDK's "Failed client connect"
        logging.error("cannot reach Temporal at %s: %s", target_address(), error)
        exit_now(1)
    if problem := settings.auth_problem():  # INTAKE_PASSWORD, or the INTAKE_OAUTH_* client
        logging.error("settings: %s", problem)
        exit_now(1)
    intake = Intake(settings, ledger, read_reply, PairDelivery(client).deliver, about=session_of)
    # The mailbox once before starting: a wrong password, secret or host is said, not retried.
    try:
        async with intake.mailbox():
            pass
    except MailboxError as error:
        logging.error("mailbox at %s:%s: %s", settings.host, settings.port, error)
        exit_now(1)
    try:
        await intake.run()
    except SignInRefused as error:  # the secret expired, the app lost its right ...
        logging.error("mailbox at %s:%s: %s", settings.host, settings.port, error)
        exit_now(1)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
