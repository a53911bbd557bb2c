"""INTAKE_AUTH and the INTAKE_OAUTH_* settings: each rule once, each refusal one line
that names the variable and never shows a value."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from mentoring_service.intake.tokens import REFRESH_MARGIN_SECONDS, refresh_margin
from mentoring_service.settings import IntakeSettings, settings_problem

SECRET = "an-app-secret-value"
OAUTH: dict[str, Any] = {
    "auth": "oauth2",
    "oauth_tenant": "contoso.onmicrosoft.com",
    "oauth_client_id": "00000000-1111-2222-3333-444444444444",
    "oauth_client_secret": SECRET,
}
GOOGLE: dict[str, Any] = {
    "auth": "oauth2",
    "oauth_provider": "google",
    "oauth_service_account_file": "/run/secrets/intake-service-account.json",
}


def problem(**values: Any) -> str | None:
    try:
        return IntakeSettings(**values).auth_problem()
    except ValidationError as error:
        return settings_problem(error)


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"password": "pw"}, None),
        ({}, "INTAKE_PASSWORD is not set"),
        (OAUTH, None),
        ({**OAUTH, "oauth_client_id": " "}, "INTAKE_AUTH=oauth2 needs INTAKE_OAUTH_CLIENT_ID (the app's client id)"),
        (
            {**OAUTH, "oauth_client_secret": ""},
            "INTAKE_AUTH=oauth2 needs INTAKE_OAUTH_CLIENT_SECRET or INTAKE_OAUTH_CLIENT_SECRET_FILE",
        ),
        (
            {**OAUTH, "oauth_client_secret_file": "/run/secrets/intake"},
            "set either INTAKE_OAUTH_CLIENT_SECRET or INTAKE_OAUTH_CLIENT_SECRET_FILE, not both",
        ),
        (
            {**OAUTH, "oauth_tenant": None},
            "INTAKE_AUTH=oauth2 needs INTAKE_OAUTH_TENANT (Microsoft 365) or INTAKE_OAUTH_TOKEN_URL",
        ),
        (
            {**OAUTH, "oauth_token_url": "https://login.example.org/token"},
            "set either INTAKE_OAUTH_TENANT or INTAKE_OAUTH_TOKEN_URL, not both",
        ),
        (
            {**OAUTH, "oauth_tenant": "contoso/../other"},
            "INTAKE_OAUTH_TENANT: Value error, a tenant is the directory id (a GUID) or a domain such as example.org",
        ),
        (
            {**OAUTH, "oauth_tenant": None, "oauth_token_url": "http://login.example.org/token"},
            "INTAKE_OAUTH_TOKEN_URL: Value error, the token endpoint must be an https:// URL",
        ),
        ({**OAUTH, "auth": "oauth"}, "INTAKE_AUTH: Input should be 'password' or 'oauth2'"),
        ({**OAUTH, "oauth_scope": ""}, "INTAKE_OAUTH_SCOPE: String should have at least 1 character"),
        (GOOGLE, None),
        (
            {**GOOGLE, "oauth_service_account_file": " "},
            "INTAKE_OAUTH_PROVIDER=google needs INTAKE_OAUTH_SERVICE_ACCOUNT_FILE (the service account's key)",
        ),
        (
            {**OAUTH, **GOOGLE},
            "INTAKE_OAUTH_PROVIDER=google takes its client from the key file: unset INTAKE_OAUTH_TENANT, "
            "INTAKE_OAUTH_CLIENT_ID, INTAKE_OAUTH_CLIENT_SECRET",
        ),
        (
            {**GOOGLE, "oauth_token_url": "https://oauth2.googleapis.com/token"},
            "INTAKE_OAUTH_PROVIDER=google takes its client from the key file: unset INTAKE_OAUTH_TOKEN_URL",
        ),
        (
            {**OAUTH, "oauth_service_account_file": "/run/secrets/sa.json"},
            "INTAKE_OAUTH_SERVICE_ACCOUNT_FILE is for INTAKE_OAUTH_PROVIDER=google",
        ),
        ({**GOOGLE, "oauth_provider": "gmail"}, "INTAKE_OAUTH_PROVIDER: Input should be 'microsoft' or 'google'"),
        ({**GOOGLE, "auth": "password", "password": "pw"}, None),
    ],
    ids=[
        "password", "no-password", "oauth2", "no-client-id", "no-secret", "two-secrets",
        "no-endpoint", "two-endpoints", "tenant", "plain-http", "auth", "scope",
        "google", "google-no-key-file", "google-with-microsofts-client", "google-with-token-url",
        "key-file-for-microsoft", "provider", "password-ignores-provider",
    ],
)  # fmt: skip
def test_each_rule_is_one_line_naming_the_variable(values: dict[str, Any], said: str | None) -> None:
    assert problem(**values) == said


def test_the_tenant_gives_microsofts_token_endpoint_and_the_scope_is_exchange_onlines() -> None:
    settings = IntakeSettings(**OAUTH)
    assert settings.token_url() == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    assert settings.oauth_scope == "https://outlook.office365.com/.default"
    assert IntakeSettings(auth="oauth2").auth.value == "oauth2"
    assert IntakeSettings().auth.value == "password"
    assert IntakeSettings().oauth_provider.value == "microsoft"  # as before Google was built


def test_a_refused_value_is_never_shown() -> None:
    with pytest.raises(ValidationError) as error:
        IntakeSettings(**{**OAUTH, "oauth_tenant": SECRET + "/x"})
    assert SECRET not in settings_problem(error.value)


@given(st.floats(min_value=1, max_value=7 * 86400))
def test_a_token_is_replaced_before_it_expires_and_not_long_before(lifetime: float) -> None:
    margin = refresh_margin(lifetime)
    assert 0 < margin <= REFRESH_MARGIN_SECONDS
    assert margin <= lifetime / 10 * (1 + 1e-9)  # a short-lived token still serves 90% of its life
