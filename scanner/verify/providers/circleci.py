"""CircleCI: ``GET /api/v2/me`` ("User information", https://circleci.com/docs/api/v2/index.html#operation/getCurrentUser)
with the token in ``Circle-Token``.
Endpoint: ``https://circleci.com``.
"""

from scanner.verify.providers._json import JsonCheck, header

CHECK = JsonCheck("circleci", "/api/v2/me", header("Circle-Token"), required="id",
                  identity=(("user_id", "id"), ("login", "login"), ("name", "name")))
