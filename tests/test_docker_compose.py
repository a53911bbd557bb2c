"""docker-compose.yml and the worker's Dockerfile, checked without a Docker engine.

`docker-compose config` (Debian's docker-compose 1.29, installed by
scripts/install-system-deps.sh) parses and validates the file; the rest are our own
checks of what must agree between the compose file and the code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from devstack import ui_gateway
from mentoring import search_attributes
from mentoring_service import codec_server, keys
from mentoring_service.settings import (
    CodecServerSettings,
    IntakeSettings,
    MailSettings,
    ResponseSiteSettings,
    WorkerSettings,
    env_var,
    env_vars,
    settings_problem,
)

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SITE = "responses"  # the response site's service
INTAKE = "intake"  # the intake: calendar replies from the office's mailbox
PUBLIC_URL = env_var(ResponseSiteSettings, "public_url")

# temporalio.envconfig's environment variables (sdk-core crates/common/src/envconfig.rs).
ENVCONFIG_VARS = {
    "TEMPORAL_CONFIG_FILE",
    "TEMPORAL_PROFILE",
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_API_KEY",
    "TEMPORAL_TLS",
    "TEMPORAL_TLS_CLIENT_CERT_PATH",
    "TEMPORAL_TLS_CLIENT_CERT_DATA",
    "TEMPORAL_TLS_CLIENT_KEY_PATH",
    "TEMPORAL_TLS_CLIENT_KEY_DATA",
    "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
    "TEMPORAL_TLS_SERVER_CA_CERT_DATA",
    "TEMPORAL_TLS_SERVER_NAME",
    "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION",
    "TEMPORAL_CODEC_ENDPOINT",
    "TEMPORAL_CODEC_AUTH",
}
# `temporal operator search-attribute create --type` spelling of each indexed type.
CLI_TYPE = {
    "TEXT": "Text",
    "KEYWORD": "Keyword",
    "INT": "Int",
    "DOUBLE": "Double",
    "BOOL": "Bool",
    "DATETIME": "Datetime",
    "KEYWORD_LIST": "KeywordList",
}


# --- helpers ------------------------------------------------------------------


def docker_compose(*args: str, cwd: Path = ROOT, **extra_env: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.fail("docker-compose is not installed: run `bash scripts/install-system-deps.sh` (as root)")
    # A clean environment: nothing from the caller's shell may change what is validated.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **extra_env}
    return subprocess.run([exe, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def depends_on(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def ports(service: dict) -> list[tuple[int, int]]:
    """(published, target) pairs of a service."""
    result = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            result.append((int(port["published"]), int(port["target"])))
        else:
            published, target = str(port).split("/")[0].rsplit(":", 2)[-2:]
            result.append((int(published), int(target)))
    return result


def service_by_image(services: dict, image_prefix: str) -> str:
    names = [n for n, s in services.items() if str(s.get("image", "")).startswith(image_prefix)]
    assert len(names) == 1, f"expected one service running {image_prefix}, found {names}"
    return names[0]


@pytest.fixture(scope="module")
def services() -> dict[str, dict]:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


# --- docker-compose itself -----------------------------------------------------


def test_docker_compose_config_accepts_the_file() -> None:
    result = docker_compose("-f", str(COMPOSE_FILE), "config")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "worker:" in result.stdout


def test_docker_compose_config_rejects_an_undefined_dependency(tmp_path: Path) -> None:
    """The check above can fail: a depends_on naming no service is an error."""
    broken = yaml.safe_load(COMPOSE_FILE.read_text())
    broken["services"]["worker"]["depends_on"]["no-such-service"] = {"condition": "service_started"}
    (tmp_path / "docker-compose.yml").write_text(yaml.safe_dump(broken, sort_keys=False))
    (tmp_path / "Dockerfile").write_text(DOCKERFILE.read_text())

    result = docker_compose("-f", "docker-compose.yml", "config", cwd=tmp_path)
    assert result.returncode != 0
    assert "no-such-service" in result.stderr


# --- our own checks --------------------------------------------------------------


def test_every_dependency_is_a_defined_service(services: dict) -> None:
    for name, service in services.items():
        for dependency in depends_on(service):
            assert dependency in services, f"{name} depends on undefined service {dependency}"


def test_published_ports_are_unique_and_expected(services: dict) -> None:
    published = [p for service in services.values() for p, _ in ports(service)]
    assert len(published) == len(set(published)), f"a host port is published twice: {published}"
    assert sorted(published) == [1025, 7233, 8025, 8080, 8081, 8090]

    assert ports(services[service_by_image(services, "temporalio/server:")]) == [(7233, 7233)]
    assert ports(services[service_by_image(services, "temporalio/ui:")]) == [(8080, 8080)]
    assert sorted(ports(services[service_by_image(services, "axllent/mailpit:")])) == [(1025, 1025), (8025, 8025)]


def test_images_are_pinned(services: dict) -> None:
    for name, service in services.items():
        if "build" in service:
            continue
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin {image} to a version"


def test_worker_reaches_temporal_and_mailpit(services: dict) -> None:
    worker = environment(services["worker"])
    temporal = service_by_image(services, "temporalio/server:")
    mailpit = service_by_image(services, "axllent/mailpit:")
    temporal_grpc = 7233  # the frontend's port inside the container
    mailpit_smtp = 1025  # Mailpit's SMTP port inside the container (MP_SMTP_BIND_ADDR not changed)

    assert temporal_grpc in [target for _, target in ports(services[temporal])]
    assert mailpit_smtp in [target for _, target in ports(services[mailpit])]
    assert "MP_SMTP_BIND_ADDR" not in environment(services[mailpit])

    assert worker["TEMPORAL_ADDRESS"] == f"{temporal}:{temporal_grpc}"
    assert worker["SMTP_HOST"] == mailpit
    assert int(worker["SMTP_PORT"]) == mailpit_smtp
    assert environment(services[service_by_image(services, "temporalio/ui:")])["TEMPORAL_ADDRESS"] == (
        f"{temporal}:{temporal_grpc}"
    )


def test_worker_gets_only_settings_the_code_reads(services: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    known = (
        {f.upper() for f in (*MailSettings.model_fields, *WorkerSettings.model_fields)}
        | ENVCONFIG_VARS
        | set(keys.ENV_VARS)
        | {PUBLIC_URL}  # to write the links; the rest of the site's settings are the site's
    )
    worker = environment(services["worker"])
    unknown = sorted(k for k in worker if k not in known and not k.startswith("TEMPORAL_GRPC_META_"))
    assert unknown == [], f"the worker reads none of {unknown}"

    # And the values parse the way the worker will parse them.
    for key in known:
        monkeypatch.delenv(key, raising=False)
    for key, value in worker.items():
        monkeypatch.setenv(key, value)
    mail = MailSettings()
    assert (mail.smtp_host, mail.smtp_port, mail.smtp_tls.value) == ("mailpit", 1025, "none")
    WorkerSettings()


def test_worker_starts_after_setup_and_mailpit(services: dict) -> None:
    setup = "temporal-setup"
    assert depends_on(services["worker"]) == {
        setup: "service_completed_successfully",
        service_by_image(services, "axllent/mailpit:"): "service_started",
        # The delivery ledger lives in PostgreSQL.
        service_by_image(services, "postgres:"): "service_healthy",
    }
    assert services[setup]["image"].startswith("temporalio/admin-tools:")
    # The server only starts on a database whose schema the one-shot schema job prepared.
    temporal = services[service_by_image(services, "temporalio/server:")]
    assert depends_on(temporal) == {"temporal-schema": "service_completed_successfully"}


def test_setup_registers_exactly_the_search_attributes_of_the_code(services: dict) -> None:
    script = "\n".join(services["temporal-setup"]["command"])
    registered = re.findall(r"^\s*add (\w+) (\w+)\s*$", script, flags=re.MULTILINE)
    expected = [(key.name, CLI_TYPE[key.indexed_value_type.name]) for key in search_attributes.ALL]
    assert sorted(registered) == sorted(expected)
    assert len(registered) == len(set(registered))
    # ... and the dev server used by `make run` is given the same ones.
    flags = search_attributes.dev_server_flags()
    assert sorted(flags[1::2]) == sorted(f"{name}={kind}" for name, kind in expected)


def test_dockerfile_builds_the_project_and_runs_the_worker(services: dict) -> None:
    assert services["worker"]["build"] in (".", {"context": "."})
    text = DOCKERFILE.read_text()
    instructions = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert re.match(r"FROM python:3\.11-slim", instructions[0])
    assert any(re.search(r"\bpip install \.(\s|$)", line) for line in instructions)
    cmd = [line for line in instructions if line.startswith("CMD ")][-1]
    assert cmd == 'CMD ["python", "worker.py"]'


# --- encryption and the codec server -------------------------------------------------------


def codec_service(services: dict) -> str:
    names = [n for n, s in services.items() if "codec_server.py" in " ".join(map(str, s.get("command") or []))]
    assert len(names) == 1, f"expected one service running codec_server.py, found {names}"
    return names[0]


def test_worker_and_codec_server_take_the_same_keys_from_outside_the_file(services: dict) -> None:
    """All read the keys from the environment of `docker-compose up` (.env), none is written
    here. The response site derives its link signing keys from them, so it must have the
    worker's: otherwise no link the worker writes would open."""
    for name in ("worker", SITE, INTAKE, codec_service(services)):
        env = environment(services[name])
        assert env[keys.ENV_KEYS] == "${MENTORING_ENCRYPTION_KEYS:-}", name
        assert env[keys.ENV_ACTIVE] == "${MENTORING_ACTIVE_KEY_ID:-}", name
        assert keys.ENV_KEY_FILE not in env, name
    # Neither the worker nor the site ever needs the codec server's tokens.
    assert not set(codec_server.ENV_VARS) & set(environment(services["worker"]))
    assert not set(codec_server.ENV_VARS) & set(environment(services[SITE]))
    assert not set(codec_server.ENV_VARS) & set(environment(services[INTAKE]))


