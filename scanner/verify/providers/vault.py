"""HashiCorp Vault: ``GET /v1/auth/token/lookup-self`` ("Lookup a token (self)",
https://developer.hashicorp.com/vault/api-docs/auth/token#lookup-a-token-self) with the token in
``X-Vault-Token``: its display name, entity, policies and expiry. Every Vault has its own host: only
the address the user configured is asked.
"""

from scanner.verify.providers._json import JsonCheck, header

CHECK = JsonCheck("vault", "/v1/auth/token/lookup-self", header("X-Vault-Token"), required="data.policies",
                  identity=(("display_name", "data.display_name"), ("entity_id", "data.entity_id"),
                            ("accessor", "data.accessor"), ("expire_time", "data.expire_time")),
                  permissions="data.policies")
