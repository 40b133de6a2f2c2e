"""OpenRouter: ``GET /api/v1/key`` ("Get current API key", https://openrouter.ai/docs/api-reference/api-keys/get-current-key)
gives the key's label, usage and limit.
Endpoint: ``https://openrouter.ai``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("openrouter", "/api/v1/key", bearer, required="data.label",
                  identity=(("label", "data.label"), ("limit", "data.limit"), ("free_tier", "data.is_free_tier")))
