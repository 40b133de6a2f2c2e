"""Groq: ``GET /openai/v1/models`` ("List models", https://console.groq.com/docs/api-reference#models-list).
Endpoint: ``https://api.groq.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("groq", "/openai/v1/models", bearer, required="data", granted=("models:read",))
