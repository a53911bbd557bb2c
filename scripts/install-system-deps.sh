#!/usr/bin/env bash
# Installs the system tools the tests need. Idempotent: does nothing when they are present.
#
#   docker-compose  Debian's 1.29 package. `docker-compose config` parses and validates
#                   docker-compose.yml without a Docker engine (tests/test_docker_compose.py).
set -euo pipefail

if command -v docker-compose >/dev/null 2>&1; then
    echo "docker-compose present: $(docker-compose version --short 2>/dev/null || echo unknown version)"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: docker-compose is missing and apt-get is not available; install docker-compose 1.29+ by hand" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "error: docker-compose is missing; run this script as root (or install sudo) to apt-get install it" >&2
        exit 1
    fi
fi

echo "Installing docker-compose with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends docker-compose

if ! command -v docker-compose >/dev/null 2>&1; then
    echo "error: apt-get finished but docker-compose is still not on PATH" >&2
    exit 1
fi
echo "docker-compose installed: $(docker-compose version --short)"
