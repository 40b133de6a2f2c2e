"""Verifiers of the catalogue's source control, CI/CD, package registries, cloud, hosting, monitoring and security tools providers: rule id -> verifier, and each provider's documented API root.

Every check is one read-only GET described as data (scanner/verify/providers/_json.py): the comment
above each names the documentation page of the endpoint and of the answer it reads. Providers that
run on the customer's own host (Consul, Nomad, Octopus, SonarQube, MISP, TheHive, …) are asked only
at the URL the user configured (``[verify] endpoints``).
"""

from __future__ import annotations

from typing import Mapping

from scanner.verify.providers._common import basic
from scanner.verify.providers._json import JsonCheck, bearer, header, scheme
from scanner.verify.verifier import Verifier

JSON = (("Accept", "application/json"),)


def _basic_user(secret: str) -> Mapping[str, str]:
    """HTTP basic auth with the secret as the user name and an empty password."""
    return basic(secret, "")


# provider -> documented API root (the comment of each check cites the page)
HOSTS: dict[str, str] = {
    "codefresh": "https://g.codefresh.io",
    "bitrise": "https://api.bitrise.io",
    "quay": "https://quay.io",
    "cloudsmith": "https://api.cloudsmith.io",
    "anaconda": "https://api.anaconda.org",
    "hexpm": "https://hex.pm",
    "bitbucket": "https://api.bitbucket.org",
    "upcloud": "https://api.upcloud.com",
    "koyeb": "https://app.koyeb.com",
    "dnsimple": "https://api.dnsimple.com",
    "gandi": "https://api.gandi.net",
    "netbird": "https://api.netbird.io",
    "infisical": "https://app.infisical.com",
    "incident-io": "https://api.incident.io",
    "firehydrant": "https://api.firehydrant.io",
    "rootly": "https://api.rootly.com",
    "codacy": "https://app.codacy.com",
    "gitguardian": "https://api.gitguardian.com",
    "semgrep": "https://semgrep.dev",
    "securitytrails": "https://api.securitytrails.com",
    "haveibeenpwned": "https://haveibeenpwned.com",
    "greynoise": "https://api.greynoise.io",
    "alienvault": "https://otx.alienvault.com",
    "urlscan": "https://urlscan.io",
    "flagsmith": "https://edge.api.flagsmith.com",
    "kong": "https://global.api.konghq.com",
    "pingdom": "https://api.pingdom.com",
    "harness": "https://app.harness.io",
    "crates.io": "https://crates.io",
    "readme": "https://dash.readme.com",
    "jumpcloud": "https://console.jumpcloud.com",
    "desec": "https://desec.io",
    "hybrid-analysis": "https://www.hybrid-analysis.com",
    "binaryedge": "https://api.binaryedge.io",
    "permit": "https://api.permit.io",
    "equinix-metal": "https://api.equinix.com",
    "gcore": "https://api.gcore.com",
}
# self-hosted or per-organisation hosts: only the URL the user configured is asked
CONFIGURED_ONLY: frozenset[str] = frozenset({
    "gogs", "coder", "gocd", "rundeck", "youtrack", "misp", "thehive", "defectdojo", "dependency-track", "unleash",
    "portainer", "rancher", "zitadel", "authentik", "awx", "octopus", "drone", "sonarqube", "consul", "nomad",
    "bamboo", "coolify",
})

# ---- source control and CI/CD
# https://github.com/gogs/docs-api/blob/master/Users/README.md#get-the-authenticated-user (GET /api/v1/user)
GOGS = JsonCheck("gogs", "/api/v1/user", scheme("token"), required="login",
                 identity=(("login", "login"), ("email", "email")))
# https://coder.com/docs/reference/api/users#get-user-by-name (GET /api/v2/users/me, `Coder-Session-Token`)
CODER = JsonCheck("coder", "/api/v2/users/me", header("Coder-Session-Token"), required="username",
                  identity=(("username", "username"), ("email", "email"), ("status", "status")),
                  permissions="roles.*.name")
# https://codefresh.io/docs/docs/integrations/codefresh-api/ (GET /api/user, `Authorization: <key>`)
CODEFRESH = JsonCheck("codefresh", "/api/user", header("Authorization"), required="userName",
                      identity=(("user", "userName"), ("email", "email"), ("account", "activeAccountName")))
