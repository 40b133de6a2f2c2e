"""Opsgenie: ``GET /v2/account`` ("Get Account Info", https://docs.opsgenie.com/docs/account-api) with
``Authorization: GenieKey ...``.
Endpoint: ``https://api.opsgenie.com`` (EU: ``https://api.eu.opsgenie.com``).
"""

from scanner.verify.providers._json import JsonCheck, scheme

CHECK = JsonCheck("opsgenie", "/v2/account", scheme("GenieKey"), required="data.name",
                  identity=(("account", "data.name"), ("plan", "data.plan.name")))
