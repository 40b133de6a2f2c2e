"""Square: ``GET /v2/merchants/me`` ("RetrieveMerchant" with the ``me`` alias,
https://developer.squareup.com/reference/square/merchants-api/retrieve-merchant).
Endpoint: ``https://connect.squareup.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("square", "/v2/merchants/me", bearer, required="merchant.id",
                  identity=(("merchant_id", "merchant.id"), ("business_name", "merchant.business_name"),
                            ("country", "merchant.country")),
                  headers=(("Square-Version", "2024-10-17"),), state=("merchant.status", ("active",)))
