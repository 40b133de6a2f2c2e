"""Azure DevOps: ``GET /_apis/profile/profiles/me`` ("Profiles - Get",
https://learn.microsoft.com/en-us/rest/api/azure/devops/profile/profiles/get) with the PAT as the
password of HTTP basic auth (https://learn.microsoft.com/en-us/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate).
A rejected PAT may be answered HTTP 203 with a sign-in page rather than 401: that is invalid too.
Endpoint: ``https://app.vssps.visualstudio.com``.
"""

from scanner.verify.providers._json import JsonCheck, basic_password

CHECK = JsonCheck("azuredevops", "/_apis/profile/profiles/me?api-version=7.1", basic_password(), required="id",
                  identity=(("user_id", "id"), ("name", "displayName"), ("email", "emailAddress")),
                  dead_statuses=(203,))
