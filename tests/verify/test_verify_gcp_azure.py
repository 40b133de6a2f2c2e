"""GCP service-account keys (signed-JWT token exchange, then tokeninfo) and Entra ID (Azure AD) client
secrets (client credentials grant), each against a loopback stand-in serving the documented shapes,
pointed at through ``[verify] endpoints`` as a user would point them at a national cloud.

GCP: https://developers.google.com/identity/protocols/oauth2/service-account#httprest (the token
request and its errors), https://developers.google.com/identity/protocols/oauth2 (tokeninfo).
Azure: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
(the request, the success and error answers), .../reference-error-codes (AADSTS codes)."""

from __future__ import annotations

import base64
import json
import random
import urllib.parse
import uuid
from dataclasses import replace
from typing import Any, Iterator

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fakeapi import FakeAPI, Reply
from verifyfakes import make_finding, quick

from scanner.model import Finding
from scanner.verify.endpoints import Endpoints
from scanner.verify.result import Verification
from scanner.verify.run import VerifyRun

RNG = random.Random(4242)
EMAIL = "deployer@billing-prod-463715.iam.gserviceaccount.com"
KEY_ID = "%040x" % RNG.getrandbits(160)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_file_secret(key: rsa.RSAPrivateKey) -> str:
    """The private key as the rule reports it out of a key file: PEM with JSON's ``\\n`` escapes."""
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return pem.replace("\n", "\\n")


