"""Snyk: ``GET /v1/user/me`` ("Get my details", https://snyk.docs.apiary.io/#reference/users/my-user-details/get-my-details)
with ``Authorization: token ...`` (https://docs.snyk.io/snyk-api/authentication-for-api).
Endpoint: ``https://api.snyk.io`` (regional tenants: their API host).
"""

from scanner.verify.providers._json import JsonCheck, scheme

CHECK = JsonCheck("snyk", "/v1/user/me", scheme("token"), required="id",
                  identity=(("user_id", "id"), ("username", "username"), ("email", "email"),
                            ("orgs", "orgs.*.name")))
