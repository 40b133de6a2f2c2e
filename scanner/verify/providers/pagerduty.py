"""PagerDuty: ``GET /abilities`` ("List abilities", https://developer.pagerduty.com/api-reference/e18caef8a5dc3-list-abilities)
with ``Authorization: Token token=...`` (https://developer.pagerduty.com/docs/authentication) lists
what the account may do.
Endpoint: ``https://api.pagerduty.com``.
"""

from scanner.verify.providers._json import JsonCheck

CHECK = JsonCheck("pagerduty", "/abilities", lambda secret: {"Authorization": f"Token token={secret}"}, required="abilities",
                  permissions="abilities", headers=(("Accept", "application/vnd.pagerduty+json;version=2"),))
