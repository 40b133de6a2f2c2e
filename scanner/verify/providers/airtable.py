"""Airtable: ``GET /v0/meta/whoami`` ("Get user ID & scopes", https://airtable.com/developers/web/api/get-user-id-scopes)
names the user and lists the token's scopes.
Endpoint: ``https://api.airtable.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("airtable", "/v0/meta/whoami", bearer, required="id",
                  identity=(("user_id", "id"), ("email", "email")), permissions="scopes")
