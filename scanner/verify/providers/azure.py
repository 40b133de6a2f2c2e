"""Microsoft Entra ID (Azure AD) client secrets: the OAuth 2.0 client credentials grant
("Microsoft identity platform and the OAuth 2.0 client credentials flow",
https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow#first-case-access-token-request-with-a-shared-secret):
``POST {endpoint}/{tenant}/oauth2/v2.0/token`` with ``grant_type=client_credentials`` and
``scope=https://graph.microsoft.com/.default``. The client id and secret travel in the
``Authorization: Basic`` header (RFC 6749 2.3.1, which the page accepts in place of form fields), so
the secret is pinned to the endpoint's host like every other credential.

200 with an ``access_token``: the secret is live; the token's claims (it is a JWT, read without
checking its signature, only for what the provider put in it) name the tenant (``tid``), the app
(``appid``/``azp``), its service principal (``oid``) and the application permissions granted
(``roles``). An error answer's first ``error_codes`` entry (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes)
decides: ``AADSTS7000215`` (invalid secret), ``7000222`` (expired secret), ``700016`` (no such app in
the tenant), ``7000112`` (app disabled) are invalid; ``90002``/``900023`` (no such tenant) leave it
unknown (the tenant found beside it may be the wrong one).

The tenant and client id come from what was found with the secret: its companion (the nearest tenant
or client id) and ids written on its line under a tenant or client/app id key. Without a tenant id
the secret is skipped (asking the "common" tenant cannot check an app's secret). The token is never
stored, logged or reported. Endpoint: ``https://login.microsoftonline.com`` (national clouds: the
configured endpoint, such as ``https://login.microsoftonline.us``).
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from typing import Any

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, basic, json_object
from scanner.verify.result import SKIPPED, Verification
from scanner.verify.subject import Subject

SCOPE = "https://graph.microsoft.com/.default"
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_KEYED = re.compile(r"(?i)\b((?:azure|arm|aad|entra)?[_.-]?(?:tenant|directory|client|app(?:lication)?)(?:[_.-]?id)?)"
                    r"[\"']?\s*(?:=|:|=>)\s*[\"']?(" + _GUID + r")(?![0-9A-Za-z-])")
_INVALID = {7000215: "an invalid client secret", 7000222: "an expired client secret",
            700016: "no such application in the tenant", 7000112: "a disabled application",
            700023: "a client that may not use this grant"}
_NO_TENANT = frozenset({90002, 900023, 90033})


def ids(subject: Subject) -> tuple[str | None, str | None]:
    """(tenant id, client id) from the secret's line and its companion (the nearest id)."""
    tenant = client = None
    for key, guid in _KEYED.findall(subject.line or ""):
        name = key.lower()
        if ("tenant" in name or "directory" in name) and tenant is None:
            tenant = guid.lower()
        elif ("client" in name or "app" in name) and client is None:
            client = guid.lower()
    companion = (subject.companion or "").lower()
    if re.fullmatch(_GUID, companion):
        if client is None and companion != tenant:
            client = companion
        elif tenant is None and companion != client:
            tenant = companion
    return tenant, client


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT access token, not checked (only read for what the provider put in it)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        data = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("azure", endpoint)
    tenant, client = ids(subject)
    if tenant is None or client is None:
        missing = "tenant id" if tenant is None else "client (application) id"
        return Verification.of(SKIPPED, "azure", endpoint, reason=(
            f"a client secret is checked only with its tenant and client ids; the {missing} was not found with it"))
    body = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": SCOPE}).encode()
    auth = basic(urllib.parse.quote(client, safe=""), urllib.parse.quote(subject.secret, safe=""))
    resp = check.request(http, f"/{tenant}/oauth2/v2.0/token", auth, method="POST",
                         headers={"Content-Type": "application/x-www-form-urlencoded"}, content=body)
    if resp.status in (400, 401):
        data = json_object(resp)
        codes = [c for c in data.get("error_codes") or [] if isinstance(c, int)]
        code = codes[0] if codes else None
        if code in _INVALID:
            return check.invalid(f"Entra ID rejected it: {_INVALID[code]} (AADSTS{code})")
        if code in _NO_TENANT:
            return check.unknown(f"Entra ID knows no tenant {tenant} (AADSTS{code}): the id found beside the "
                                 "secret may not be its tenant")
        if data.get("error") == "invalid_client":
            return check.invalid("Entra ID rejected the client credentials (invalid_client)")
        return check.unknown(f"Entra ID answered HTTP {resp.status}" + (f" (AADSTS{code})" if code else ""))
    decided = check.by_status(resp)
    if decided:
        return decided
    token = json_object(resp).get("access_token")
    if not isinstance(token, str) or not token:
        raise MalformedAnswer("the answer has no 'access_token'")
    found = claims(token)
    del token
    roles = [str(r) for r in found.get("roles") or [] if isinstance(r, str)]
    identity = [("tenant", found.get("tid") or tenant), ("client_id", found.get("appid") or found.get("azp") or client),
                ("service_principal", found.get("oid")), ("app_name", found.get("app_displayname"))]
    return check.live(identity, roles, reason="" if roles else "no application permissions (roles) are granted to it")
