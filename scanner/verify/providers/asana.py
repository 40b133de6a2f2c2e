"""Asana: ``GET /api/1.0/users/me`` ("Get a user", https://developers.asana.com/reference/getuser,
with ``me`` for the caller).
Endpoint: ``https://app.asana.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("asana", "/api/1.0/users/me", bearer, required="data.gid",
                  identity=(("user_id", "data.gid"), ("name", "data.name"), ("email", "data.email"),
                            ("workspaces", "data.workspaces.*.name")))