# https://api-docs.bitrise.io/#/user/user-profile (GET /v0.1/me)
BITRISE = JsonCheck("bitrise", "/v0.1/me", header("Authorization"), required="data.username",
                    identity=(("username", "data.username"), ("slug", "data.slug"), ("email", "data.email")))
# https://api.gocd.org/current/#get-current-user (GET /go/api/current_user)
GOCD = JsonCheck("gocd", "/go/api/current_user", bearer, required="login_name",
                 identity=(("login", "login_name"), ("name", "display_name"), ("enabled", "enabled")),
                 headers=(("Accept", "application/vnd.go.cd.v1+json"),))
# https://docs.rundeck.com/docs/api/#list-roles (GET /api/41/user/roles: the token's roles)
RUNDECK = JsonCheck("rundeck", "/api/41/user/roles", header("X-Rundeck-Auth-Token"), required="roles",
                    permissions="roles", headers=JSON)
# https://docs.octopus.com/octopus-rest-api (GET /api/users/me with `X-Octopus-ApiKey`)
OCTOPUS = JsonCheck("octopus", "/api/users/me", header("X-Octopus-ApiKey"), required="Username",
                    identity=(("username", "Username"), ("email", "EmailAddress"), ("service_account", "IsService")))
# https://docs.drone.io/api/user/user_info/ (GET /api/user)
DRONE = JsonCheck("drone", "/api/user", bearer, required="login",
                  identity=(("login", "login"), ("email", "email"), ("admin", "admin")))
# https://apidocs.harness.io/tag/User#operation/getCurrentUserInfo (GET /ng/api/user/currentUser, `x-api-key`)
HARNESS = JsonCheck("harness", "/ng/api/user/currentUser", header("x-api-key"), required="data.uuid",
                    identity=(("user_id", "data.uuid"), ("email", "data.email"), ("name", "data.name")))
# https://next.sonarqube.com/sonarqube/web_api/api/authentication/validate (200 {"valid": false} for a bad token)
SONARQUBE = JsonCheck("sonarqube", "/api/authentication/validate", bearer, required="valid",
                      state=("valid", ("true",)))

# https://docs.atlassian.com/atlassian-bamboo/REST/latest/ (GET /rest/api/latest/currentUser, bearer PAT)
BAMBOO = JsonCheck("bamboo", "/rest/api/latest/currentUser", bearer, required="name",
                   identity=(("user", "name"), ("full_name", "fullName"), ("email", "email")), headers=JSON)

# ---- package and container registries
# https://docs.quay.io/api/swagger/#!/user/getLoggedInUser (GET /api/v1/user/)
QUAY = JsonCheck("quay", "/api/v1/user/", bearer, required="username",
                 identity=(("username", "username"), ("email", "email"), ("organizations", "organizations.*.name")))
# https://help.cloudsmith.io/reference/user_self (GET /v1/user/self/, `X-Api-Key`)
CLOUDSMITH = JsonCheck("cloudsmith", "/v1/user/self/", header("X-Api-Key"), required="authenticated",
                       identity=(("slug", "slug"), ("email", "email"), ("name", "name")),
                       state=("authenticated", ("true",)))
# https://api.anaconda.org/docs#/authentication (GET /authentication: the token's owner and scopes)
ANACONDA = JsonCheck("anaconda", "/authentication", scheme("token"), required="owner",
                     identity=(("owner", "owner.login"), ("application", "application")), permissions="scopes")
# https://github.com/hexpm/specifications/blob/main/apiary.apib ("Fetch the authenticated user": GET /api/users/me)
# https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/#api-user-get (GET /2.0/user): a
# repository, project or workspace access token answers as its bot user
BITBUCKET = JsonCheck("bitbucket", "/2.0/user", bearer, required="account_id",
                      identity=(("account_id", "account_id"), ("username", "username"), ("display_name", "display_name"),
                                ("account_type", "type")), headers=JSON)
HEX = JsonCheck("hexpm", "/api/users/me", header("Authorization"), required="username",
                identity=(("username", "username"), ("email", "email")), headers=JSON)
