"""Databricks: ``GET /api/2.0/preview/scim/v2/Me`` ("Get current user info",
https://docs.databricks.com/api/workspace/currentuser/me) names the user, their groups and
entitlements. Every workspace has its own host: only the workspace URL the user configured is asked.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("databricks", "/api/2.0/preview/scim/v2/Me", bearer, required="userName",
                  identity=(("user", "userName"), ("user_id", "id"), ("groups", "groups.*.display")),
                  permissions="entitlements.*.value")
