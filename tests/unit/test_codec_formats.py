"""The codec's two plaintext formats: version 1 (the serialized payload, as written
before v1.2) and version 2 (a marker, then zlib). Every payload written either way opens
to exactly what was sealed, and nothing sealed is ever longer than version 1 would be."""

from __future__ import annotations

import asyncio
import json
import os
import zlib

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st
from temporalio.api.common.v1 import Payload

from mentoring_service.codec import (
    COMPRESS_FROM_BYTES,
    COMPRESSED_MARKER,
    ENCODING,
    KEY_ID_METADATA,
    NONCE_BYTES,
    EncryptionCodec,
)

KEY = bytes(range(32))


def codec() -> EncryptionCodec:
    return EncryptionCodec({"k": KEY}, "k")


def plaintext_of(sealed: Payload) -> bytes:
    nonce, body = sealed.data[:NONCE_BYTES], sealed.data[NONCE_BYTES:]
    return AESGCM(KEY).decrypt(nonce, body, b"k")


def json_payload(value: object) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(value).encode())


def test_a_pair_state_sized_payload_is_sealed_compressed_and_opens_unchanged():
    sessions = [{"number": n, "status": "planned", "location": "Raum 3.14", "uid": f"u{n}"} for n in range(26)]
    original = json_payload({"sessions": sessions, "phase": "running"})
    (sealed,) = asyncio.run(codec().encode([original]))
    plain = plaintext_of(sealed)
    assert plain.startswith(COMPRESSED_MARKER)
    assert zlib.decompress(plain[len(COMPRESSED_MARKER) :]) == original.SerializeToString()
    assert len(sealed.data) < len(original.SerializeToString()) // 2
    assert dict(sealed.metadata) == {"encoding": ENCODING, KEY_ID_METADATA: b"k"}
    assert asyncio.run(codec().decode([sealed])) == [original]


def test_a_small_payload_is_sealed_as_version_1():
    original = json_payload("p1")
    (sealed,) = asyncio.run(codec().encode([original]))
    assert plaintext_of(sealed) == original.SerializeToString()


def test_payloads_written_before_compression_still_open():
    """Version 1 exactly as v1.0 and v1.1 wrote it: nonce || AES-GCM(serialized payload)."""
    original = json_payload({"note": "x" * 4000})
    nonce = os.urandom(NONCE_BYTES)
    version_1 = Payload(
        metadata={"encoding": ENCODING, KEY_ID_METADATA: b"k"},
        data=nonce + AESGCM(KEY).encrypt(nonce, original.SerializeToString(), b"k"),
    )
    assert asyncio.run(codec().decode([version_1])) == [original]


payloads = st.builds(
    Payload,
    # Any metadata but the sealed encoding itself, which encode() passes along as it is.
    metadata=st.dictionaries(
        st.sampled_from(["encoding", "messageType", "x"]),
        st.binary(max_size=40).filter(lambda v: v != ENCODING),
        max_size=3,
    ),
    data=st.one_of(
        st.binary(max_size=2 * COMPRESS_FROM_BYTES),  # incompressible, around the threshold
        st.text(max_size=3000).map(lambda t: json.dumps({"t": t, "again": t}).encode()),  # compressible
    ),
)


@settings(max_examples=150, deadline=None)
@given(payloads)
def test_every_payload_opens_to_what_was_sealed_and_is_never_longer_than_version_1(original):
    (sealed,) = asyncio.run(codec().encode([original]))
    assert asyncio.run(codec().decode([sealed])) == [original]
    assert len(sealed.data) <= NONCE_BYTES + len(original.SerializeToString()) + 16  # 16: the GCM tag