def test_codec_server_runs_from_the_project_image_and_reads_only_its_settings(services: dict) -> None:
    name = codec_service(services)
    service = services[name]
    assert service["build"] in (".", {"context": "."})
    assert service["image"] == services["worker"]["image"]
    command = [str(part) for part in service["command"]]
    assert command[:2] == ["python", "codec_server.py"]
    port = int(command[command.index("--port") + 1])
    assert command[command.index("--host") + 1] == "0.0.0.0"  # reachable through the published port
    assert ports(service) == [(port, port)]
    env = environment(service)
    assert sorted(env) == sorted([keys.ENV_KEYS, keys.ENV_ACTIVE, codec_server.ENV_TOKENS, codec_server.ENV_ORIGINS])
    assert env[codec_server.ENV_TOKENS] == "${MENTORING_CODEC_TOKENS:-}"
    assert depends_on(service) == {}


def test_ui_points_the_browser_at_the_codec_server_and_the_server_allows_the_ui(services: dict) -> None:
    ui_name = service_by_image(services, "temporalio/ui:")
    ui = environment(services[ui_name])
    codec_name = codec_service(services)
    ((published, _),) = ports(services[codec_name])
    # The browser, not the UI container, calls the codec server: a host address, not a service name.
    assert ui["TEMPORAL_CODEC_ENDPOINT"] == f"http://localhost:{published}"
    assert ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"  # the session cookie of /login
    assert ui.get("TEMPORAL_CODEC_PASS_ACCESS_TOKEN", "false") == "false"  # the UI has no login of its own
    ((ui_port, _),) = ports(services[ui_name])
    origins = environment(services[codec_name])[codec_server.ENV_ORIGINS]
    allowed = codec_server.load_origins(settings=CodecServerSettings(codec_origins=origins))
    assert allowed == [f"http://localhost:{ui_port}"]
    # A failed decode says "sign in" and links to the sign-in page, as make run's UI does;
    # signing in there goes on to the UI.
    assert ui["TEMPORAL_CODEC_DEFAULT_ERROR_MESSAGE"] == ui_gateway.SIGN_IN_MESSAGE
    assert ui["TEMPORAL_CODEC_DEFAULT_ERROR_LINK"] == f"http://localhost:{published}/login"
    command = [str(part) for part in services[codec_name]["command"]]
    assert command[command.index("--ui-url") + 1] == f"http://localhost:{ui_port}/namespaces/default/workflows"
    codec_server.ui_origin(command[command.index("--ui-url") + 1], allowed)