# https://www.jetbrains.com/help/youtrack/devportal/resource-api-users-me.html (GET /api/users/me?fields=…)
YOUTRACK = JsonCheck("youtrack", "/api/users/me?fields=id,login,name,email", bearer, required="login",
                     identity=(("login", "login"), ("name", "name"), ("email", "email")), headers=JSON)
# https://crates.io/api/openapi.json (GET /api/v1/me, `Authorization: <token>`)
CRATES = JsonCheck("crates.io", "/api/v1/me", header("Authorization"), required="user.login",
                   identity=(("login", "user.login"), ("email", "user.email")))

# ---- cloud, hosting, DNS
# https://developers.upcloud.com/1.3/3-accounts/#get-account-information (GET /1.3/account)
UPCLOUD = JsonCheck("upcloud", "/1.3/account", bearer, required="account.username",
                    identity=(("username", "account.username"),))
# https://www.koyeb.com/docs/reference/api#tag/Profile/operation/GetCurrentUser (GET /v1/account/profile)
KOYEB = JsonCheck("koyeb", "/v1/account/profile", bearer, required="user.id",
                  identity=(("user_id", "user.id"), ("email", "user.email"), ("name", "user.name")))
# https://developer.dnsimple.com/v2/identity/#whoami (GET /v2/whoami: the account or user the token belongs to)
DNSIMPLE = JsonCheck("dnsimple", "/v2/whoami", bearer, required="data",
                     identity=(("account", "data.account.email"), ("account_id", "data.account.id"),
                               ("user", "data.user.email")))
# https://api.gandi.net/docs/organization/#get-v5-organization-user-info
GANDI = JsonCheck("gandi", "/v5/organization/user-info", bearer, required="username",
                  identity=(("username", "username"), ("email", "email"), ("user_id", "id")))
# https://docs.netbird.io/api/resources/users#retrieve-current-user (GET /api/users/current)
NETBIRD = JsonCheck("netbird", "/api/users/current", scheme("Token"), required="id",
                    identity=(("email", "email"), ("role", "role"), ("status", "status")))
# https://docs.portainer.io/api/access; Portainer API reference `GET /api/users/me` (X-API-Key)
PORTAINER = JsonCheck("portainer", "/api/users/me", header("X-API-Key"), required="Username",
                      identity=(("username", "Username"), ("role", "Role")))
# https://ranchermanager.docs.rancher.com/api/quickstart (GET /v3/users?me=true)
RANCHER = JsonCheck("rancher", "/v3/users?me=true", bearer, required="data.0.username",
                    identity=(("username", "data.0.username"), ("name", "data.0.name")))
# https://developer.hashicorp.com/consul/api-docs/acl/tokens#read-self-token (GET /v1/acl/token/self)
CONSUL = JsonCheck("consul", "/v1/acl/token/self", header("X-Consul-Token"), required="AccessorID",
                   identity=(("accessor_id", "AccessorID"), ("description", "Description")),
                   permissions="Policies.*.Name")
# https://developer.hashicorp.com/nomad/api-docs/acl/tokens#read-self-token (GET /v1/acl/token/self)
NOMAD = JsonCheck("nomad", "/v1/acl/token/self", header("X-Nomad-Token"), required="AccessorID",
                  identity=(("accessor_id", "AccessorID"), ("name", "Name"), ("type", "Type")), permissions="Policies")
# https://docs.ansible.com/automation-controller/latest/html/controllerapi/api_ref.html#/Users/Users_users_me_list
AWX = JsonCheck("awx", "/api/v2/me/", bearer, required="results.0.username",
                identity=(("username", "results.0.username"), ("superuser", "results.0.is_superuser")))

# https://coolify.io/docs/api-reference/api/operations/get-current-team (GET /api/v1/teams/current)
COOLIFY = JsonCheck("coolify", "/api/v1/teams/current", bearer, required="id",
                    identity=(("team", "name"), ("team_id", "id")))
# https://desec.readthedocs.io/en/latest/auth/account.html#retrieve-account-information (GET /api/v1/auth/account/)
DESEC = JsonCheck("desec", "/api/v1/auth/account/", scheme("Token"), required="email",
                  identity=(("email", "email"), ("domain_limit", "limit_domains")))
# https://deploy.equinix.com/developers/api/metal/#tag/Users/operation/findCurrentUser (GET /metal/v1/user)
EQUINIX_METAL = JsonCheck("equinix-metal", "/metal/v1/user", header("X-Auth-Token"), required="id",
                          identity=(("email", "email"), ("name", "full_name"), ("user_id", "id")))
