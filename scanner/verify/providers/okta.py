"""Okta: ``GET /api/v1/users/me`` ("Retrieve the current user",
https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/getUser)
with ``Authorization: SSWS ...`` (https://developer.okta.com/docs/guides/create-an-api-token/).
Every Okta org has its own host: only the org URL the user configured is asked.
"""

from scanner.verify.providers._json import JsonCheck, scheme

CHECK = JsonCheck("okta", "/api/v1/users/me", scheme("SSWS"), required="id",
                  identity=(("user_id", "id"), ("login", "profile.login"), ("email", "profile.email")),
                  state=("status", ("active", "password_expired", "recovery", "locked_out")))
