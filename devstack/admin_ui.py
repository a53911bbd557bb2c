"""How ``make run`` wires the Temporal UI to the codec server, so that an admin gets from
the printed sign-in link to decoded summaries, details and history in one click.

- The dev server's own UI listens on an inner port, with ``--ui-codec-endpoint`` set.
- ``devstack.ui_gateway`` serves it where admins open it and adds the codec settings the
  dev server has no flag for (send the codec session cookie; on failure, say "sign in"
  and link to the codec server's sign-in page).
- The codec server answers that UI origin and, once signed in, goes on to the UI's
  workflow list.
- The sign-in link carries the access token in its fragment.

``devstack.run`` and the browser test (tests/test_admin_ui.py) both start the pieces
from here, so what the test checks is what ``make run`` starts."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AdminUi:
    ui_port: int  # the gateway: where admins open the UI
    inner_ui_port: int  # the dev server's own UI
    codec_port: int
    host: str = "127.0.0.1"
    namespace: str = "default"

    # `localhost` throughout: the session cookie belongs to a site, and 127.0.0.1 is another one.
    @property
    def ui_url(self) -> str:
        return f"http://localhost:{self.ui_port}"

    @property
    def workflows_url(self) -> str:
        return f"{self.ui_url}/namespaces/{self.namespace}/workflows"

    @property
    def ui_origins(self) -> tuple[str, ...]:
        return (self.ui_url, f"http://127.0.0.1:{self.ui_port}")

    @property
    def codec_endpoint(self) -> str:
        return f"http://localhost:{self.codec_port}"

    @property
    def sign_in_url(self) -> str:
        return f"{self.codec_endpoint}/login"

    def sign_in_link(self, token: str) -> str:
        return f"{self.sign_in_url}#token={token}"

    def dev_server_ui_flags(self) -> list[str]:
        return ["--ui-ip", self.host, "--ui-port", str(self.inner_ui_port), "--ui-codec-endpoint", self.codec_endpoint]

    def codec_command(self) -> list[str]:
        origins = [arg for origin in self.ui_origins for arg in ("--allow-origin", origin)]
        return [
            sys.executable, "codec_server.py", "--host", self.host, "--port", str(self.codec_port),
            *origins, "--ui-url", self.workflows_url,
        ]  # fmt: skip

    def gateway_command(self) -> list[str]:
        return [
            sys.executable, "-m", "devstack.ui_gateway", "--host", self.host, "--port", str(self.ui_port),
            "--upstream", f"http://{self.host}:{self.inner_ui_port}", "--sign-in-url", self.sign_in_url,
        ]  # fmt: skip


def first_token(token_file: Path) -> str:
    """The first token of the codec server's token file, read the way the codec server reads it."""
    from mentoring_service.codec_server import read_token_file

    return read_token_file(token_file)[0]
