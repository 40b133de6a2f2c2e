"""Vultr: ``GET /v2/account`` ("Get Account Info", https://www.vultr.com/api/#tag/account/operation/get-account)
names the account and lists its ACLs.
Endpoint: ``https://api.vultr.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("vultr", "/v2/account", bearer, required="account.email",
                  identity=(("name", "account.name"), ("email", "account.email")), permissions="account.acls")