def test_the_sign_in_message_survives_the_ui_images_config_template() -> None:
    # temporalio/ui writes `defaultErrorMessage: {{ env "TEMPORAL_CODEC_DEFAULT_ERROR_MESSAGE" }}`
    # into its YAML config unquoted, so the message must be a plain YAML scalar.
    rendered = yaml.safe_load(f"defaultErrorMessage: {ui_gateway.SIGN_IN_MESSAGE}")
    assert rendered == {"defaultErrorMessage": ui_gateway.SIGN_IN_MESSAGE}


def test_every_worker_shares_one_postgresql_delivery_ledger(services: dict) -> None:
    url = services["worker"]["environment"]["DELIVERY_LEDGER_URL"]
    database = services["postgresql"]["environment"]["POSTGRES_DB"]
    assert url == f"postgresql://temporal:${{POSTGRES_PASSWORD:-temporal}}@postgresql:5432/{database}"
    assert services["worker"]["depends_on"]["postgresql"] == {"condition": "service_healthy"}


# --- the response site ----------------------------------------------------------------


def test_response_site_runs_from_the_project_image_on_its_published_port(services: dict) -> None:
    site = services[SITE]
    assert site["build"] in (".", {"context": "."})
    assert site["image"] == services["worker"]["image"]
    assert [str(part) for part in site["command"]] == ["python", "response_site.py"]
    assert (ROOT / "response_site.py").is_file()
    env = environment(site)
    port = int(env[env_var(ResponseSiteSettings, "port")])
    assert ports(site) == [(port, port)]
    assert env[env_var(ResponseSiteSettings, "host")] == "0.0.0.0"  # reachable through the published port
    # It answers through Temporal (the setup job has made the namespace) and mails journal entries.
    assert depends_on(site) == {
        "temporal-setup": "service_completed_successfully",
        service_by_image(services, "axllent/mailpit:"): "service_started",
    }