class GoogleOAuth(FakeAPI):
    """Google's token endpoint and tokeninfo: accepts a JWT signed by ``accepted`` for EMAIL."""

    def __init__(self, accepted: rsa.RSAPrivateKey, token_reply: Reply | None = None) -> None:
        super().__init__()
        self.accepted = accepted.public_key()
        self.token_reply = token_reply
        self.claims: list[dict[str, Any]] = []
        self.headers_seen: list[dict[str, Any]] = []

    def reply(self, path: str, query: dict[str, list[str]]) -> Reply:
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.local.body.decode()).items()}
        if path == "/token":
            if self.token_reply is not None:
                return self.token_reply
            header, claims, signature = form["assertion"].split(".")
            self.claims.append(json.loads(_unb64(claims)))
            self.headers_seen.append(json.loads(_unb64(header)))
            try:
                self.accepted.verify(_unb64(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
            except Exception:  # noqa: BLE001 - any other key's signature
                return Reply(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
            if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
                return Reply(400, {"error": "unsupported_grant_type"})
            return Reply(200, {"access_token": "ya29.c.fake-token-for-tests", "expires_in": 3599, "token_type": "Bearer"})
        if path == "/tokeninfo" and form.get("access_token") == "ya29.c.fake-token-for-tests":
            return Reply(200, {"azp": "108234567890123456789", "aud": "108234567890123456789",
                               "scope": "https://www.googleapis.com/auth/cloud-platform.read-only",
                               "exp": "1767225600", "expires_in": "3599", "email": EMAIL, "email_verified": "true"})
        return Reply(400, {"error": "invalid_token", "error_description": "Invalid Value"})


def gcp_finding(secret: str, email: str | None = EMAIL) -> Finding:
    attrs = tuple(sorted({"gcp.private_key_id": KEY_ID, "gcp.project_id": "billing-prod-463715",
                          **({"gcp.client_email": email} if email else {})}.items()))
    line = '  "private_key": "-----BEGIN PRIVATE KEY-----\\n...", "token_uri": "https://evil.example/token"'
    return replace(make_finding("gcp-service-account-json", secret), attributes=attrs, line_text=line)


def run_one(endpoints: Endpoints, finding: Finding, **kw: Any) -> Verification:
    with VerifyRun(endpoints, quick(**kw)) as run:
        return run.verify([finding])[finding.fingerprint]


@pytest.fixture(scope="module")
def keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    return new_key(), new_key()


@pytest.fixture
def google(keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]) -> Iterator[GoogleOAuth]:
    with GoogleOAuth(keys[0]) as server:
        yield server


def test_gcp_live_key_names_the_service_account_and_scopes(google: GoogleOAuth, keys: Any) -> None:
    secret = key_file_secret(keys[0])
    result = run_one(Endpoints.from_overrides({"gcp": google.base}), gcp_finding(secret))
    assert result.status == "live" and result.provider == "gcp"
    assert dict(result.identity) == {"service_account": EMAIL, "key_id": KEY_ID, "project": "billing-prod-463715",
                                     "client_id": "108234567890123456789"}
    assert result.permissions == ("https://www.googleapis.com/auth/cloud-platform.read-only",)
    # the JWT: RS256, the key id, this account, the token URI of the configured endpoint (never the
    # token_uri written beside the key), five minutes
    [claims], [header] = google.claims, google.headers_seen
    assert header == {"alg": "RS256", "typ": "JWT", "kid": KEY_ID}
    assert claims["iss"] == EMAIL and claims["aud"] == google.base + "/token"
    assert claims["exp"] - claims["iat"] == 300
    assert google.paths() == ["/token", "/tokeninfo"]
    # the private key never leaves: not in a path, a header or a body; the access token in no URL
    body_text = b"".join(google.bodies).decode()
    pem_body = secret.split("\\n")[1]
    for path, headers in google.requests:
        assert pem_body not in path and "ya29" not in path and "authorization" not in headers
    assert pem_body not in body_text
    assert "ya29" not in repr(result) + json.dumps(result.to_json())


def test_gcp_key_google_does_not_accept_is_invalid(google: GoogleOAuth, keys: Any) -> None:
    result = run_one(Endpoints.from_overrides({"gcp": google.base}), gcp_finding(key_file_secret(keys[1])))
    assert result.status == "invalid" and "invalid_grant" in result.reason
    assert google.paths() == ["/token"]


@pytest.mark.parametrize("reply,status,words", [
    (Reply(400, {"error": "invalid_grant", "error_description": "Invalid JWT: Token must be a short-lived token "
                 "(60 minutes) and in a reasonable timeframe. Check your iat and exp values"}), "error", "clock"),
    (Reply(401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}), "invalid", ""),
    (Reply(503, {"error": "backendError"}), "unknown", "503"),
    (Reply(429, {"error": "rate_limit_exceeded"}), "unknown", "429"),
    (Reply(200, b"<html>not json</html>"), "error", "malformed"),
    (Reply(200, {"token_type": "Bearer"}), "error", "access_token"),
])
def test_gcp_answers_map_to_statuses(keys: Any, reply: Reply, status: str, words: str) -> None:
    with GoogleOAuth(keys[0], token_reply=reply) as server:
        result = run_one(Endpoints.from_overrides({"gcp": server.base}), gcp_finding(key_file_secret(keys[0])))
    assert result.status == status and words in result.reason


def test_gcp_without_client_email_or_with_a_bad_key_sends_nothing(google: GoogleOAuth, keys: Any) -> None:
    endpoints = Endpoints.from_overrides({"gcp": google.base})
    assert run_one(endpoints, gcp_finding(key_file_secret(keys[0]), email=None)).status == "skipped"
    broken = run_one(endpoints, gcp_finding("-----BEGIN PRIVATE KEY-----\\nnot-a-key\\n-----END PRIVATE KEY-----"))
    assert broken.status == "error" and "could not be read" in broken.reason
    assert google.requests == []


def test_gcp_asks_googles_documented_host_by_default() -> None:
    assert Endpoints.from_overrides().base("gcp") == "https://oauth2.googleapis.com"
    assert Endpoints.from_overrides().base("azure") == "https://login.microsoftonline.com"


# ---- Azure ----------------------------------------------------------------------------------------

TENANT, CLIENT = str(uuid.UUID(int=RNG.getrandbits(128))), str(uuid.UUID(int=RNG.getrandbits(128)))
SECRET = "Fwj8Q~" + "".join(RNG.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_-.~") for _ in range(34))
OTHER = "Xq3uQ~" + "".join(RNG.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(34))


def access_token(claims: dict[str, Any]) -> str:
    return ".".join([_b64(b'{"typ":"JWT","alg":"RS256"}'), _b64(json.dumps(claims).encode()), _b64(b"sig")])


class EntraID(FakeAPI):
    """``POST /{tenant}/oauth2/v2.0/token``: accepts CLIENT:SECRET in Basic auth for TENANT."""

    def reply(self, path: str, query: dict[str, list[str]]) -> Reply:
        headers = self.requests[-1][1]
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.local.body.decode()).items()}
        if path != f"/{TENANT}/oauth2/v2.0/token":
            return Reply(400, {"error": "invalid_request", "error_codes": [90002],
                               "error_description": "AADSTS90002: Tenant not found."})
        user, _, password = base64.b64decode(headers.get("authorization", "Basic ")[6:]).decode().partition(":")
        if form.get("grant_type") != "client_credentials" or form.get("scope") != "https://graph.microsoft.com/.default":
            return Reply(400, {"error": "invalid_request", "error_codes": [900144]})
        if urllib.parse.unquote(user) != CLIENT:
            return Reply(400, {"error": "unauthorized_client", "error_codes": [700016]})
        if urllib.parse.unquote(password) != SECRET:
            return Reply(401, {"error": "invalid_client", "error_codes": [7000215],
                               "error_description": "AADSTS7000215: Invalid client secret provided."})
        token = access_token({"aud": "https://graph.microsoft.com", "tid": TENANT, "appid": CLIENT,
                              "oid": "0d4c7f1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5", "app_displayname": "billing-exporter",
                              "roles": ["User.Read.All", "Directory.Read.All"]})
        return Reply(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})


