#!/usr/bin/env bash
# Installs the system packages the tests need. Idempotent: installs only what is missing,
# and does nothing (no apt-get update either) when everything is present.
#
#   docker-compose  Debian's 1.29 package. `docker-compose config` parses and validates
#                   docker-compose.yml without a Docker engine (tests/test_docker_compose.py).
#   chromium        the browser of tests/test_admin_ui.py, driven by Playwright at
#                   /usr/bin/chromium (`playwright install` would download one; never run it).
#   dovecot-imapd   a real IMAP server for tests that read mailboxes.
set -euo pipefail

PACKAGES=(docker-compose chromium dovecot-imapd)

# What the tests use of each package, so a copy installed some other way counts too.
installed() {
    case "$1" in
        docker-compose) command -v docker-compose >/dev/null 2>&1 ;;
        chromium) [ -x /usr/bin/chromium ] ;;
        dovecot-imapd) [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ] ;;
    esac
}

missing=()
for package in "${PACKAGES[@]}"; do
    if installed "$package"; then
        echo "$package present"
    else
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: ${missing[*]} missing and apt-get is not available; install them by hand" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "error: ${missing[*]} missing; run this script as root (or install sudo) to apt-get install them" >&2
        exit 1
    fi
fi

echo "Installing ${missing[*]} with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"

for package in "${missing[@]}"; do
    if ! installed "$package"; then
        echo "error: apt-get finished but $package is still not usable (see the checks in $0)" >&2
        exit 1
    fi
done
echo "installed: ${missing[*]}"
