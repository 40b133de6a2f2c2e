"""Mattermost: ``GET /api/v4/users/me`` ("Get a user" with ``me``,
https://api.mattermost.com/#tag/users/operation/GetUser). Every server has its own host: only the URL
the user configured is asked.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("mattermost", "/api/v4/users/me", bearer, required="id",
                  identity=(("user_id", "id"), ("username", "username"), ("email", "email"),
                            ("bot", "is_bot")), permissions="roles")
