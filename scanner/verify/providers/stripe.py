"""Stripe: ``GET /v1/account`` ("Retrieve account", https://docs.stripe.com/api/accounts/retrieve)
with the key as a bearer token (https://docs.stripe.com/api/authentication). An unknown or rolled key
is HTTP 401; a restricted key without the Account permission gets HTTP 403 with an ``error`` object
(https://docs.stripe.com/api/errors), which means the key authenticated: it is then asked
``GET /v1/balance`` (https://docs.stripe.com/api/balance/balance_retrieve), whose ``livemode`` it
reports. The key's mode (live or test) and kind (secret or restricted) are in its prefix
(https://docs.stripe.com/keys).
Endpoint: ``https://api.stripe.com``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient, Response
from scanner.verify.providers._common import Check, MalformedAnswer, bearer, json_object, need, obj
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def _key_facts(secret: str) -> list[str]:
    kind = "restricted" if secret.startswith("rk_") else "secret"
    mode = "live" if "_live_" in secret[:9] else "test"
    return [f"mode={mode}", f"key={kind}"]


def _stripe_error(resp: Response) -> dict[str, object]:
    error = json_object(resp).get("error")
    if not isinstance(error, dict):
        raise MalformedAnswer(f"the HTTP {resp.status} answer has no Stripe error object")
    return error


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("stripe", endpoint)
    key = bearer(subject.secret)
    resp = check.request(http, "/v1/account", key)
    facts = _key_facts(subject.secret)
    if resp.status == 403:
        _stripe_error(resp)  # a 403 without Stripe's error object is not Stripe's answer
        balance = check.request(http, "/v1/balance", key)
        if balance.status == 200:
            data = json_object(balance)
            mode = "live" if need(data, "livemode", bool) else "test"
            return check.live([("livemode", mode)], [*facts, "account:none", "balance:read"],
                              reason="a restricted key: it may not read the account")
        if balance.status == 403:
            _stripe_error(balance)
            return check.live((), [*facts, "account:none", "balance:none"],
                              reason="a restricted key: it authenticated but may read neither the account nor the balance")
        resp = balance
    decided = check.by_status(resp, forbidden="live")
    if decided:
        return decided
    data = json_object(resp)
    settings = obj(data, "settings")
    dashboard = obj(settings, "dashboard")
    identity = [("account", need(data, "id")), ("email", data.get("email")),
                ("display_name", dashboard.get("display_name")), ("country", data.get("country"))]
    return check.live(identity, [*facts, "account:read"])
