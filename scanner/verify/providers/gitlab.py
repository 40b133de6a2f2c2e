"""GitLab: ``GET /personal_access_tokens/self`` ("Get single personal access token" of the caller,
https://docs.gitlab.com/api/personal_access_tokens/#get-single-personal-access-token) gives the
token's name, scopes, expiry and user id; with a scope that may read the user, ``GET /user``
(https://docs.gitlab.com/api/users/#get-the-current-user) adds the user name. The token travels in
the ``PRIVATE-TOKEN`` header (https://docs.gitlab.com/api/rest/authentication/).
Endpoint: ``https://gitlab.com/api/v4``; self-managed: ``https://HOST/api/v4``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject

_READS_USER = frozenset({"api", "read_api", "read_user"})
GITLAB_COM = "https://gitlab.com/api/v4"


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("gitlab", endpoint)
    if not subject.secret.startswith("glpat-") and endpoint.rstrip("/") == GITLAB_COM:
        # an instance token prefix (`<prefix>-glpat-`) is set only on self-managed instances
        return check.unknown("the token carries an instance prefix: it belongs to a self-managed GitLab, "
                             "which gitlab.com cannot answer for; set the gitlab endpoint to https://HOST/api/v4")
    token = {"PRIVATE-TOKEN": subject.secret}
    resp = check.request(http, "/personal_access_tokens/self", token)
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    scopes = [str(s) for s in need(data, "scopes", list)]
    if data.get("revoked") is True or data.get("active") is False:
        return check.invalid("GitLab reports the token revoked or inactive")
    identity = [("token_name", data.get("name")), ("token_id", data.get("id")), ("user_id", data.get("user_id"))]
    if _READS_USER & set(scopes):
        user = check.request(http, "/user", token)
        if user.status == 200:
            identity.insert(0, ("username", json_object(user).get("username")))
    expiry = f"expires_at={data['expires_at']}" if data.get("expires_at") else "expires_at=never"
    return check.live(identity, [*scopes, expiry])
