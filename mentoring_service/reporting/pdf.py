"""report.pdf: the page printed by headless Chromium (``--print-to-pdf``), offline.

Debian's ``chromium`` is already how the project's browser tests run, and the page
needs nothing from the network, so no library is added for it. Where there is no
Chromium the report is written without the PDF, and the command says why in one line.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-pdf-header-footer",
)  # fmt: skip
TIMEOUT_SECONDS = 120


def find_browser() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def print_pdf(html: Path, pdf: Path, browser: str | None = None) -> str | None:
    """Writes ``pdf`` from ``html``; returns None, or why there is no PDF (one line)."""
    browser = browser or find_browser()
    if browser is None:
        return (
            "no PDF: Chromium is not installed (apt-get install chromium); report.html prints to PDF from any browser"
        )
    with tempfile.TemporaryDirectory(prefix="report-chromium-") as profile:
        command = [browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"no PDF: {Path(browser).name} did not print it ({type(error).__name__})"
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return f"no PDF: {Path(browser).name} did not print it ({last[:200]})"
    return None
