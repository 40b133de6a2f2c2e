"""Binance: ``GET /sapi/v1/account/apiRestrictions`` ("Get API Key Permission",
https://developers.binance.com/docs/wallet/account/api-key-permission) is a signed USER_DATA request:
the API key travels in the ``X-MBX-APIKEY`` header and the secret only signs the query
(``signature`` = HMAC-SHA256 of ``timestamp=…&recvWindow=…`` under the secret,
https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security); the secret is
never sent. The answer flags what the key may do (``enableReading``, ``enableSpotAndMarginTrading``,
``enableWithdrawals``, ``enableInternalTransfer``, ``enableMargin``, ``enableFutures``,
``permitsUniversalTransfer``, ``enableVanillaOptions``) and whether it is bound to IP addresses
(``ipRestrict``); the true flags are its permissions. A bad key or signature is answered 401 with a
code such as -2014/-2015 (https://developers.binance.com/docs/binance-spot-api-docs/errors).
Endpoint: ``https://api.binance.com``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, json_object
from scanner.verify.result import SKIPPED, Verification
from scanner.verify.subject import Subject

_API_KEY = re.compile(r"[A-Za-z0-9]{64}")
_INVALID_CODES = frozenset({-2014, -2015, -1022})
FLAGS = ("enableReading", "enableSpotAndMarginTrading", "enableWithdrawals", "enableInternalTransfer", "enableMargin",
         "enableFutures", "permitsUniversalTransfer", "enableVanillaOptions", "enablePortfolioMarginTrading",
         "enableFixApiTrade", "enableFixReadOnly")


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("binance", endpoint)
    key = subject.companion or ""
    if not _API_KEY.fullmatch(key):
        return Verification.of(SKIPPED, "binance", endpoint,
                               reason="a Binance secret is checked only with the API key found beside it")
    query = f"timestamp={int(time.time() * 1000)}&recvWindow=10000"
    signature = hmac.new(subject.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    resp = check.request(http, f"/sapi/v1/account/apiRestrictions?{query}&signature={signature}",
                         {"X-MBX-APIKEY": key})
    if resp.status in (400, 401):
        data = json_object(resp)
        if data.get("code") in _INVALID_CODES:
            return check.invalid(f"Binance rejected the key pair (code {data.get('code')})")
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    if not isinstance(data.get("ipRestrict"), bool):
        raise MalformedAnswer("the answer has no 'ipRestrict' of the documented type")
    identity = [("ip_restricted", str(data["ipRestrict"]).lower()), ("created_ms", data.get("createTime"))]
    return check.live(identity, [flag for flag in FLAGS if data.get(flag) is True])