def azure_finding(secret: str, line: str, companion: str | None = None) -> Finding:
    finding = make_finding("azure-ad-client-secret", secret, ("azure-ad-app-id", companion) if companion else None)
    return replace(finding, line_text=line)


@pytest.fixture
def entra() -> Iterator[EntraID]:
    with EntraID() as server:
        yield server


def test_azure_live_secret_names_the_app_and_its_roles(entra: EntraID) -> None:
    line = f'{{"appId": "{CLIENT}", "password": "{SECRET}", "tenant": "{TENANT}"}}'
    result = run_one(Endpoints.from_overrides({"azure": entra.base}), azure_finding(SECRET, line))
    assert result.status == "live" and result.provider == "azure"
    assert dict(result.identity) == {"tenant": TENANT, "client_id": CLIENT,
                                     "service_principal": "0d4c7f1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5",
                                     "app_name": "billing-exporter"}
    assert result.permissions == ("User.Read.All", "Directory.Read.All")
    [(path, headers)] = entra.requests
    assert path == f"/{TENANT}/oauth2/v2.0/token" and SECRET not in path
    assert SECRET not in b"".join(entra.bodies).decode()  # only in the Authorization header
    assert [k for k, v in headers.items() if k == "authorization" or SECRET in v] == ["authorization"]
    assert "eyJ" not in repr(result)  # the access token is never reported


def test_azure_ids_come_from_the_companion_and_the_line(entra: EntraID) -> None:
    endpoints = Endpoints.from_overrides({"azure": entra.base})
    line = f"AZURE_TENANT_ID={TENANT} AZURE_CLIENT_SECRET={SECRET}"
    assert run_one(endpoints, azure_finding(SECRET, line, companion=CLIENT)).status == "live"
    skipped = run_one(endpoints, azure_finding(SECRET, f"AZURE_CLIENT_SECRET={SECRET}", companion=CLIENT))
    assert skipped.status == "skipped" and "tenant id" in skipped.reason
    assert len(entra.requests) == 1


@pytest.mark.parametrize("secret,tenant,status,words", [
    (OTHER, TENANT, "invalid", "AADSTS7000215"),
    (SECRET, str(uuid.UUID(int=7)), "unknown", "AADSTS90002"),
])
def test_azure_rejections(entra: EntraID, secret: str, tenant: str, status: str, words: str) -> None:
    line = f'{{"appId": "{CLIENT}", "password": "{secret}", "tenant": "{tenant}"}}'
    result = run_one(Endpoints.from_overrides({"azure": entra.base}), azure_finding(secret, line))
    assert result.status == status and words in result.reason
    assert secret not in repr(result)


@pytest.mark.parametrize("reply,status", [
    (Reply(503, {"error": "temporarily_unavailable"}), "unknown"),
    (Reply(200, b"{not json"), "error"),
    (Reply(400, {"error": "unauthorized_client", "error_codes": [700016]}), "invalid"),
])
def test_azure_answers_map_to_statuses(reply: Reply, status: str) -> None:
    with FakeAPI() as server:
        server.routes[f"/{TENANT}/oauth2/v2.0/token"] = reply
        line = f'{{"appId": "{CLIENT}", "password": "{SECRET}", "tenant": "{TENANT}"}}'
        result = run_one(Endpoints.from_overrides({"azure": server.base}), azure_finding(SECRET, line))
    assert result.status == status
