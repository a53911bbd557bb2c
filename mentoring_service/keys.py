"""Where the payload encryption keys come from, and the key files ``make run`` and
rotation write.

The settings (``KeySettings``, read from the environment) name them::

    MENTORING_ENCRYPTION_KEYS="k2027b:<base64 32 bytes>,k2027a:<base64 32 bytes>"
    MENTORING_ACTIVE_KEY_ID=k2027b          # optional; default: the first key listed
    MENTORING_KEY_FILE=/run/secrets/keys.json   # instead of MENTORING_ENCRYPTION_KEYS

Rotation: add a new key and make it active; keep the old ones, which still decrypt
what was written with them (histories of running programs live for months).

Key tool::

    python -m mentoring_service.keys new-key         # prints "id:base64" for MENTORING_ENCRYPTION_KEYS
    python -m mentoring_service.keys rotate var/encryption-keys.json   # adds a new active key to a key file
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import secrets
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mentoring_service.settings import KeySettings, env_var, env_vars

log = logging.getLogger(__name__)

KEY_BYTES = 32  # AES-256

ENV_KEYS = env_var(KeySettings, "encryption_keys")
ENV_ACTIVE = env_var(KeySettings, "active_key_id")
ENV_KEY_FILE = env_var(KeySettings, "key_file")
ENV_VARS = env_vars(KeySettings)

# `make run` writes its local key here; commands run from the checkout find it without settings.
LOCAL_KEY_FILE = Path(__file__).resolve().parent.parent / "var" / "encryption-keys.json"

_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class KeyConfigError(ValueError):
    """The keys are missing or malformed; the message says which and where."""


@dataclass(frozen=True)
class KeyRing:
    keys: Mapping[str, bytes]
    active_key_id: str
    source: str = "code"

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyConfigError(f"{self.source}: no keys")
        for key_id, key in self.keys.items():
            check_key_id(key_id, self.source)
            if len(key) != KEY_BYTES:
                raise KeyConfigError(
                    f"{self.source}: key {key_id!r} is {len(key)} bytes; AES-256-GCM needs {KEY_BYTES}"
                )
        if self.active_key_id not in self.keys:
            raise KeyConfigError(
                f"{self.source}: active key id {self.active_key_id!r} is not among the keys ({', '.join(self.keys)})"
            )


def check_key_id(key_id: str, source: str = "key") -> None:
    if not _KEY_ID.fullmatch(key_id):
        raise KeyConfigError(
            f"{source}: key id {key_id!r} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )


def new_key_id(prefix: str = "k") -> str:
    return f"{prefix}{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def _b64_key(text: str, key_id: str, source: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{source}: key {key_id!r} is not valid base64") from None


def parse_key_list(text: str, source: str = ENV_KEYS) -> dict[str, bytes]:
    """``id1:base64,id2:base64`` (order kept: the first is the default active key)."""
    keys: dict[str, bytes] = {}
    for number, item in enumerate(text.split(","), start=1):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        key_id = key_id.strip()
        if not sep:
            raise KeyConfigError(f"{source}: entry {number} is not 'id:base64key'")
        check_key_id(key_id, source)
        if key_id in keys:
            raise KeyConfigError(f"{source}: key id {key_id!r} appears twice")
        keys[key_id] = _b64_key(encoded, key_id, source)
    if not keys:
        raise KeyConfigError(f"{source} is set but holds no keys")
    return keys


def read_key_file(path: Path) -> KeyRing:
    """``{"active": "<id>", "keys": {"<id>": "<base64>", ...}}``"""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise KeyConfigError(f"cannot read key file {path}: {error.strerror or error}") from None
    try:
        mode = path.stat().st_mode
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("key file %s is readable by others (mode %o); chmod 600 it", path, stat.S_IMODE(mode))
    except OSError:
        pass
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise KeyConfigError(f"key file {path} is not JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict) or not isinstance(data.get("active"), str):
        raise KeyConfigError(f'key file {path} must be {{"active": "<id>", "keys": {{"<id>": "<base64>"}}}}')
    keys = {}
    for key_id, encoded in data["keys"].items():
        if not isinstance(encoded, str):
            raise KeyConfigError(f"{source}: key {key_id!r} must be a base64 string")
        check_key_id(key_id, source)
        keys[key_id] = _b64_key(encoded, key_id, source)
    return KeyRing(keys, data["active"], source)


def load_keys(settings: KeySettings | None = None) -> KeyRing:
    """The key ring the settings name (default: from the environment), in this order:

    1. ``MENTORING_ENCRYPTION_KEYS`` = ``id1:base64,id2:base64``;
    2. ``MENTORING_KEY_FILE`` = a JSON key file (``write_key_file``);
    3. ``var/encryption-keys.json`` of this checkout, which ``make run`` creates.

    ``MENTORING_ACTIVE_KEY_ID`` picks the active key (default: the first listed, or the
    file's ``active``). Setting both 1 and 2 is an error. Empty values count as unset."""
    settings = settings or KeySettings()
    listed, key_file, active = settings.encryption_keys, settings.key_file, settings.active_key_id
    if listed and key_file:
        raise KeyConfigError(f"set either {ENV_KEYS} or {ENV_KEY_FILE}, not both")
    if listed:
        keys = parse_key_list(listed)
        return KeyRing(keys, active or next(iter(keys)), ENV_KEYS)
    if key_file:
        ring = read_key_file(key_file)
    elif LOCAL_KEY_FILE.exists():
        ring = read_key_file(LOCAL_KEY_FILE)
    else:
        raise KeyConfigError(
            f"no encryption key configured: set {ENV_KEYS} (id:base64key,...; "
            f"`.venv/bin/python -m mentoring_service.keys new-key` makes one) or {ENV_KEY_FILE}. "
            "`make run` creates var/encryption-keys.json for local use."
        )
    if active:
        ring = KeyRing(ring.keys, active, f"{ring.source} with {ENV_ACTIVE}")
    return ring


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600 from the first byte, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_key_file(path: Path, ring: KeyRing) -> None:
    data = {
        "active": ring.active_key_id,
        "keys": {key_id: base64.b64encode(key).decode() for key_id, key in ring.keys.items()},
    }
    _write_private(path, json.dumps(data, indent=2) + "\n")


def ensure_key_file(path: Path) -> bool:
    """Create a key file with one fresh key unless it exists. True when it was created."""
    if path.exists():
        read_key_file(path)  # fail early and clearly on a broken file
        return False
    key_id = new_key_id("local")
    write_key_file(path, KeyRing({key_id: new_key()}, key_id, str(path)))
    return True


def rotate_key_file(path: Path) -> str:
    """Add a new key to a key file and make it active; old keys stay for decryption."""
    ring = read_key_file(path)
    key_id = new_key_id()
    while key_id in ring.keys:
        key_id = new_key_id()
    write_key_file(path, KeyRing({key_id: new_key(), **ring.keys}, key_id, str(path)))
    return key_id


def ensure_secret_file(path: Path, nbytes: int = 32) -> bool:
    """A random URL-safe token in a 0600 file (the codec server's bearer token)."""
    if path.exists():
        return False
    _write_private(path, secrets.token_urlsafe(nbytes) + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m mentoring_service.keys", description="Encryption keys for payloads."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("new-key", help=f"print a new 'id:base64key' entry for {ENV_KEYS}")
    rotate = commands.add_parser("rotate", help="add a new active key to a key file; old keys keep decrypting")
    rotate.add_argument("file", type=Path)
    create = commands.add_parser("create", help="create a key file with one key (0600) unless it exists")
    create.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "new-key":
            print(f"{new_key_id()}:{base64.b64encode(new_key()).decode()}")
        elif args.command == "rotate":
            key_id = rotate_key_file(args.file)
            print(f"{args.file}: new active key {key_id}; restart workers, starters and the codec server")
        else:
            created = ensure_key_file(args.file)
            print(f"{args.file}: {'created' if created else 'exists, left as it is'}")
    except KeyConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
