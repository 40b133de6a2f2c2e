"""HCP Terraform / Terraform Enterprise: ``GET /api/v2/account/details`` ("Get your account details",
https://developer.hashicorp.com/terraform/cloud-docs/api-docs/account#get-your-account-details).
Endpoint: ``https://app.terraform.io``; Terraform Enterprise: its own host.
"""

from scanner.verify.providers._json import JsonCheck, bearer

CHECK = JsonCheck("terraform", "/api/v2/account/details", bearer, required="data.id",
                  identity=(("user_id", "data.id"), ("username", "data.attributes.username"),
                            ("email", "data.attributes.email"), ("service_account", "data.attributes.is-service-account")),
                  headers=(("Content-Type", "application/vnd.api+json"),))
