"""ClickUp: ``GET /api/v2/user`` ("Get Authorized User", https://developer.clickup.com/reference/getauthorizeduser)
with the personal token as the whole ``Authorization`` header (https://developer.clickup.com/docs/authentication).
Endpoint: ``https://api.clickup.com``.
"""

from scanner.verify.providers._json import JsonCheck, header

CHECK = JsonCheck("clickup", "/api/v2/user", header("Authorization"), required="user.id",
                  identity=(("user_id", "user.id"), ("username", "user.username"), ("email", "user.email")))
