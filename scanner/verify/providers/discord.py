"""Discord: ``GET /api/v10/users/@me`` ("Get Current User",
https://discord.com/developers/docs/resources/user#get-current-user) with ``Authorization: Bot ...``
(https://discord.com/developers/docs/reference#authentication).
Endpoint: ``https://discord.com``.
"""

from scanner.verify.providers._json import JsonCheck, scheme

CHECK = JsonCheck("discord", "/api/v10/users/@me", scheme("Bot"), required="id",
                  identity=(("bot_id", "id"), ("username", "username"), ("bot", "bot")))
