"""Encrypted payloads: every workflow, activity, memo, summary and failure payload is
sealed with AES-256-GCM before it leaves the process, so the Temporal server, its
database and anyone reading raw history (``temporal workflow show``) see ciphertext.

One factory for every client, worker, test environment and replayer::

    from mentoring_service.codec import data_converter
    client = await Client.connect(..., data_converter=data_converter())

The keys come from the settings (``mentoring_service/keys.py``).

An encrypted payload keeps only two metadata entries in the clear: ``encoding:
binary/encrypted`` and ``encryption-key-id``. Its data is ``nonce (12 bytes) ||
AES-GCM(plaintext)``, so the original encoding and message type are sealed too. The key
id is bound as associated data. The plaintext is one of two formats:

- version 1 (written before v1.2): the serialized original Payload;
- version 2: ``b"\x00\x02" || zlib(serialized original Payload)``. A serialized Payload
  never starts with a zero byte (protobuf has no field 0), so the marker cannot be
  mistaken for version 1, and it is sealed with the rest.

Payloads whose serialized form is small, or does not shrink, are written as version 1:
compressing them would cost CPU and save nothing. Both versions always decode.

Payloads without the encrypted encoding pass through decoding untouched, so histories
recorded before encryption still replay.

Search attributes are never encrypted (the server must index them); they carry no
personal data by design (``mentoring/search_attributes.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import zlib
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticPayloadConverter, pydantic_data_converter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    EncodingPayloadConverter,
    PayloadCodec,
)

from mentoring_service.keys import ENV_KEYS, KeyRing, load_keys, new_key
from mentoring_service.settings import KeySettings

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12
COMPRESSED_MARKER = b"\x00\x02"  # plaintext version 2: zlib after this marker
# Below this a payload is sent as version 1: zlib's header and the marker would eat the gain.
COMPRESS_FROM_BYTES = 256


class UnknownKeyError(KeyError):
    """A payload was encrypted with a key id that is not configured."""

    def __init__(self, key_id: str, known: Sequence[str]) -> None:
        self.key_id = key_id
        super().__init__(
            f"payload is encrypted with key id {key_id!r}, which is not configured "
            f"(configured: {', '.join(sorted(known)) or 'none'}). Add that key to "
            f"{ENV_KEYS} or the key file; keys retired by rotation must stay as long as "
            "histories written with them exist."
        )

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0])


class DecryptionError(ValueError):
    """The ciphertext does not authenticate: wrong key bytes for this id, or tampered data."""


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over whole payloads, with the key id in the payload metadata."""

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str) -> None:
        ring = KeyRing(dict(keys), active_key_id)
        self.active_key_id = ring.active_key_id
        self.key_ids = tuple(ring.keys)
        self._ciphers = {key_id: AESGCM(key) for key_id, key in ring.keys.items()}

    @classmethod
    def from_ring(cls, ring: KeyRing) -> EncryptionCodec:
        return cls(ring.keys, ring.active_key_id)

    @classmethod
    def from_settings(cls, settings: KeySettings | None = None) -> EncryptionCodec:
        """With the keys the settings name (default: from the environment)."""
        return cls.from_ring(load_keys(settings))

    @classmethod
    def ephemeral(cls) -> EncryptionCodec:
        """A random key that lives as long as the process: for throwaway servers (previews)."""
        return cls({"ephemeral": new_key()}, "ephemeral")

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") == ENCODING:
            return payload  # already sealed (e.g. a raw payload passed along)
        key_id = self.active_key_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, _plaintext(payload), key_id.encode())
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID_METADATA: key_id.encode()},
            data=nonce + sealed,
        )

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption, or never encrypted: pass through
        raw_id = payload.metadata.get(KEY_ID_METADATA)
        if raw_id is None:
            raise DecryptionError(f"encrypted payload without {KEY_ID_METADATA} metadata")
        key_id = raw_id.decode("utf-8", errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnknownKeyError(key_id, self.key_ids)
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, key_id.encode())
        except InvalidTag:
            raise DecryptionError(
                f"payload encrypted with key id {key_id!r} does not authenticate: the configured key "
                "for that id is not the one it was written with, or the data was altered"
            ) from None
        if plain.startswith(COMPRESSED_MARKER):
            plain = zlib.decompress(plain[len(COMPRESSED_MARKER) :])
        return Payload.FromString(plain)


def _plaintext(payload: Payload) -> bytes:
    """What gets sealed: version 2 (compressed) when that is shorter, else version 1."""
    serialized = payload.SerializeToString()
    if len(serialized) < COMPRESS_FROM_BYTES:
        return serialized
    compressed = COMPRESSED_MARKER + zlib.compress(serialized)
    return compressed if len(compressed) < len(serialized) else serialized


@functools.cache
def _one_set_of_converters() -> tuple[EncodingPayloadConverter, ...]:
    return tuple(PydanticPayloadConverter().converters.values())


class SharedPydanticPayloadConverter(CompositePayloadConverter):
    """The pydantic payload converter, built once. The SDK builds a data converter, and
    so a payload converter, for each workflow activation; a new pydantic converter each
    time meant new serializers and an empty cache of pydantic type adapters, rebuilt for
    every payload read (3 % of a simulation's Python time). The converters keep no state but that
    cache, so every instance shares one set."""

    def __init__(self) -> None:
        super().__init__(*_one_set_of_converters())


def data_converter(codec: PayloadCodec | None = None) -> DataConverter:
    """The project's one data converter: pydantic JSON, then encryption.

    Without ``codec`` the keys come from the environment (``KeySettings``). Failure
    messages and stack traces are moved into an encrypted payload as well (they can
    name a recipient, e.g. an SMTP refusal)."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=SharedPydanticPayloadConverter,
        payload_codec=codec if codec is not None else EncryptionCodec.from_settings(),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
