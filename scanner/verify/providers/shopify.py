"""Shopify: ``GET /admin/api/2024-10/shop.json`` ("Shop", https://shopify.dev/docs/api/admin-rest/2024-10/resources/shop)
and ``GET /admin/oauth/access_scopes.json`` ("AccessScope",
https://shopify.dev/docs/api/admin-rest/2024-10/resources/accessscope) with the token in
``X-Shopify-Access-Token`` (https://shopify.dev/docs/api/usage/authentication). Every shop has its
own host, and a shop named in scanned content is never asked: only the shop the user configured as
the ``shopify`` endpoint (``https://SHOP.myshopify.com``).
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject

API = "/admin/api/2024-10"


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("shopify", endpoint)
    token = {"X-Shopify-Access-Token": subject.secret}
    resp = check.request(http, f"{API}/shop.json", token)
    decided = check.by_status(resp)
    if decided:
        return decided
    shop = json_object(resp).get("shop")
    if not isinstance(shop, dict):
        raise MalformedAnswer("the answer has no 'shop' object")
    identity = [("shop", need(shop, "myshopify_domain")), ("shop_id", shop.get("id")), ("name", shop.get("name"))]
    scopes: list[str] = []
    answer = check.request(http, "/admin/oauth/access_scopes.json", token)
    if answer.status == 200:
        scopes = [str(s.get("handle")) for s in json_object(answer).get("access_scopes") or []
                  if isinstance(s, dict) and s.get("handle")]
    return check.live(identity, scopes)
