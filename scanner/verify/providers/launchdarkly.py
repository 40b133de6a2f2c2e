"""LaunchDarkly: ``GET /api/v2/caller-identity`` ("Identify the caller",
https://apidocs.launchdarkly.com/tag/Other#operation/getCallerIdentity) with the access token as the
``Authorization`` header: account, token name and kind, member.
Endpoint: ``https://app.launchdarkly.com``.
"""

from scanner.verify.providers._json import JsonCheck, header

CHECK = JsonCheck("launchdarkly", "/api/v2/caller-identity", header("Authorization"), required="accountId",
                  identity=(("account_id", "accountId"), ("token_name", "tokenName"), ("token_kind", "tokenKind"),
                            ("member_id", "memberId"), ("service_token", "serviceToken")),
                  permissions="scopes")
