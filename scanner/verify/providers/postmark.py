"""Postmark: ``GET /server`` ("Get the server", https://postmarkapp.com/developer/api/server-api) with the
token in ``X-Postmark-Server-Token``.
Endpoint: ``https://api.postmarkapp.com``.
"""

from scanner.verify.providers._json import JsonCheck, header

CHECK = JsonCheck("postmark", "/server", header("X-Postmark-Server-Token"), required="ID",
                  identity=(("server_id", "ID"), ("server", "Name")), headers=(("Accept", "application/json"),))
