"""Gitea / Forgejo: ``GET /api/v1/user`` ("Get the authenticated user",
https://docs.gitea.com/api/1.22/#tag/user/operation/userGetCurrent) with ``Authorization: token ...``.
Every instance has its own host: only the URL the user configured is asked.
"""

from scanner.verify.providers._json import JsonCheck, scheme

CHECK = JsonCheck("gitea", "/api/v1/user", scheme("token"), required="login",
                  identity=(("login", "login"), ("user_id", "id"), ("email", "email"), ("admin", "is_admin")))