# https://api.gcore.com/docs/iam (GET /iam/users/me, `Authorization: APIKey <token>`: the user and its groups)
GCORE = JsonCheck("gcore", "/iam/users/me", scheme("APIKey"), required="id",
                  identity=(("email", "email"), ("name", "name"), ("client", "client")), permissions="groups.*.name")

# ---- secrets managers, monitoring, incident
# https://infisical.com/docs/api-reference/endpoints/service-tokens/get (GET /api/v2/service-token)
INFISICAL = JsonCheck("infisical", "/api/v2/service-token", bearer, required="workspace",
                      identity=(("name", "name"), ("workspace", "workspace")), permissions="permissions")
# https://api-docs.incident.io/tag/Utilities-V1#operation/Utilities%20V1_Identity (GET /v1/identity: name and roles)
INCIDENT_IO = JsonCheck("incident-io", "/v1/identity", bearer, required="identity.name",
                        identity=(("name", "identity.name"),), permissions="identity.roles")
# https://docs.firehydrant.com/reference/ping (GET /v1/ping: the actor the token belongs to)
FIREHYDRANT = JsonCheck("firehydrant", "/v1/ping", bearer, required="actor.id",
                        identity=(("actor", "actor.name"), ("actor_type", "actor.type"), ("email", "actor.email")))
# https://docs.rootly.com/api-reference/users/get-current-user (GET /v1/users/me)
ROOTLY = JsonCheck("rootly", "/v1/users/me", bearer, required="data.id",
                   identity=(("user_id", "data.id"), ("email", "data.attributes.email"), ("name", "data.attributes.name")))
# https://docs.pingdom.com/api/#tag/Credits (GET /api/3.1/credits)
PINGDOM = JsonCheck("pingdom", "/api/3.1/credits", bearer, required="credits",
                    identity=(("available_checks", "credits.availablechecks"),), granted=("credits:read",))

# ---- security tools
# https://api.codacy.com/api/api-docs#getuser (GET /api/v3/user, `api-token`)
CODACY = JsonCheck("codacy", "/api/v3/user", header("api-token"), required="data.id",
                   identity=(("name", "data.name"), ("email", "data.mainEmail")))
# https://api.gitguardian.com/docs#tag/API-Tokens/operation/get-self-api-token (GET /v1/api_tokens/self)
GITGUARDIAN = JsonCheck("gitguardian", "/v1/api_tokens/self", scheme("Token"), required="id",
                        identity=(("token_name", "name"), ("workspace_id", "workspace_id"), ("type", "type"),
                                  ("expire_at", "expire_at")),
                        permissions="scopes", state=("status", ("active",)))
# https://semgrep.dev/api/v1/docs/#tag/Deployment (GET /api/v1/deployments: the token's deployment)
SEMGREP = JsonCheck("semgrep", "/api/v1/deployments", bearer, required="deployments",
                    identity=(("deployment", "deployments.*.slug"),))
# https://docs.securitytrails.com/reference/ping (GET /v1/ping, `APIKEY`)
SECURITYTRAILS = JsonCheck("securitytrails", "/v1/ping", header("APIKEY"), required="success",
                           state=("success", ("true",)))
# https://haveibeenpwned.com/API/v3#SubscriptionStatus (GET /api/v3/subscription/status, `hibp-api-key`)
HIBP = JsonCheck("haveibeenpwned", "/api/v3/subscription/status", header("hibp-api-key"), required="SubscriptionName",
                 identity=(("subscription", "SubscriptionName"), ("until", "SubscribedUntil"), ("rpm", "Rpm")))
# https://docs.greynoise.io/reference/get_ping (GET /ping, `key`: the plan and its expiry)
GREYNOISE = JsonCheck("greynoise", "/ping", header("key"), required="offering",
                      identity=(("offering", "offering"), ("expiration", "expiration")))
# https://otx.alienvault.com/assets/static/external_api.html (GET /api/v1/users/me, `X-OTX-API-KEY`)
OTX = JsonCheck("alienvault", "/api/v1/users/me", header("X-OTX-API-KEY"), required="username",
                identity=(("username", "username"), ("member_since", "member_since")))
