"""Figma: ``GET /v1/me`` ("Get current user", https://www.figma.com/developers/api#get-me-endpoint) with the
token in ``X-Figma-Token``.
Endpoint: ``https://api.figma.com``.
"""

from scanner.verify.providers._json import JsonCheck, header

CHECK = JsonCheck("figma", "/v1/me", header("X-Figma-Token"), required="id",
                  identity=(("user_id", "id"), ("handle", "handle"), ("email", "email")))
