"""Fastly: ``GET /tokens/self`` ("Get the current token", https://www.fastly.com/documentation/reference/api/auth-tokens/user/)
with the token in ``Fastly-Key``; its ``scope`` lists what it may do.
Endpoint: ``https://api.fastly.com``.
"""

from scanner.verify.providers._json import JsonCheck, header

CHECK = JsonCheck("fastly", "/tokens/self", header("Fastly-Key"), required="id",
                  identity=(("token_id", "id"), ("token_name", "name"), ("user_id", "user_id"),
                            ("customer_id", "customer_id"), ("expires_at", "expires_at")),
                  permissions="scope")
