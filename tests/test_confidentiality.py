"""Confidentiality by design: what the Temporal server, its database and anyone reading
raw history get to see.

- The codec: AES-256-GCM, key id in the metadata, rotation, pass-through of payloads
  written before encryption, clear errors.
- Where keys come from (environment, key file, make run's local file).
- The codec server: the Temporal codec-server protocol, bearer token or session cookie,
  CORS for the UI only.
- A whole pair program on the time-skipping server: its raw history holds no name, email,
  focus or location, and every payload in it is encrypted and decrypts with the key.
- A cohort on the dev server with a database file: search attributes, static summaries
  and details carry no personal data; `temporal workflow show` and the database file show
  none; the same CLI through the codec server shows it decoded.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from google.protobuf import json_format
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import History
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.worker import Replayer

from devstack.temporal_servers import (
    BIN,
    TEST_KEY_ID,
    fixed_key_codec,
    fixed_key_converter,
    start_dev_server,
    start_time_skipping,
)
from mentoring.cohort import Cadence, Cohort, Pair, Person, SessionPattern, Weekday
from mentoring.ids import TASK_QUEUE, pair_workflow_id
from mentoring.state import PairProgramInput, ProgramPhase
from mentoring_service import codec_server
from mentoring_service import keys as keys_module
from mentoring_service.cli.start import start_cohort
from mentoring_service.codec import (
    ENCODING,
    KEY_ID_METADATA,
    DecryptionError,
    EncryptionCodec,
    UnknownKeyError,
    data_converter,
)
from mentoring_service.keys import (
    KeyConfigError,
    ensure_key_file,
    ensure_secret_file,
    load_keys,
    new_key,
    read_key_file,
    rotate_key_file,
)
from mentoring_service.settings import CodecServerSettings, KeySettings
from tests import factories
from tests.smtp_server import SmtpServer
from tests.waiting import eventually
from tests.workers import running_workers
from workflows.pair import PairProgramWorkflow

# --- the people and the private program data of these tests ---------------------------------

FOCUS = "Vertrauliche Fuehrungsthemen im hybriden Vorstand"
LOCATION = "Besprechungsraum Kastanienallee 4.12"
PEOPLE = {
    "p1": (
        Person(name="Annelie Wunderlich", email="annelie.wunderlich@example.org", timezone="Europe/Berlin"),
        Person(name="Dr. Bartholomew Quennell", email="b.quennell@example.org", timezone="America/New_York"),
    ),
    "p2": (
        Person(name="Jolanda Mertensen", email="jolanda.mertensen@example.org", timezone="Europe/Berlin"),
        Person(name="Severin Hollerbach", email="severin.hollerbach@example.org", timezone="Europe/Vienna"),
    ),
}
PERSONS = [person for pair in PEOPLE.values() for person in pair]


def personal_needles(persons: list[Person] = PERSONS) -> list[str]:
    """Whole names, each name part of 4+ letters, whole emails and their local parts."""
    needles: set[str] = set()
    for person in persons:
        needles |= {person.name, person.email, person.email.split("@")[0]}
        needles |= {part for part in person.name.replace(".", " ").split() if len(part) >= 4}
    return sorted(needles, key=len, reverse=True)


PRIVATE = [*personal_needles(), FOCUS, LOCATION]


def found_in_text(text: str, needles: list[str]) -> list[str]:
    folded = text.casefold()
    return [n for n in needles if n.casefold() in folded]


def found_in_bytes(data: bytes, needles: list[str]) -> list[str]:
    # Exact bytes: a case-insensitive match of a short name against megabytes of
    # ciphertext would find one by chance now and then.
    return [n for n in needles if n.encode() in data]


def pair(pair_id: str, *, start_weekday: Weekday = Weekday.TUESDAY) -> Pair:
    mentor, mentee = PEOPLE[pair_id]
    return Pair(
        id=pair_id,
        mentor=mentor,
        mentee=mentee,
        pattern=SessionPattern(
            weekday=start_weekday,
            local_time=time(16, 0),
            length_minutes=60,
            location=LOCATION,
            timezone="Europe/Berlin",
            cadence=Cadence.BIWEEKLY,
        ),
    )


def cohort(start, cohort_id: str) -> Cohort:
    program = factories.program(start, cohort_id=cohort_id, months=4).model_copy(update={"focus": FOCUS})
    return Cohort(program=program, pairs=[pair("p1"), pair("p2")])


def plain_client(client: Client) -> Client:
    """The same connection without the codec: what anyone with server access gets."""
    config = client.config()
    config["data_converter"] = pydantic_data_converter
    return Client(**config)


def walk(message: Message, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Message]]:
    """Every message nested in ``message`` (itself included), with its field path."""
    yield path, message
    for field, value in message.ListFields():
        if field.type != field.TYPE_MESSAGE:
            continue
        if field.message_type.GetOptions().map_entry:
            if field.message_type.fields_by_name["value"].type == field.TYPE_MESSAGE:
                for key, item in value.items():
                    yield from walk(item, (*path, field.name, str(key)))
        elif isinstance(value, Message):
            yield from walk(value, (*path, field.name))
        else:
            for item in value:
                yield from walk(item, (*path, field.name))


def history_payloads(history: History) -> list[tuple[tuple[str, ...], Payload]]:
    return [(path, m) for path, m in walk(history) if isinstance(m, Payload) and "search_attributes" not in path]


# --- the codec --------------------------------------------------------------------------------


def payload(value) -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([value])[0]


async def test_payloads_are_sealed_with_the_active_key_and_open_again():
    codec = EncryptionCodec({"k1": new_key()}, "k1")
    original = payload({"name": "Annelie Wunderlich", "email": "annelie.wunderlich@example.org"})
    (sealed,) = await codec.encode([original])
    assert dict(sealed.metadata) == {"encoding": ENCODING, KEY_ID_METADATA: b"k1"}
    assert b"Annelie" not in sealed.SerializeToString() and b"json/plain" not in sealed.SerializeToString()
    (opened,) = await codec.decode([sealed])
    assert opened == original  # encoding and data both come back
    # A fresh nonce each time: equal inputs do not give equal ciphertexts.
    assert (await codec.encode([original]))[0].data != sealed.data


async def test_rotation_encrypts_with_the_new_key_and_still_decrypts_the_old():
    old_key, fresh_key = new_key(), new_key()
    before = EncryptionCodec({"2027a": old_key}, "2027a")
    (written_before,) = await before.encode([payload("Severin Hollerbach")])

    after = EncryptionCodec({"2027a": old_key, "2027b": fresh_key}, "2027b")
    (written_after,) = await after.encode([payload("Severin Hollerbach")])
    assert written_after.metadata[KEY_ID_METADATA] == b"2027b"
    assert await after.decode([written_before, written_after]) == [payload("Severin Hollerbach")] * 2

    # Once the old key is removed, what it wrote cannot be read, and the error names it.
    retired = EncryptionCodec({"2027b": fresh_key}, "2027b")
    with pytest.raises(UnknownKeyError, match="'2027a'") as raised:
        await retired.decode([written_before])
    assert raised.value.key_id == "2027a"
    assert "2027b" in str(raised.value)


async def test_unencrypted_payloads_pass_through_so_old_histories_replay():
    codec = fixed_key_codec()
    old = [payload({"a": 1}), Payload(metadata={"encoding": b"binary/null"}), payload("x")]
    assert await codec.decode(old) == old


async def test_a_wrong_key_or_altered_data_is_an_error_not_garbage():
    (sealed,) = await EncryptionCodec({"k": new_key()}, "k").encode([payload("secret")])
    with pytest.raises(DecryptionError, match="'k'"):
        await EncryptionCodec({"k": new_key()}, "k").decode([sealed])
    same_key = EncryptionCodec({"k": b"\x01" * 32}, "k")
    (sealed,) = await same_key.encode([payload("secret")])
    tampered = Payload()
    tampered.CopyFrom(sealed)
    tampered.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    with pytest.raises(DecryptionError):
        await same_key.decode([tampered])
    relabelled = Payload()
    relabelled.CopyFrom(sealed)
    relabelled.metadata[KEY_ID_METADATA] = b"other"
    with pytest.raises(UnknownKeyError, match="'other'"):
        await same_key.decode([relabelled])


async def test_failure_messages_are_encrypted_too():
    """A delivery error can name a recipient; the message must not stay in the clear."""
    converter = data_converter(fixed_key_codec())
    failure = Failure()
    await converter.encode_failure(ApplicationError("annelie.wunderlich@example.org deferred: 451 later"), failure)
    assert b"annelie" not in failure.SerializeToString()
    assert failure.encoded_attributes.metadata["encoding"] == ENCODING
    error = await converter.decode_failure(failure)
    assert "annelie.wunderlich@example.org deferred" in str(error)


def test_the_converter_is_the_pydantic_one_with_the_codec():
    converter = data_converter(fixed_key_codec())
    ours, pydantics = converter.payload_converter_class(), pydantic_data_converter.payload_converter_class()
    assert [(e, type(c)) for e, c in ours.converters.items()] == [(e, type(c)) for e, c in pydantics.converters.items()]
    # Built once: the converter the SDK builds for each workflow activation shares them.
    again = data_converter(fixed_key_codec()).payload_converter_class()
    assert all(c is again.converters[e] for e, c in ours.converters.items())
    value = {"when": datetime(2027, 2, 2, 16, tzinfo=UTC), "pair": "p1"}
    assert converter.payload_converter.to_payloads([value]) == pydantic_data_converter.payload_converter.to_payloads(
        [value]
    )
    assert isinstance(converter.payload_codec, EncryptionCodec)


def test_codec_refuses_bad_keys():
    with pytest.raises(KeyConfigError, match="16 bytes"):
        EncryptionCodec({"k": b"x" * 16}, "k")
    with pytest.raises(KeyConfigError, match="'missing'"):
        EncryptionCodec({"k": new_key()}, "missing")
    with pytest.raises(KeyConfigError, match="key id"):
        EncryptionCodec({"has space": new_key()}, "has space")


# --- where keys come from ------------------------------------------------------------------


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture
def no_local_key_file(monkeypatch, tmp_path):
    monkeypatch.setattr(keys_module, "LOCAL_KEY_FILE", tmp_path / "absent.json")


@pytest.fixture
def settings_from(monkeypatch):
    """Settings read from exactly these MENTORING_* variables, as a process started with them reads them."""

    def read(kind, environ: dict[str, str]):
        for name in (*keys_module.ENV_VARS, *codec_server.ENV_VARS):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return kind()

    return read


def test_keys_from_the_environment_first_is_active(no_local_key_file, settings_from):
    k1, k2 = new_key(), new_key()
    ring = load_keys(settings_from(KeySettings, {"MENTORING_ENCRYPTION_KEYS": f"new:{b64(k1)}, old:{b64(k2)}"}))
    assert (dict(ring.keys), ring.active_key_id) == ({"new": k1, "old": k2}, "new")
    both = {"MENTORING_ENCRYPTION_KEYS": f"new:{b64(k1)},old:{b64(k2)}", "MENTORING_ACTIVE_KEY_ID": "old"}
    ring = load_keys(settings_from(KeySettings, both))
    assert ring.active_key_id == "old"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "no encryption key configured"),
        ({"MENTORING_ENCRYPTION_KEYS": "k1"}, "not 'id:base64key'"),
        ({"MENTORING_ENCRYPTION_KEYS": "k1:not base64!"}, "'k1' is not valid base64"),
        ({"MENTORING_ENCRYPTION_KEYS": f"k1:{b64(b'short')}"}, "'k1' is 5 bytes"),
        ({"MENTORING_ENCRYPTION_KEYS": f"k1:{b64(bytes(32))},k1:{b64(bytes(32))}"}, "appears twice"),
        ({"MENTORING_ENCRYPTION_KEYS": f"k1:{b64(bytes(32))}", "MENTORING_ACTIVE_KEY_ID": "k9"}, "'k9'"),
        ({"MENTORING_ENCRYPTION_KEYS": f"k1:{b64(bytes(32))}", "MENTORING_KEY_FILE": "/x"}, "not both"),
        ({"MENTORING_KEY_FILE": "/nonexistent/keys.json"}, "cannot read key file"),
    ],
)
def test_key_configuration_errors_say_what_is_wrong(no_local_key_file, settings_from, environ, message):
    with pytest.raises(KeyConfigError, match=message):
        load_keys(settings_from(KeySettings, environ))


async def test_key_file_is_created_private_and_rotates(tmp_path, no_local_key_file, settings_from):
    path = tmp_path / "var" / "encryption-keys.json"
    assert ensure_key_file(path) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = read_key_file(path)
    assert ensure_key_file(path) is False and read_key_file(path) == first  # never replaced

    (sealed,) = await EncryptionCodec.from_ring(first).encode([payload("Jolanda Mertensen")])
    new_id = rotate_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rotated = load_keys(settings_from(KeySettings, {"MENTORING_KEY_FILE": str(path)}))
    assert rotated.active_key_id == new_id != first.active_key_id
    assert set(rotated.keys) == {first.active_key_id, new_id}
    codec = EncryptionCodec.from_ring(rotated)
    assert await codec.decode([sealed]) == [payload("Jolanda Mertensen")]
    assert (await codec.encode([payload("x")]))[0].metadata[KEY_ID_METADATA] == new_id.encode()

    token_file = tmp_path / "var" / "codec-token"
    assert ensure_secret_file(token_file) is True and ensure_secret_file(token_file) is False
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert len(token_file.read_text().strip()) >= 40


def test_make_runs_local_key_file_is_the_fallback(tmp_path, monkeypatch, settings_from):
    local = tmp_path / "encryption-keys.json"
    ensure_key_file(local)
    monkeypatch.setattr(keys_module, "LOCAL_KEY_FILE", local)
    assert load_keys(settings_from(KeySettings, {})) == read_key_file(local)
    local.write_text("{")
    with pytest.raises(KeyConfigError, match="is not JSON"):
        load_keys(settings_from(KeySettings, {}))


def test_key_tool_prints_an_entry_for_the_environment(capsys, no_local_key_file, settings_from):
    assert keys_module.main(["new-key"]) == 0
    entry = capsys.readouterr().out.strip()
    ring = load_keys(settings_from(KeySettings, {"MENTORING_ENCRYPTION_KEYS": entry}))
    assert len(ring.keys[ring.active_key_id]) == 32


# --- the codec server ------------------------------------------------------------------------

TOKEN = "codec-test-token-0123456789abcdef"
UI_ORIGIN = "http://localhost:8233"


@contextlib.asynccontextmanager
async def running_codec_server(codec: EncryptionCodec, origins=(UI_ORIGIN,), ui_url: str = ""):
    runner = web.AppRunner(codec_server.create_app(codec, [TOKEN], origins, ui_url))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def payloads_json(payloads: list[Payload]) -> str:
    return json_format.MessageToJson(Payloads(payloads=payloads))


def from_json(body: dict) -> list[Payload]:
    return list(json_format.ParseDict(body, Payloads()).payloads)


async def test_codec_server_decodes_and_encodes_for_a_bearer_token():
    codec = fixed_key_codec()
    original = [payload({"mentor": "Annelie Wunderlich"}), payload("Severin Hollerbach")]
    sealed = await codec.encode(original)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "X-Namespace": "default"}
    async with running_codec_server(codec) as url, aiohttp.ClientSession() as http:
        async with http.post(f"{url}/decode", data=payloads_json(sealed), headers=headers) as response:
            assert response.status == 200
            body = await response.json()
        # The protocol's JSON: metadata values and data in base64.
        assert set(body) == {"payloads"} and set(body["payloads"][0]) == {"metadata", "data"}
        assert base64.b64decode(body["payloads"][0]["metadata"]["encoding"]) == b"json/plain"
        assert from_json(body) == original
        async with http.post(f"{url}/decode", data='{"payloads": []}', headers=headers) as response:
            assert await response.json() == {"payloads": []}

        # Mounted under a prefix: only the last path segment counts.
        async with http.post(f"{url}/default/encode", data=payloads_json(original), headers=headers) as response:
            assert response.status == 200
            encoded = from_json(await response.json())
        assert all(p.metadata["encoding"] == ENCODING for p in encoded)
        assert await codec.decode(encoded) == original


async def test_codec_server_refuses_without_a_valid_token():
    codec = fixed_key_codec()
    sealed = await codec.encode([payload("Annelie Wunderlich")])
    async with running_codec_server(codec) as url, aiohttp.ClientSession() as http:
        for auth in (None, "Bearer wrong-token-wrong-token-wrong", f"Basic {TOKEN}", "Bearer "):
            headers = {"Content-Type": "application/json", **({"Authorization": auth} if auth else {})}
            for operation in ("decode", "encode"):
                async with http.post(f"{url}/{operation}", data=payloads_json(sealed), headers=headers) as response:
                    assert response.status == 401, (auth, operation)
                    assert response.headers["WWW-Authenticate"].startswith("Bearer")
                    body = await response.json()
                    assert "Annelie" not in json.dumps(body)
                    # Says how to get in, for whoever reads it (the CLI, a browser's network tab).
                    assert body["error"].startswith("not signed in: sign in on this server's /login page")


async def test_codec_server_cors_allows_the_ui_origin_only():
    codec = fixed_key_codec()
    sealed = await codec.encode([payload("Annelie Wunderlich")])
    async with running_codec_server(codec) as url, aiohttp.ClientSession() as http:
        preflight = {
            "Origin": UI_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
        }
        async with http.options(f"{url}/decode", headers=preflight) as response:  # no token needed
            assert response.status == 204
            assert response.headers["Access-Control-Allow-Origin"] == UI_ORIGIN
            assert response.headers["Access-Control-Allow-Credentials"] == "true"
            allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
            assert {"authorization", "content-type", "x-namespace"} <= allowed
            assert "POST" in response.headers["Access-Control-Allow-Methods"]

        async with http.options(f"{url}/decode", headers={**preflight, "Origin": "http://evil.example"}) as response:
            assert response.status == 403
            assert "Access-Control-Allow-Origin" not in response.headers

        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        async with http.post(
            f"{url}/decode", data=payloads_json(sealed), headers={**headers, "Origin": UI_ORIGIN}
        ) as response:
            assert response.status == 200
            assert response.headers["Access-Control-Allow-Origin"] == UI_ORIGIN
        # A page elsewhere gets nothing, even with a token.
        async with http.post(
            f"{url}/decode", data=payloads_json(sealed), headers={**headers, "Origin": "http://evil.example"}
        ) as response:
            assert response.status == 403
            assert "Annelie" not in await response.text()
        # A 401 to the UI still carries CORS headers, so the UI can tell what went wrong.
        async with http.post(
            f"{url}/decode",
            data=payloads_json(sealed),
            headers={"Origin": UI_ORIGIN, "Content-Type": "application/json"},
        ) as response:
            assert response.status == 401
            assert response.headers["Access-Control-Allow-Origin"] == UI_ORIGIN


async def test_codec_server_sign_in_sets_a_session_cookie_for_the_ui():
    """The UI without its own login has no token to send; it sends the cookie of /login."""
    codec = fixed_key_codec()
    sealed = await codec.encode([payload("Annelie Wunderlich")])
    async with running_codec_server(codec) as url:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            async with browser.get(f"{url}/login") as response:
                assert response.status == 200 and "<form" in await response.text()
                assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
            async with browser.post(f"{url}/login", data={"token": "wrong-token-wrong-token"}) as response:
                assert response.status == 401
                assert "Set-Cookie" not in response.headers
            async with browser.post(
                f"{url}/login", data={"token": "x"}, headers={"Origin": "http://evil.example"}
            ) as response:
                assert response.status == 403
            async with browser.post(f"{url}/login", data={"token": TOKEN}) as response:
                assert response.status == 200
                cookie = response.headers["Set-Cookie"]
                assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
            headers = {"Origin": UI_ORIGIN, "Content-Type": "application/json", "X-Namespace": "default"}
            async with browser.post(f"{url}/decode", data=payloads_json(sealed), headers=headers) as response:
                assert response.status == 200
                assert from_json(await response.json()) == [payload("Annelie Wunderlich")]
            async with browser.get(f"{url}/logout") as response:
                assert response.status == 200
            async with browser.post(f"{url}/decode", data=payloads_json(sealed), headers=headers) as response:
                assert response.status == 401


async def test_codec_server_sign_in_goes_on_to_the_ui():
    """With --ui-url, signing in leads to that page of the UI (make run's one-link sign-in)."""
    ui_url = f"{UI_ORIGIN}/namespaces/default/workflows"
    async with running_codec_server(fixed_key_codec(), ui_url=ui_url) as url:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            async with browser.get(f"{url}/login") as response:
                policy = response.headers["Content-Security-Policy"]
                page_text = await response.text()
            # The one script is the page's own, by hash; the form may go on to the UI only.
            directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
            assert directives["script-src"] == f"'sha256-{codec_server.LOGIN_SCRIPT_HASH}'"
            assert directives["form-action"] == f"'self' {UI_ORIGIN}"
            assert f"<script>{codec_server.LOGIN_SCRIPT}</script>" in page_text
            async with browser.post(f"{url}/login", data={"token": TOKEN}, allow_redirects=False) as response:
                assert response.status == 303
                assert response.headers["Location"] == ui_url
                assert "HttpOnly" in response.headers["Set-Cookie"]
            async with browser.post(
                f"{url}/login", data={"token": "wrong-token-wrong-token"}, allow_redirects=False
            ) as response:
                assert response.status == 401 and "Location" not in response.headers


async def test_codec_server_names_an_unknown_key_and_rejects_bad_bodies():
    written = await EncryptionCodec({"retired": new_key()}, "retired").encode([payload("x")])
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    async with running_codec_server(fixed_key_codec()) as url, aiohttp.ClientSession() as http:
        async with http.post(f"{url}/decode", data=payloads_json(written), headers=headers) as response:
            assert response.status == 422
            assert "'retired'" in (await response.json())["error"]
        async with http.post(f"{url}/decode", data="not json", headers=headers) as response:
            assert response.status == 400
        async with http.post(f"{url}/decode", data="{}", headers={**headers, "Content-Type": "text/plain"}) as response:
            assert response.status == 415


def test_codec_server_settings(tmp_path, settings_from):
    def tokens(environ: dict[str, str]) -> list[str]:
        return codec_server.load_tokens(settings_from(CodecServerSettings, environ))

    with pytest.raises(codec_server.ConfigError, match="no access token"):
        tokens({})
    with pytest.raises(codec_server.ConfigError, match="at least 16"):
        tokens({"MENTORING_CODEC_TOKENS": "short"})
    token_file = tmp_path / "token"
    token_file.write_text(f"# admins\n{TOKEN}\n")
    assert tokens({"MENTORING_CODEC_TOKEN_FILE": str(token_file)}) == [TOKEN]
    assert tokens({"MENTORING_CODEC_TOKENS": f"{TOKEN}, {TOKEN}x"}) == [TOKEN, f"{TOKEN}x"]
    with pytest.raises(codec_server.ConfigError, match="not both"):
        tokens({"MENTORING_CODEC_TOKENS": TOKEN, "MENTORING_CODEC_TOKEN_FILE": str(token_file)})
    no_origins = settings_from(CodecServerSettings, {})
    assert codec_server.load_origins(["http://localhost:8080/"], no_origins) == ["http://localhost:8080"]
    for bad in ("*", "localhost:8080", "http://localhost:8080/ui"):
        with pytest.raises(codec_server.ConfigError):
            codec_server.load_origins([bad], no_origins)
    # Signing in leads only to a UI the server answers: no open redirect.
    for elsewhere in ("http://evil.example/namespaces", "http://localhost:8234/", "/namespaces/default"):
        with pytest.raises(codec_server.ConfigError, match="--ui-url .* is not a page of an allowed UI origin"):
            codec_server.create_app(fixed_key_codec(), [TOKEN], [UI_ORIGIN], elsewhere)


def test_codec_server_will_not_start_without_keys_or_tokens(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MENTORING_KEY_FILE": str(tmp_path / "none.json")}
    result = subprocess.run(
        [sys.executable, "codec_server.py", "--port", "0"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "cannot read key file" in result.stderr and "Traceback" not in result.stderr


# --- a whole program: raw history ------------------------------------------------------------


async def test_raw_history_of_a_whole_program_shows_no_personal_data():
    env = await start_time_skipping()
    try:
        with SmtpServer() as smtp:
            # A refusal puts the failure path and the office notice into history too.
            mentee = PEOPLE["p1"][1]
            smtp.handler.refused[mentee.email.lower()] = "550 5.1.1 <b.quennell@example.org> No such user"
            now = await env.get_current_time()
            start = (now + timedelta(days=3)).date()
            program_input = PairProgramInput(program=cohort(start, "conf").program, pair=pair("p1"))
            workflow_id = f"pair:conf:{uuid.uuid4().hex[:8]}"
            async with running_workers(env.client, smtp.port, "Mentoring <m@example.org>"):
                result = await env.client.execute_workflow(
                    PairProgramWorkflow.run, program_input, id=workflow_id, task_queue=TASK_QUEUE
                )
            assert result.phase == ProgramPhase.COMPLETED and result.messages_failed > 0
            assert smtp.handler.received  # mail did go out, with the names in it

            # Anyone with access to the server: a client without the codec.
            outsider = plain_client(env.client)
            history = await outsider.get_workflow_handle(workflow_id).fetch_history()
            raw = History(events=history.events)
            raw_bytes = raw.SerializeToString()
            assert len(history.events) > 100
            assert found_in_bytes(raw_bytes, PRIVATE) == []
            assert found_in_text(history.to_json(), PRIVATE) == []
            # ... nor can it read the result.
            with pytest.raises(Exception, match="encrypted|encoding"):
                await outsider.get_workflow_handle_for(PairProgramWorkflow.run, workflow_id).result()

            # Every payload but the search attributes is sealed with the test key ...
            payloads = history_payloads(raw)
            assert len(payloads) > 50
            # The SDK core writes version markers itself; they hold a patch id, never anyone's data.
            payloads = [(path, p) for path, p in payloads if "patch-data" not in path]
            unsealed = [path for path, p in payloads if p.metadata.get("encoding") != ENCODING]
            assert unsealed == []
            assert {p.metadata[KEY_ID_METADATA] for _, p in payloads} == {TEST_KEY_ID.encode()}
            # ... and failures keep no message in the clear.
            failures = [m for _, m in walk(raw) if isinstance(m, Failure)]
            assert all(f.message in ("", "Encoded failure") for f in failures)

            # With the key, the same history holds all of it: the check above looks at real data.
            opened = await fixed_key_codec().decode([p for _, p in payloads])
            plain = b"\n".join(p.data for p in opened)
            people = [PEOPLE["p1"][0].name, PEOPLE["p1"][0].email, mentee.name, mentee.email]
            assert found_in_bytes(plain, [*people, FOCUS, LOCATION]) == [*people, FOCUS, LOCATION]

            # An encrypted history replays with the key, as tests/test_replay.py does with recorded ones.
            replayer = Replayer(workflows=[PairProgramWorkflow], data_converter=fixed_key_converter())
            await replayer.replay_workflow(WorkflowHistory.from_json(workflow_id, history.to_json()))
    finally:
        await env.shutdown()


# --- a cohort on the dev server: visibility, the CLI, the database file ----------------------


def cli_payloads(node, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], bytes, bytes]]:
    """(path, encoding, data) of every payload in the JSON of `temporal workflow show`."""
    if isinstance(node, dict):
        metadata = node.get("metadata")
        if isinstance(metadata, dict) and "encoding" in metadata:
            yield path, base64.b64decode(metadata["encoding"]), base64.b64decode(node.get("data", ""))
            return
        for key, value in node.items():
            yield from cli_payloads(value, (*path, key))
    elif isinstance(node, list):
        for value in node:
            yield from cli_payloads(value, path)


async def temporal_cli(*args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run, [str(BIN / "temporal"), *args], capture_output=True, text=True, timeout=60
    )


async def test_dev_server_visibility_cli_and_database_hold_no_personal_data(tmp_path):
    database = tmp_path / "temporal.db"
    env = await start_dev_server("--db-filename", str(database))
    client = env.client
    address = client.service_client.config.target_host
    pair_ids = [pair_workflow_id("conf", p) for p in PEOPLE]
    try:
        with SmtpServer() as smtp:
            async with running_workers(client, smtp.port, rate=100):
                handle, started = await start_cohort(client, cohort(datetime.now(UTC).date(), "conf"))
                assert started

                async def kickoff_visible():
                    if len(smtp.handler.received) < 8:  # welcome and first invite, both people, both pairs
                        return False
                    listed = [w async for w in client.list_workflows("CohortId='conf' AND ProgramPhase='kickoff'")]
                    return len(listed) == 2

                assert await eventually(kickoff_visible)

                # Search attributes: ids, phase, counts and dates, nothing personal.
                listed = [w async for w in client.list_workflows("CohortId='conf'")]
                assert sorted(w.id for w in listed) == sorted([handle.id, *pair_ids])
                for execution in listed:
                    values = [str(v) for v in execution.search_attributes.values()]
                    values += [f"{pair.key.name}={pair.value}" for pair in execution.typed_search_attributes]
                    assert any("conf" in v for v in values)
                    assert found_in_text(" | ".join(values), personal_needles()) == [], execution.id

                    # Static summary and details (decrypted by our client) name nobody either.
                    description = await client.get_workflow_handle(execution.id).describe()
                    summary, details = await description.static_summary(), await description.static_details()
                    assert summary and details
                    assert found_in_text(f"{summary}\n{details}", personal_needles()) == [], execution.id
                    memo = await description.memo()
                    assert found_in_text(json.dumps(memo, default=str), personal_needles()) == []

                async def current_details() -> list[str] | None:
                    # The line is set once the pair waits for its next item, a moment after the
                    # kickoff's messages are out.
                    lines = []
                    for workflow_id in pair_ids:
                        metadata = await client.get_workflow_handle(workflow_id).query(
                            "__temporal_workflow_metadata", result_type=WorkflowMetadata
                        )
                        lines.append(metadata.current_details)
                    return lines if all(lines) else None

                details_lines = await eventually(current_details)
                assert details_lines and len(details_lines) == 2
                for line in details_lines:
                    assert found_in_text(line, personal_needles()) == []

                # `temporal workflow show`, as anyone with access to the server would run it.
                shown = await temporal_cli(
                    "workflow", "show", "--address", address, "-w", pair_ids[0], "--output", "json"
                )
                assert shown.returncode == 0, shown.stderr
                assert found_in_text(shown.stdout, PRIVATE) == []
                # Payload data is base64 in that JSON: look inside as well.
                shown_payloads = list(cli_payloads(json.loads(shown.stdout)))
                assert len(shown_payloads) > 10
                # Plain by design: search attributes (the server indexes them) and the SDK's patch
                # markers, which hold only the name of a code change (``workflow.patched``).
                encrypted = [
                    (p, e) for p, e, _ in shown_payloads if "searchAttributes" not in p and "patch-data" not in p
                ]
                assert {encoding for _, encoding in encrypted} == {ENCODING}
                patches = [json.loads(data) for path, _, data in shown_payloads if "patch-data" in path]
                # (v1.0.0 carries no patch; any later one holds nothing but its name.)
                assert all(set(p) == {"id", "deprecated"} for p in patches), patches
                assert found_in_bytes(b"\n".join(data for *_, data in shown_payloads), PRIVATE) == []

                # An authorised admin with the codec server sees it all, a wrong token nothing.
                async with running_codec_server(fixed_key_codec()) as codec_url:
                    decoded = await temporal_cli(
                        "workflow", "show", "--address", address, "-w", pair_ids[0], "--output", "json",
                        "--codec-endpoint", codec_url, "--codec-auth", f"Bearer {TOKEN}",
                    )  # fmt: skip
                    assert decoded.returncode == 0, decoded.stderr
                    opened = b"\n".join(data for _, _, data in cli_payloads(json.loads(decoded.stdout)))
                    assert found_in_bytes(opened, [PEOPLE["p1"][0].name, PEOPLE["p1"][0].email, FOCUS, LOCATION])
                    # Refused by the codec server, the CLI tries again until its deadline (10 s
                    # by default); a shorter one ends it with the same refusal.
                    refused = await temporal_cli(
                        "workflow", "show", "--address", address, "-w", pair_ids[0], "--output", "json",
                        "--codec-endpoint", codec_url, "--codec-auth", "Bearer not-the-token-not-the-token",
                        "--command-timeout", "2s",
                    )  # fmt: skip
                    assert refused.returncode != 0
                    assert found_in_text(refused.stdout + refused.stderr, PRIVATE) == []
    finally:
        await env.shutdown()

    # The database file, as a backup or a stolen disk would show it.
    files = sorted(tmp_path.glob("temporal.db*"))
    stored = b"".join(f.read_bytes() for f in files)
    # History events are stored as they are: the ids and the activity types are readable,
    # and without the codec every name, email, focus and location is too (checked by hand
    # with pydantic_data_converter: all of PRIVATE turns up).
    assert b"pair:conf:p1" in stored and b"deliver_message" in stored
    assert found_in_bytes(stored, PRIVATE) == []
