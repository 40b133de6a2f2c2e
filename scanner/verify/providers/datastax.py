"""DataStax Astra DevOps API: ``GET /v2/currentOrg`` (https://docs.datastax.com/en/astra-api-docs/_attachments/devops-api/index.html#tag/Organization-Operations/operation/getCurrentOrganization)
names the organisation of an application token (``AstraCS:<client id>:<secret>``,
https://docs.datastax.com/en/astra-db-serverless/administration/manage-application-tokens.html);
``GET /v2/clientIdSecrets`` ("Get a list of clients for an org", same reference, Token Operations)
lists the organisation's tokens with their role ids: the entry of this token's client id gives its roles.
Endpoint: ``https://api.astra.datastax.com``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, bearer, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("datastax", endpoint)
    resp = check.request(http, "/v2/currentOrg", bearer(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    org = json_object(resp)
    parts = subject.secret.split(":")
    client_id = parts[1] if len(parts) == 3 else ""
    identity = [("organization_id", need(org, "id")), ("organization", org.get("name")), ("client_id", client_id or None)]
    roles: list[str] = []
    listed = check.request(http, "/v2/clientIdSecrets", bearer(subject.secret))
    if client_id and 200 <= listed.status < 300:
        for client in json_object(listed).get("clients") or []:
            if isinstance(client, dict) and client.get("clientId") == client_id:
                roles = [f"role:{r}" for r in client.get("roles") or [] if isinstance(r, str)]
    return check.live(identity, roles)
