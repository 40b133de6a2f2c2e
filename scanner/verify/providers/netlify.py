"""Netlify: ``GET /api/v1/user`` ("getCurrentUser", https://open-api.netlify.com/#tag/user/operation/getCurrentUser).
Endpoint: ``https://api.netlify.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("netlify", "/api/v1/user", bearer, required="id",
                  identity=(("user_id", "id"), ("email", "email"), ("name", "full_name"), ("slug", "slug")))
