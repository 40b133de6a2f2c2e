"""HubSpot: ``GET /account-info/v3/details`` ("Retrieve account details",
https://developers.hubspot.com/docs/api/settings/account-information-api) with a private app token.
Endpoint: ``https://api.hubapi.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("hubspot", "/account-info/v3/details", bearer, required="portalId",
                  identity=(("portal_id", "portalId"), ("account_type", "accountType"),
                            ("data_hosting", "dataHostingLocation")))
