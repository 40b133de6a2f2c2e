"""Doppler: ``GET /v3/me`` ("Me", https://docs.doppler.com/reference/auth-me) names the token's
workplace, its type (personal, service, service account, CLI) and name.
Endpoint: ``https://api.doppler.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("doppler", "/v3/me", bearer, required="workplace.name",
                  identity=(("workplace", "workplace.name"), ("workplace_slug", "workplace.slug"),
                            ("token_name", "name"), ("token_type", "type")))
