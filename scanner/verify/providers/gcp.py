"""GCP service-account keys: the signed-JWT token exchange ("Using OAuth 2.0 for Server to Server
Applications", https://developers.google.com/identity/protocols/oauth2/service-account#httprest),
then the token's info (https://developers.google.com/identity/protocols/oauth2 "tokeninfo";
https://cloud.google.com/docs/authentication/token-types#access-tokens).

1. A JWT (header ``{"alg": "RS256", "typ": "JWT", "kid": private_key_id}``; claims ``iss`` = the
   key's ``client_email``, ``scope`` = cloud-platform.read-only, ``aud`` = the token URI, ``iat``,
   ``exp`` five minutes later) is signed RS256 with the leaked private key, here (``cryptography``):
   the key itself is never sent anywhere.
2. ``POST {endpoint}/token`` with ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` and the
   assertion. 200 with an ``access_token``: Google accepted a JWT signed by this key for this
   account, so the key is live. 400/401 ``invalid_grant`` (bad signature, deleted or disabled key,
   unknown account) or ``invalid_client``: invalid; ``invalid_grant`` about the token's time: this
   machine's clock (error).
3. ``POST {endpoint}/tokeninfo`` with ``access_token`` in the form body (never in a URL): the
   service account's e-mail and the granted scopes.

The token URI is Google's documented ``https://oauth2.googleapis.com/token`` (the default endpoint,
``https://oauth2.googleapis.com``) or the endpoint the user configured (``[verify] endpoints.gcp``):
a ``token_uri`` written in the key file is never followed. Nothing is created or changed: the access
token expires on its own within the hour and is never stored, logged or reported.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
from typing import Any

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, json_object, word
from scanner.verify.result import SKIPPED, Verification
from scanner.verify.subject import Subject

SCOPE = "https://www.googleapis.com/auth/cloud-platform.read-only"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_CLOCK_WORDS = ("token must be a short-lived token", "iat", "exp", "time")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pem_of(secret: str) -> bytes:
    """The PEM of a key as it sits in a key file's JSON (``\\n`` escapes) or in clear."""
    return secret.replace("\\n", "\n").replace("\\r", "").encode("ascii", "replace")


def assertion(pem: bytes, email: str, key_id: str, audience: str, now: float | None = None) -> str:
    """The RS256-signed JWT a service account presents to Google's token endpoint."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA key")
    issued = int(now if now is not None else time.time())
    header = {"alg": "RS256", "typ": "JWT", **({"kid": key_id} if key_id else {})}
    claims = {"iss": email, "scope": SCOPE, "aud": audience, "iat": issued, "exp": issued + 300}
    signing_input = (_b64(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + _b64(json.dumps(claims, separators=(",", ":")).encode()))
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + _b64(signature)


def _error(data: dict[str, Any]) -> tuple[str, str]:
    return str(data.get("error") or ""), str(data.get("error_description") or "")


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("gcp", endpoint)
    email = subject.attribute("gcp.client_email") or ""
    key_id = subject.attribute("gcp.private_key_id") or ""
    if "@" not in email:
        return Verification.of(SKIPPED, "gcp", endpoint, reason=(
            "a service-account key is checked only with the client_email of its key file, which was not found with it"))
    audience = check.url("/token")
    try:
        signed = assertion(pem_of(subject.secret), email, key_id, audience)
    except (ValueError, TypeError):
        return check.error("the private key could not be read as an unencrypted RSA key")
    body = urllib.parse.urlencode({"grant_type": GRANT, "assertion": signed}).encode()
    resp = check.request(http, "/token", {}, method="POST", headers=_FORM, content=body)
    if resp.status in (400, 401):
        data = json_object(resp)
        code, description = _error(data)
        if code == "invalid_grant" and any(w in description.lower() for w in _CLOCK_WORDS):
            return check.error("Google refused the assertion's time (invalid_grant): check this machine's clock")
        if code in ("invalid_grant", "invalid_client", "unauthorized_client"):
            return check.invalid(f"Google rejected the key ({word(code)}): deleted, disabled or never valid")
        return check.unknown(f"Google answered HTTP {resp.status} ({word(code) if code else 'no error code'})")
    decided = check.by_status(resp)
    if decided:
        return decided
    token = json_object(resp).get("access_token")
    if not isinstance(token, str) or not token:
        raise MalformedAnswer("the answer has no 'access_token'")
    identity: list[tuple[str, Any]] = [("service_account", email), ("key_id", key_id),
                                       ("project", subject.attribute("gcp.project_id"))]
    scopes: list[str] = []
    info = check.request(http, "/tokeninfo", {}, method="POST", headers=_FORM,
                         content=urllib.parse.urlencode({"access_token": token}).encode())
    del token
    if info.status == 200:
        data = json_object(info)
        if isinstance(data.get("email"), str) and data["email"]:
            identity[0] = ("service_account", data["email"])
        identity.append(("client_id", data.get("azp") or data.get("aud")))
        scopes = str(data.get("scope") or "").split()
    return check.live(identity, scopes or [SCOPE],
                      reason="" if info.status == 200 else f"its token's info could not be read (HTTP {info.status})")
