"""Vercel: ``GET /v2/user`` ("Get the User", https://vercel.com/docs/rest-api/endpoints/user#get-the-user).
Endpoint: ``https://api.vercel.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("vercel", "/v2/user", bearer, required="user.id",
                  identity=(("user_id", "user.id"), ("username", "user.username"), ("email", "user.email")))
