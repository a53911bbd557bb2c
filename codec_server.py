"""The codec server: lets authorised admins read encrypted payloads in the Temporal UI
and with the ``temporal`` CLI (``mentoring_service/codec_server.py``).

    python codec_server.py [--host 127.0.0.1] [--port 8081] [--allow-origin URL ...] [--ui-url URL]

Settings: docs/configuration.md."""

import sys

from mentoring_service.codec_server import main

if __name__ == "__main__":
    sys.exit(main())
