"""Akamai Cloud (Linode): ``GET /v4/profile`` ("Profile View", https://techdocs.akamai.com/linode-api/reference/get-profile).
Endpoint: ``https://api.linode.com``.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("linode", "/v4/profile", bearer, required="username",
                  identity=(("username", "username"), ("email", "email"), ("uid", "uid"),
                            ("restricted", "restricted")))
