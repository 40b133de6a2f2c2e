"""AWS: STS ``GetCallerIdentity`` (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html),
a signed (Signature Version 4: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
``POST /`` of ``Action=GetCallerIdentity&Version=2011-06-15``, answers the account, ARN and user id of
the key pair. No permission is needed to call it and it cannot be denied, so a refusal means the key
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

from scanner.httpclient import Credential, HttpClient, Response
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


def _fields(resp: Response) -> dict[str, str]:
    """Leaf elements of the answer by local name (``Account``, ``Arn``, ``Code`` ...), JSON or XML."""
    out: dict[str, str] = {}
    body = resp.body.strip()
    if body.startswith(b"{"):
        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if isinstance(value, (dict, list)):
                        walk(value)
                    elif value is not None:
                        out.setdefault(str(key), str(value))
            elif isinstance(node, list):
                for item in node:
                    walk(item)
        try:
            walk(resp.json())
        except ValueError:
            raise MalformedAnswer(f"the answer (HTTP {resp.status}) is not JSON") from None
        return out
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise MalformedAnswer(f"the answer (HTTP {resp.status}) is neither JSON nor XML") from None
    for element in root.iter():
        if len(element) == 0 and element.text:
            out.setdefault(_local(element.tag), element.text.strip())
    return out


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("aws", endpoint)
    key_id = subject.companion or ""
    if not _KEY_ID.fullmatch(key_id):
        return Verification.of(SKIPPED, "aws", endpoint, reason=(
            "a secret access key is checked only with the access key id found beside it"))
    if key_id.startswith("ASIA"):
        return Verification.of(SKIPPED, "aws", endpoint, reason=(
            "a temporary key (ASIA...) works only with its session token, which was not found with it"))
    url = check.url("/")
    amz_date = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "application/json"}
    signed = aws_sigv4.sign("POST", url, headers, BODY, access_key_id=key_id, secret_key=subject.secret,
                            region=region_of(endpoint), service="sts", amz_date=amz_date)
    plain = {k: v for k, v in signed.headers.items() if k != "Authorization"}
    resp = http.request("POST", url, headers=plain, content=BODY,
                        credential=Credential.pinned(url, {"Authorization": signed.headers["Authorization"]}))
    if resp.status in (400, 403):
        code = _fields(resp).get("Code", "")
        if code in _INVALID:
            return check.invalid(f"AWS rejected the key pair ({code})")
        if code in _CLOCK:
            return check.error(f"AWS refused the signature's time ({code}): check this machine's clock")
        if resp.status == 400:
            return check.unknown(f"AWS answered HTTP 400 ({word(code) if code else 'no error code'})")
    decided = check.by_status(resp)
    if decided:
        return decided
    found = _fields(resp)
    if "Arn" not in found or "Account" not in found:
        raise MalformedAnswer("the answer has no Account and Arn")
    return check.live([("account", found["Account"]), ("arn", found["Arn"]), ("user_id", found.get("UserId")),
                       ("access_key_id", key_id)])