# https://urlscan.io/docs/api/#quotas (GET /user/quotas/, `API-Key`)
URLSCAN = JsonCheck("urlscan", "/user/quotas/", header("API-Key"), required="limits", granted=("quotas:read",))
# https://www.misp-project.org/openapi/#tag/Users (GET /users/view/me.json: the user, organisation and role flags)
MISP = JsonCheck("misp", "/users/view/me.json", header("Authorization"), required="User.id",
                 identity=(("email", "User.email"), ("organisation", "Organisation.name"), ("role", "Role.name")),
                 permissions="Role", headers=JSON)
# https://docs.strangebee.com/thehive/api-docs/#tag/User/operation/Get-current-user (GET /api/v1/user/current)
THEHIVE = JsonCheck("thehive", "/api/v1/user/current", bearer, required="login",
                    identity=(("login", "login"), ("organisation", "organisation"), ("profile", "profile")),
                    permissions="permissions")
# https://demo.defectdojo.org/api/v2/oa3/swagger-ui/ (GET /api/v2/user_profile/, `Authorization: Token`)
DEFECTDOJO = JsonCheck("defectdojo", "/api/v2/user_profile/", scheme("Token"), required="user.username",
                       identity=(("username", "user.username"), ("superuser", "user.is_superuser")))
# https://docs.dependencytrack.org/integrations/rest-api/ (GET /api/v1/team/self: the key's team and permissions)
DEPENDENCY_TRACK = JsonCheck("dependency-track", "/api/v1/team/self", header("X-Api-Key"), required="uuid",
                             identity=(("team", "name"), ("team_id", "uuid")), permissions="permissions.*.name")

# https://www.hybrid-analysis.com/docs/api/v2 (GET /api/v2/key/current: the key's owner and auth level)
HYBRID_ANALYSIS = JsonCheck("hybrid-analysis", "/api/v2/key/current", header("api-key"), required="auth_level_name",
                            identity=(("user", "user.email"), ("auth_level", "auth_level_name")))
# https://docs.binaryedge.io/api-v2/#v2usersubscription (GET /v2/user/subscription, `X-Key`)
BINARYEDGE = JsonCheck("binaryedge", "/v2/user/subscription", header("X-Key"), required="subscription",
                       identity=(("plan", "subscription.name"), ("requests_left", "requests_left")))

# ---- feature flags, identity, API tools
# https://api.permit.io/v2/redoc#tag/API-Keys/operation/get_api_key_scope (GET /v2/api-key/scope)
PERMIT = JsonCheck("permit", "/v2/api-key/scope", bearer, required="organization_id",
                   identity=(("organization_id", "organization_id"), ("project_id", "project_id"),
                             ("environment_id", "environment_id")))
# https://docs.flagsmith.com/clients/server-side#local-evaluation (GET /api/v1/environment-document/, server key)
FLAGSMITH = JsonCheck("flagsmith", "/api/v1/environment-document/", header("X-Environment-Key"), required="project.name",
                      identity=(("project", "project.name"), ("organisation", "project.organisation.name")),
                      granted=("environment:read",))
# https://docs.getunleash.io/reference/api/legacy/unleash/client/features (GET /api/client/features)
UNLEASH = JsonCheck("unleash", "/api/client/features", header("Authorization"), required="features",
                    identity=(("version", "version"),), granted=("features:read",))
# https://docs.konghq.com/konnect/api/identity-management/latest/#/Me/get-users-me (GET /v3/users/me)
KONG = JsonCheck("kong", "/v3/users/me", bearer, required="id",
                 identity=(("email", "email"), ("name", "full_name"), ("user_id", "id")))
# https://zitadel.com/docs/apis/resources/auth/auth-service-get-my-user (GET /auth/v1/users/me)
ZITADEL = JsonCheck("zitadel", "/auth/v1/users/me", bearer, required="user.id",
                    identity=(("user", "user.userName"), ("login", "user.preferredLoginName")))
# https://docs.goauthentik.io/docs/developer-docs/api/reference/core-users-me-retrieve (GET /api/v3/core/users/me/)
AUTHENTIK = JsonCheck("authentik", "/api/v3/core/users/me/", bearer, required="user.username",
                      identity=(("username", "user.username"), ("superuser", "user.is_superuser")),
                      permissions="user.groups.*.name")
