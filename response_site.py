"""The response site: the pages participants reach from the links in our emails, to
check in on a session, write a reflection and answer the reviews
(``mentoring_service/site/``).

    python response_site.py

Settings: docs/configuration.md (RESPONSE_SITE_*, the SMTP settings for the journal
email, and the encryption keys, from which the links' signing keys are derived)."""

from __future__ import annotations

import asyncio
import logging

from pydantic import ValidationError

from mentoring_service.cli.exit import exit_now
from mentoring_service.connection import connect, target_address
from mentoring_service.keys import KeyConfigError, load_keys
from mentoring_service.links import LinkSigner
from mentoring_service.serving import CannotListen
from mentoring_service.settings import MailSettings, ResponseSiteSettings, settings_problem
from mentoring_service.site import serve


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:  # before connecting: a mistyped setting needs no server to be found
        settings = ResponseSiteSettings()
        mail = MailSettings()
    except ValidationError as error:
        logging.error("settings: %s", settings_problem(error))
        exit_now(1)
    try:
        signer = LinkSigner(load_keys())
        client = await connect()
    except KeyConfigError as error:
        logging.error("encryption keys: %s", error)
        exit_now(1)
    except RuntimeError as error:  # the SDK's "Failed client connect"
        logging.error("cannot reach Temporal at %s: %s", target_address(), error)
        exit_now(1)
    try:
        await serve(settings, client, signer, mail)
    except CannotListen as error:
        logging.error("%s", error)
        exit_now(1)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
