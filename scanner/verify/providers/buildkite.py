"""Buildkite: ``GET /v2/access-token`` ("Get the current token", https://buildkite.com/docs/apis/rest-api/access-token)
gives the token's UUID, description and scopes.
Endpoint: ``https://api.buildkite.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("buildkite", "/v2/access-token", bearer, required="uuid",
                  identity=(("token_id", "uuid"), ("description", "description")), permissions="scopes")
