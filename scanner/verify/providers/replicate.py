"""Replicate: ``GET /v1/account`` ("Get the authenticated account", https://replicate.com/docs/reference/http#accounts.get).
Endpoint: ``https://api.replicate.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("replicate", "/v1/account", bearer, required="username",
                  identity=(("username", "username"), ("name", "name"), ("type", "type")))
