"""xAI: ``GET /v1/api-key`` ("API key info", https://docs.x.ai/docs/api-reference#api-key) names the
key, its team and its ACLs, and says whether it is blocked or disabled.
Endpoint: ``https://api.x.ai``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("xai", "/v1/api-key", bearer, required="api_key_id",
                  identity=(("key_name", "name"), ("key_id", "api_key_id"), ("team_id", "team_id"),
                            ("user_id", "user_id")),
                  permissions="acls", dead_flags=("api_key_blocked", "api_key_disabled", "team_blocked"))
