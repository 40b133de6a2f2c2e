"""Honeycomb: ``GET /1/auth`` ("List Authorizations", https://api-docs.honeycomb.io/api/auth) with the key in
``X-Honeycomb-Team``: its team, environment and the access it grants (``api_key_access``).
Endpoint: ``https://api.honeycomb.io`` (EU: ``https://api.eu1.honeycomb.io``).
"""

from scanner.verify.providers._json import JsonCheck, header

CHECK = JsonCheck("honeycomb", "/1/auth", header("X-Honeycomb-Team"), required="team.slug",
                  identity=(("key_id", "id"), ("team", "team.slug"), ("environment", "environment.slug")),
                  permissions="api_key_access")
