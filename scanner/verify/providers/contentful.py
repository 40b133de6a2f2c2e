"""Contentful: ``GET /users/me`` ("Get the authenticated user",
https://www.contentful.com/developers/docs/references/content-management-api/#/reference/users/user/get-the-authenticated-user).
Endpoint: ``https://api.contentful.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("contentful", "/users/me", bearer, required="sys.id",
                  identity=(("user_id", "sys.id"), ("email", "email"), ("first_name", "firstName")))