# https://docs.readme.com/main/reference/getproject (GET /api/v1, HTTP basic auth with the key as user)
README = JsonCheck("readme", "/api/v1", _basic_user, required="name",
                   identity=(("project", "name"), ("subdomain", "subdomain"), ("plan", "plan")))
# https://docs.jumpcloud.com/api/1.0/index.html#tag/Organizations (GET /api/organizations, `x-api-key`)
JUMPCLOUD = JsonCheck("jumpcloud", "/api/organizations", header("x-api-key"), required="results",
                      identity=(("organizations", "results.*.displayName"),))

VERIFIERS: dict[str, Verifier] = {
    # rules/dev-source-ci.toml
    "gogs-access-token": GOGS,
    "coder-session-token": CODER,
    "codefresh-api-key": CODEFRESH,
    "bitrise-access-token": BITRISE,
    "gocd-access-token": GOCD,
    "rundeck-api-token": RUNDECK,
    "bamboo-pat": BAMBOO,
    # rules/dev-registries.toml
    "quay-oauth-token": QUAY,
    "cloudsmith-api-key": CLOUDSMITH,
    "anaconda-token": ANACONDA,
    "hex-api-key": HEX,
    "bitbucket-access-token": BITBUCKET,
    "jetbrains-permanent-token": YOUTRACK,
    # rules/dev-cloud.toml, dev-hosting.toml, dev-dns.toml
    "upcloud-api-token": UPCLOUD,
    "koyeb-api-token": KOYEB,
    "dnsimple-api-token": DNSIMPLE,
    "gandi-api-key": GANDI,
    "coolify-api-token": COOLIFY,
    "desec-token": DESEC,
    "equinix-metal-token": EQUINIX_METAL,
    "gcore-api-token": GCORE,
    # rules/dev-secrets-iac.toml
    "infisical-service-token": INFISICAL,
    "awx-oauth-token": AWX,
    # rules/dev-observability.toml
    "incident-io-api-key": INCIDENT_IO,
    "firehydrant-api-key": FIREHYDRANT,
    "rootly-api-key": ROOTLY,
    "pingdom-api-token": PINGDOM,
    # rules/dev-security.toml
    "codacy-api-token": CODACY,
    "gitguardian-api-key": GITGUARDIAN,
    "semgrep-app-token": SEMGREP,
    "securitytrails-api-key": SECURITYTRAILS,
    "hibp-api-key": HIBP,
    "greynoise-api-key": GREYNOISE,
    "alienvault-otx-key": OTX,
    "urlscan-api-key": URLSCAN,
    "misp-auth-key": MISP,
    "thehive-api-key": THEHIVE,
    "defectdojo-api-key": DEFECTDOJO,
    "dependency-track-api-key": DEPENDENCY_TRACK,
    "hybrid-analysis-api-key": HYBRID_ANALYSIS,
    "binaryedge-api-key": BINARYEDGE,
    # rules/dev-flags-testing.toml, dev-identity-api.toml
    "flagsmith-server-key": FLAGSMITH,
    "unleash-api-token": UNLEASH,
    "kong-konnect-pat": KONG,
    "permit-api-key": PERMIT,
    "zitadel-pat": ZITADEL,
    "authentik-token": AUTHENTIK,
    "netbird-pat": NETBIRD,
    "portainer-api-key": PORTAINER,
    "rancher-api-token": RANCHER,
    # rules of the group shipped before the catalogue
    "harness-pat": HARNESS,  # rules/ci-cd.toml
    "octopus-deploy-api-key": OCTOPUS,  # rules/ci-cd.toml
    "drone-token": DRONE,  # rules/ci-cd.toml
    "crates-io-api-token": CRATES,  # rules/package-registries.toml
    "sonarqube-user-token": SONARQUBE,  # rules/sonar.toml
    "sonarqube-project-token": SONARQUBE,
    "sonarqube-global-token": SONARQUBE,
    "sonar-legacy-token": SONARQUBE,
    "consul-acl-token": CONSUL,  # rules/hashicorp.toml
    "nomad-acl-token": NOMAD,
    "readme-api-key": README,  # rules/saas.toml
    "jumpcloud-api-key": JUMPCLOUD,  # rules/identity.toml
}
