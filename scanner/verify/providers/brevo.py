"""Brevo: ``GET /v3/account`` ("Get your account information, plan and credits details",
https://developers.brevo.com/reference/getaccount) with the key in ``api-key``.
Endpoint: ``https://api.brevo.com``.
"""

from scanner.verify.providers._json import JsonCheck, header

CHECK = JsonCheck("brevo", "/v3/account", header("api-key"), required="email",
                  identity=(("email", "email"), ("company", "companyName"), ("plan", "plan.*.type")))
