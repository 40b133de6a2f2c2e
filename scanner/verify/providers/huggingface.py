"""Hugging Face: ``GET /api/whoami-v2`` (the Hub API's "whoami", used by ``huggingface_hub.whoami``:
https://huggingface.co/docs/huggingface_hub/package_reference/hf_api#huggingface_hub.HfApi.whoami)
names the user and organisations; ``auth.accessToken`` gives the token's role (``read``, ``write``,
``fineGrained``) and, for fine-grained tokens, its scoped permissions
(https://huggingface.co/docs/hub/security-tokens).
Endpoint: ``https://huggingface.co``.
"""

from __future__ import annotations

from typing import Any

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, bearer, json_object, need, obj
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def _permissions(token: dict[str, Any]) -> list[str]:
    out = [f"role={token.get('role')}"] if token.get("role") else []
    fine = token.get("fineGrained")
    if isinstance(fine, dict):
        out += [str(p) for p in fine.get("global") or [] if isinstance(p, str)]
        for scoped in fine.get("scoped") or []:
            if not isinstance(scoped, dict):
                continue
            entity = obj(scoped, "entity")
            name = f"{entity.get('type', '?')}:{entity.get('name', '?')}"
            out += [f"{name}:{p}" for p in scoped.get("permissions") or [] if isinstance(p, str)]
    return out


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("huggingface", endpoint)
    resp = check.request(http, "/api/whoami-v2", bearer(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    orgs = [str(o["name"]) for o in data.get("orgs") or [] if isinstance(o, dict) and o.get("name")]
    auth = obj(data, "auth")
    token = obj(auth, "accessToken")
    identity = [("name", need(data, "name")), ("type", data.get("type")), ("orgs", ", ".join(orgs)),
                ("token_name", token.get("displayName"))]
    return check.live(identity, _permissions(token))
