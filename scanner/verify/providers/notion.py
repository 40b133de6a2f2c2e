"""Notion: ``GET /v1/users/me`` ("Retrieve your token's bot user", https://developers.notion.com/reference/get-self)
with a ``Notion-Version`` header (https://developers.notion.com/reference/versioning).
Endpoint: ``https://api.notion.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("notion", "/v1/users/me", bearer, required="id",
                  identity=(("bot_id", "id"), ("name", "name"), ("workspace", "bot.workspace_name"),
                            ("owner_type", "bot.owner.type")),
                  headers=(("Notion-Version", "2022-06-28"),))
