"""Postman: ``GET /me`` ("Get authenticated user", https://learning.postman.com/docs/developer/postman-api/authentication/,
https://www.postman.com/postman/postman-public-workspace/request/ab6w8zp/get-authenticated-user) with the
key in ``X-Api-Key``.
Endpoint: ``https://api.getpostman.com``.
"""

from scanner.verify.providers._json import JsonCheck, header

CHECK = JsonCheck("postman", "/me", header("X-Api-Key"), required="user.id",
                  identity=(("user_id", "user.id"), ("username", "user.username"), ("email", "user.email"),
                            ("team", "user.teamName")))
