"""Pulumi Cloud: ``GET /api/user`` with ``Authorization: token ...`` (Pulumi Cloud REST API,
https://www.pulumi.com/docs/pulumi-cloud/reference/cloud-rest-api/#authentication) names the user and
their organisations.
Endpoint: ``https://api.pulumi.com`` (self-hosted: its API URL).
"""

from scanner.verify.providers._json import JsonCheck, scheme

CHECK = JsonCheck("pulumi", "/api/user", scheme("token"), required="githubLogin",
                  identity=(("login", "githubLogin"), ("name", "name"),
                            ("organizations", "organizations.*.githubLogin")),
                  headers=(("Accept", "application/vnd.pulumi+8"),))