def test_response_site_reaches_what_the_worker_reaches_and_reads_only_its_settings(
    services: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, worker = environment(services[SITE]), environment(services["worker"])
    mail = {env_var(MailSettings, f) for f in ("smtp_host", "smtp_port", "smtp_tls", "mail_from")}
    known = set(env_vars(MailSettings)) | set(env_vars(ResponseSiteSettings)) | ENVCONFIG_VARS | set(keys.ENV_VARS)
    assert sorted(k for k in site if k not in known) == [], "the site reads none of these"
    # The same Temporal, the same mail relay and sender as the worker.
    for key in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", *sorted(mail)):
        assert site[key] == worker[key], key

    for key in known:
        monkeypatch.delenv(key, raising=False)
    for key, value in site.items():
        if not value.startswith("${"):  # the public URL comes from .env, checked below
            monkeypatch.setenv(key, value)
    settings = ResponseSiteSettings()
    assert (settings.host, settings.port) == ("0.0.0.0", ports(services[SITE])[0][1])
    assert (MailSettings().smtp_host, MailSettings().smtp_port) == ("mailpit", 1025)


@pytest.mark.parametrize("from_env", [None, "https://answers.example.org"])
def test_worker_writes_links_to_the_sites_public_url(from_env: str | None) -> None:
    """As `docker-compose up` resolves the file: without RESPONSE_SITE_PUBLIC_URL in .env,
    the links point at the published port on localhost; with it, worker and site both take it."""
    extra = {PUBLIC_URL: from_env} if from_env else {}
    result = docker_compose("-f", str(COMPOSE_FILE), "config", **extra)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    ((published, _),) = ports(resolved[SITE])
    expected = from_env or f"http://localhost:{published}"
    assert environment(resolved["worker"])[PUBLIC_URL] == expected
    assert environment(resolved[SITE])[PUBLIC_URL] == expected


# --- the intake -------------------------------------------------------------------------


def compose_config_with(tmp_path: Path, dotenv: str) -> dict[str, dict]:
    """The services as `docker-compose up` resolves them in a checkout with this .env."""
    (tmp_path / "docker-compose.yml").write_text(COMPOSE_FILE.read_text())
    (tmp_path / "Dockerfile").write_text(DOCKERFILE.read_text())
    (tmp_path / ".env").write_text(dotenv)
    result = docker_compose("-f", "docker-compose.yml", "config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def as_the_intake_sees_it(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """This process's environment becomes exactly what compose gives the intake."""
    for key in env_vars(IntakeSettings):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_intake_runs_from_the_project_image_after_setup_and_reads_only_its_settings(services: dict) -> None:
    intake = services[INTAKE]
    assert intake["build"] in (".", {"context": "."})
    assert intake["image"] == services["worker"]["image"]
    assert [str(part) for part in intake["command"]] == ["python", "intake.py"]
    assert (ROOT / "intake.py").is_file()
    assert intake["restart"] == services["worker"]["restart"] == services[SITE]["restart"] == "unless-stopped"
    assert ports(intake) == []  # it reaches out to the mailbox; nothing reaches in
    # It hands replies to the pairs with updates, in the namespace the setup job made
    # (after the Temporal server it waits for); it sends no mail.
    assert depends_on(intake) == {"temporal-setup": "service_completed_successfully"}
    assert depends_on(services["temporal-setup"]) == {
        service_by_image(services, "temporalio/server:"): "service_started"
    }
    env, worker = environment(intake), environment(services["worker"])
    known = set(env_vars(IntakeSettings)) | ENVCONFIG_VARS | set(keys.ENV_VARS)
    assert sorted(k for k in env if k not in known) == [], "the intake reads none of these"
    assert not [k for k in env if k.startswith("SMTP_")]
    for key in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE"):
        assert env[key] == worker[key], key


def test_intake_runs_only_with_its_profile(services: dict) -> None:
    """Without a mailbox in .env it could not start, so `docker-compose up` leaves it out
    unless the profile is asked for; every other service runs always."""
    assert services[INTAKE]["profiles"] == ["intake"]
    assert [name for name, service in services.items() if "profiles" in service] == [INTAKE]
    assert "--profile intake" in COMPOSE_FILE.read_text()


@pytest.mark.parametrize(
    ("dotenv", "expected"),
    [
        (
            "INTAKE_HOST=imap.example.org\nINTAKE_USER=mentoring@example.org\nINTAKE_PASSWORD=app-pass-word\n",
            ("imap.example.org", 993, "tls", "mentoring@example.org", "app-pass-word", "INBOX"),
        ),
        (
            "INTAKE_HOST=mail.example.org\nINTAKE_PORT=143\nINTAKE_TLS=starttls\nINTAKE_USER=office\n"
            "INTAKE_PASSWORD=secret\nINTAKE_FOLDER=Calendar replies\n",
            ("mail.example.org", 143, "starttls", "office", "secret", "Calendar replies"),
        ),
    ],
    ids=["implicit-tls", "starttls"],
)
def test_intake_reads_the_mailbox_that_env_file_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dotenv: str, expected: tuple
) -> None:
    """The office's mailbox comes from .env, as the keys do; unnamed, TLS on 993."""
    env = environment(compose_config_with(tmp_path, dotenv)[INTAKE])
    as_the_intake_sees_it(monkeypatch, env)
    settings = IntakeSettings()
    assert (settings.host, settings.port, settings.tls.value, settings.user, settings.password, settings.folder) == (
        expected
    )
    assert settings.folders_problem() is None


def test_intake_signs_in_to_microsoft_365_with_what_env_file_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """INTAKE_AUTH=oauth2 and the app's id, tenant and secret from .env reach the intake;
    unnamed, the scope is Exchange Online's and the sign-in a password, as in the code."""
    dotenv = (
        "INTAKE_HOST=outlook.office365.com\nINTAKE_USER=mentoring@contoso.com\nINTAKE_AUTH=oauth2\n"
        "INTAKE_OAUTH_TENANT=contoso.onmicrosoft.com\nINTAKE_OAUTH_CLIENT_ID=app-id\n"
        "INTAKE_OAUTH_CLIENT_SECRET=app-secret\n"
    )
    microsoft = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    for text, auth in ((dotenv, "oauth2"), ("INTAKE_HOST=h\nINTAKE_USER=u\nINTAKE_PASSWORD=p\n", "password")):
        env = environment(compose_config_with(tmp_path, text)[INTAKE])
        as_the_intake_sees_it(monkeypatch, env)
        settings = IntakeSettings()
        assert (settings.auth.value, settings.auth_problem()) == (auth, None)
        assert settings.oauth_scope == IntakeSettings.model_fields["oauth_scope"].default
        if auth == "oauth2":
            assert settings.token_url() == microsoft
            assert (settings.oauth_client_id, settings.oauth_client_secret) == ("app-id", "app-secret")
        else:
            assert settings.oauth_tenant is settings.oauth_client_id is settings.oauth_client_secret is None


def test_intake_signs_in_to_google_workspace_with_the_key_file_env_file_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """INTAKE_OAUTH_PROVIDER=google and the key file's path in the container reach the
    intake; unnamed, the provider is Microsoft, as in the code."""
    key_file = "/run/secrets/intake-service-account.json"
    dotenv = (
        "INTAKE_HOST=imap.gmail.com\nINTAKE_USER=mentoring@example.org\nINTAKE_AUTH=oauth2\n"
        f"INTAKE_OAUTH_PROVIDER=google\nINTAKE_OAUTH_SERVICE_ACCOUNT_FILE={key_file}\n"
    )
    for text, provider in ((dotenv, "google"), ("INTAKE_HOST=h\nINTAKE_USER=u\nINTAKE_PASSWORD=p\n", "microsoft")):
        env = environment(compose_config_with(tmp_path, text)[INTAKE])
        as_the_intake_sees_it(monkeypatch, env)
        settings = IntakeSettings()
        assert (settings.oauth_provider.value, settings.auth_problem()) == (provider, None)
        assert settings.oauth_provider == IntakeSettings.model_fields["oauth_provider"].default or provider == "google"
        expected = Path(key_file) if provider == "google" else None
        assert settings.oauth_service_account_file == expected


def test_intake_without_a_mailbox_in_env_file_says_which_setting_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = environment(compose_config_with(tmp_path, "")[INTAKE])
    assert env["INTAKE_HOST"] == "" and env["INTAKE_TLS"] == "tls"  # never plaintext unless asked
    as_the_intake_sees_it(monkeypatch, env)
    with pytest.raises(ValidationError) as error:
        IntakeSettings()
    assert settings_problem(error.value) == (
        "INTAKE_HOST: String should have at least 1 character; INTAKE_USER: String should have at least 1 character"
    )


def test_intake_keeps_its_ledger_on_a_volume_its_user_can_write(services: dict) -> None:
    """A new container (an upgrade, a `docker-compose up` after a change) must not hand a
    reply on twice, so the ledger outlives the container."""
    volumes = yaml.safe_load(COMPOSE_FILE.read_text())["volumes"]
    ((volume, mount),) = [entry.split(":") for entry in services[INTAKE]["volumes"]]
    assert volume in volumes  # a named volume
    url = environment(services[INTAKE])["INTAKE_LEDGER_URL"]
    assert url.startswith("sqlite:///") and Path(url.removeprefix("sqlite:///")).parent == Path(mount)
    # The image makes the mount point for the user its services run as, and Docker gives
    # a new named volume that owner: otherwise the intake could not create the ledger.
    instructions = [line.strip() for line in DOCKERFILE.read_text().splitlines() if line.strip()]
    user = [line for line in instructions if line.startswith("USER ")][-1].split()[1]
    assert any(re.search(rf"\binstall -d -o {user} -m 0700 {re.escape(mount)}$", line) for line in instructions)
