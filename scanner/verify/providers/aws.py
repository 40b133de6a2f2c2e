"""AWS: STS ``GetCallerIdentity`` (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html),
a signed (Signature Version 4: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
``POST /`` of ``Action=GetCallerIdentity&Version=2011-06-15``, answers the account, ARN and user id of
the key pair; for an IAM user, IAM ``ListAttachedUserPolicies`` and ``ListUserPolicies``
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAttachedUserPolicies.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUserPolicies.html; read-only, signed the
same way, at ``https://iam.amazonaws.com``) name its policies where the key may read them. No
permission is needed to call GetCallerIdentity and it cannot be denied, so a refusal means the key
pair does not work: ``InvalidClientTokenId`` (unknown or deactivated key id), ``SignatureDoesNotMatch``
(wrong secret), ``ExpiredToken`` (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
``Accept: application/json`` asks for the JSON form of the answer; the XML form is read too.
Temporary keys (``ASIA...``) work only with their session token, which a finding does not carry:
those are skipped rather than reported invalid.
Endpoint: ``https://sts.amazonaws.com`` (regional: ``https://sts.REGION.amazonaws.com``).
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
import xml.etree.ElementTree as ET
from typing import Any

from scanner.httpclient import Credential, HttpClient, HttpError, Response
from scanner.verify import aws_sigv4
from scanner.verify.providers._common import Check, MalformedAnswer, word
from scanner.verify.result import SKIPPED, Verification
from scanner.verify.subject import Subject

BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
_KEY_ID = re.compile(r"[A-Z0-9]{16,128}")
_REGIONAL = re.compile(r"sts\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?")
_INVALID = frozenset({"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "AuthFailure",
                      "UnrecognizedClientException", "InvalidAccessKeyId"})
_CLOCK = frozenset({"RequestExpired", "RequestTimeTooSkewed", "SignatureExpired"})


def region_of(endpoint: str) -> str:
    match = _REGIONAL.fullmatch(urllib.parse.urlsplit(endpoint).hostname or "")
    return match.group(1) if match else "us-east-1"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _values(resp: Response) -> dict[str, list[str]]:
    """Every leaf value of the answer by local name (``Account``, ``Arn``, ``Code``, ``PolicyName``
    ...), JSON or XML; an XML list's ``member`` leaves count under the list's name."""
    out: dict[str, list[str]] = {}
    body = resp.body.strip()
    if body.startswith(b"{"):
        def walk(key: str, node: Any) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(str(k), v)
            elif isinstance(node, list):
                for item in node:
                    walk(key, item)
            elif node is not None:
                out.setdefault(key, []).append(str(node))
        try:
            walk("", resp.json())
        except ValueError:
            raise MalformedAnswer(f"the answer (HTTP {resp.status}) is not JSON") from None
        return out
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise MalformedAnswer(f"the answer (HTTP {resp.status}) is neither JSON nor XML") from None
    for parent in root.iter():
        for child in parent:
            if len(child) == 0 and child.text:
                name = _local(parent.tag) if _local(child.tag) == "member" else _local(child.tag)
                out.setdefault(name, []).append(child.text.strip())
    return out


def _first(values: dict[str, list[str]], key: str) -> str:
    return values.get(key, [""])[0]


def _signed(http: HttpClient, method: str, url: str, body: bytes, key_id: str, secret: str,
            service: str, region: str) -> Response:
    """One SigV4-signed request: only the signature travels, pinned to ``url``'s host."""
    amz_date = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = {"Accept": "application/json"}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    signed = aws_sigv4.sign(method, url, headers, body, access_key_id=key_id, secret_key=secret,
                            region=region, service=service, amz_date=amz_date)
    plain = {k: v for k, v in signed.headers.items() if k != "Authorization"}
    return http.request(method, url, headers=plain, content=body or None,
                        credential=Credential.pinned(url, {"Authorization": signed.headers["Authorization"]}))


def iam_endpoint(sts_endpoint: str) -> str:
    """IAM's host for AWS's own STS hosts; a configured endpoint (a stand-in, LocalStack) serves both."""
    host = urllib.parse.urlsplit(sts_endpoint).hostname or ""
    if host == "sts.amazonaws.com" or _REGIONAL.fullmatch(host) and host.endswith(".amazonaws.com"):
        return "https://iam.amazonaws.com"
    return sts_endpoint


def _policies(http: HttpClient, sts_endpoint: str, arn: str, key_id: str, secret: str) -> tuple[list[str], str]:
    """The IAM user's managed and inline policy names (``ListAttachedUserPolicies``,
    ``ListUserPolicies``: read-only), and a note when they could not be read."""
    if arn.endswith(":root"):
        return ["account-root-user"], "the account's root user: it may do everything"
    if ":user/" not in arn:
        return [], ""
    user = arn.rsplit("/", 1)[-1]
    base = iam_endpoint(sts_endpoint).rstrip("/") + "/"
    out: list[str] = []
    for action, key, prefix in (("ListAttachedUserPolicies", "PolicyName", "policy:"),
                                ("ListUserPolicies", "PolicyNames", "inline-policy:")):
        query = urllib.parse.urlencode({"Action": action, "UserName": user, "Version": "2010-05-08"})
        try:
            resp = _signed(http, "GET", f"{base}?{query}", b"", key_id, secret, "iam", "us-east-1")
        except HttpError as exc:
            return out, f"its IAM policies could not be read ({exc.kind})"
        if resp.status != 200:
            code = _first(_values(resp), "Code") if resp.body.strip()[:1] in (b"{", b"<") else ""
            return out, f"it may not read its own IAM policies ({word(code) if code else resp.status})"
        out += [prefix + name for name in _values(resp).get(key, [])]
    return out, ""


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("aws", endpoint)
    key_id = subject.companion or ""
    if not _KEY_ID.fullmatch(key_id):
        return Verification.of(SKIPPED, "aws", endpoint, reason=(
            "a secret access key is checked only with the access key id found beside it"))
    if key_id.startswith("ASIA"):
        return Verification.of(SKIPPED, "aws", endpoint, reason=(
            "a temporary key (ASIA...) works only with its session token, which was not found with it"))
    resp = _signed(http, "POST", check.url("/"), BODY, key_id, subject.secret, "sts", region_of(endpoint))
    if resp.status in (400, 403):
        code = _first(_values(resp), "Code")
        if code in _INVALID:
            return check.invalid(f"AWS rejected the key pair ({code})")
        if code in _CLOCK:
            return check.error(f"AWS refused the signature's time ({code}): check this machine's clock")
        if resp.status == 400:
            return check.unknown(f"AWS answered HTTP 400 ({word(code) if code else 'no error code'})")
    decided = check.by_status(resp)
    if decided:
        return decided
    found = _values(resp)
    account, arn = _first(found, "Account"), _first(found, "Arn")
    if not account or not arn:
        raise MalformedAnswer("the answer has no Account and Arn")
    policies, note = _policies(http, endpoint, arn, key_id, subject.secret)
    return check.live([("account", account), ("arn", arn), ("user_id", _first(found, "UserId")),
                       ("access_key_id", key_id)], policies, reason=note)
