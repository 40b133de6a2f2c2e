"""Cloudflare: ``GET /client/v4/user/tokens/verify`` ("Verify Token",
https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify/) says whether an API
token is active; a disabled or expired one is reported invalid.
Endpoint: ``https://api.cloudflare.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("cloudflare", "/client/v4/user/tokens/verify", bearer, required="result.id",
                  identity=(("token_id", "result.id"), ("expires_on", "result.expires_on")),
                  state=("result.status", ("active",)))
