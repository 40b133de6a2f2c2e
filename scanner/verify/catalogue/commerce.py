"""Verifiers of the catalogue's payments, finance, e-commerce, shipping, maps and business SaaS providers: rule id -> verifier, and each provider's documented API root.

Each check is one read-only GET of an identity endpoint, described as data where the answer is read
by dotted paths (scanner/verify/providers/_json.py), or a function of its provider's module. The comment above each entry cites the page the endpoint,
its authentication and its answer come from.
"""

from __future__ import annotations

import base64
from typing import Mapping

from scanner.verify.providers import binance, smartsheet
from scanner.verify.providers._common import basic
from scanner.verify.providers._json import Auth, JsonCheck, basic_password, bearer, header, scheme
from scanner.verify.verifier import FunctionVerifier, Verifier


def basic_user(password: str = "") -> Auth:
    """HTTP basic auth with the secret as user name (``key:`` as curl's ``-u key:`` sends it)."""
    return lambda secret: basic(secret, password)


def basic_secret_only(secret: str) -> Mapping[str, str]:
    """``Authorization: Basic <base64 of the key>``: the key alone, without a ``:`` (Codat)."""
    return {"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()}


HOSTS: dict[str, str] = {
    "brex": "https://platform.brexapis.com",
    "mercury": "https://api.mercury.com",
    "wise": "https://api.transferwise.com",
    "calcom": "https://api.cal.com",
    "harvest": "https://id.getharvest.com",
    "typeform": "https://api.typeform.com",
    "jotform": "https://api.jotform.com",
    "box": "https://api.box.com",
    "dropboxsign": "https://api.hellosign.com",
    "pandadoc": "https://api.pandadoc.com",
    "clockify": "https://api.clockify.me",
    "toggl": "https://api.track.toggl.com",
    "smartsheet": "https://api.smartsheet.com",
    "coda": "https://coda.io",
    "miro": "https://api.miro.com",
    "gusto": "https://api.gusto.com",
    "printful": "https://api.printful.com",
    "particle": "https://api.particle.io",
    "coinbase": "https://api.coinbase.com",
    "shipengine": "https://api.shipengine.com",
    "aftership": "https://api.aftership.com",
    "easypost": "https://api.easypost.com",
    "shippo": "https://api.goshippo.com",
    "mollie": "https://api.mollie.com",
    "gocardless": "https://api.gocardless.com",
    "adafruit": "https://io.adafruit.com",
    "rippling": "https://api.rippling.com",
    "freshbooks": "https://api.freshbooks.com",
    "smartthings": "https://api.smartthings.com",
    "todoist": "https://api.todoist.com",
    "shortcut": "https://api.app.shortcut.com",
    "pivotal": "https://www.pivotaltracker.com",
    "samsara": "https://api.samsara.com",
    "balena": "https://api.balena-cloud.com",
    "tally": "https://api.tally.so",
    "codat": "https://api.codat.io",
    "recurly": "https://v3.recurly.com",
    "paddle": "https://api.paddle.com",
    "hologram": "https://dashboard.hologram.io",
    "binance": "https://api.binance.com",
    "finch": "https://api.tryfinch.com",
    "bitgo": "https://app.bitgo.com",
    "omise": "https://api.omise.co",
    "circle": "https://api.circle.com",
    "xendit": "https://api.xendit.co",
    "raindrop": "https://api.raindrop.io",
    "everhour": "https://api.everhour.com",
    "basecamp": "https://launchpad.37signals.com",
    "thethingsnetwork": "https://eu1.cloud.thethings.network",
}
# Canvas LMS runs at each institution's own host: only the URL the user configured is asked.
CONFIGURED_ONLY: frozenset[str] = frozenset({"canvas"})

VERIFIERS: dict[str, Verifier] = {
    # https://developer.brex.com/openapi/team_api/#operation/getMe (GET /v2/users/me, user tokens as bearer)
    "brex-user-token": JsonCheck("brex", "/v2/users/me", bearer, required="id",
                                 identity=(("user_id", "id"), ("email", "email"), ("status", "status"))),
    # https://docs.mercury.com/reference/getting-started-with-your-api (basic auth, the token as user name);
    # https://docs.mercury.com/reference/getaccounts (GET /api/v1/accounts)
    "mercury-api-token": JsonCheck("mercury", "/api/v1/accounts", basic_user(), required="accounts",
                                   identity=(("accounts", "accounts.*.name"),)),
    # https://docs.wise.com/api-docs/api-reference/user (GET /v1/me: the user the token belongs to)
    "wise-api-token": JsonCheck("wise", "/v1/me", bearer, required="id",
                                identity=(("user_id", "id"), ("email", "email")), state=("active", ("true",))),
    # https://cal.com/docs/api-reference/v2/me/get-my-profile (GET /v2/me)
    "calcom-api-key": JsonCheck("calcom", "/v2/me", bearer, required="data.id",
                                identity=(("user_id", "data.id"), ("username", "data.username"),
                                          ("email", "data.email"))),
    # https://help.getharvest.com/api-v2/authentication-api/authentication/authentication/ (GET
    # https://id.getharvest.com/api/v2/accounts: the token's user and the accounts and products it reaches)
    "harvest-pat": JsonCheck("harvest", "/api/v2/accounts", bearer, required="user.id",
                             identity=(("user_id", "user.id"), ("email", "user.email"), ("accounts", "accounts.*.name")),
                             permissions="accounts.*.product"),
    # https://www.typeform.com/developers/create/reference/retrieve-own-account/ (GET /me)
    "typeform-pat": JsonCheck("typeform", "/me", bearer, required="email",
                              identity=(("alias", "alias"), ("email", "email"))),
    # https://api.jotform.com/docs/#user (GET /user with the APIKEY header)
    "jotform-api-key": JsonCheck("jotform", "/user", header("APIKEY"), required="content.username",
                                 identity=(("username", "content.username"), ("email", "content.email"),
                                           ("account_type", "content.account_type")),
                                 state=("content.status", ("active",))),
    # https://developer.box.com/reference/get-users-me/ (GET /2.0/users/me: login, role, status)
    "box-developer-token": JsonCheck("box", "/2.0/users/me", bearer, required="id",
                                     identity=(("user_id", "id"), ("login", "login"), ("enterprise", "enterprise.name")),
                                     permissions="role", state=("status", ("active",))),
    # https://developers.hellosign.com/api/reference/operation/accountGet/ (GET /v3/account, basic auth key:)
    "dropbox-sign-api-key": JsonCheck("dropboxsign", "/v3/account", basic_user(), required="account.account_id",
                                      identity=(("account_id", "account.account_id"), ("email", "account.email_address")),
                                      dead_flags=("account.is_locked",)),
    # https://developers.pandadoc.com/reference/get-current-member (GET /public/v1/members/current, API-Key scheme)
    "pandadoc-api-key": JsonCheck("pandadoc", "/public/v1/members/current", scheme("API-Key"), required="user_id",
                                  identity=(("user_id", "user_id"), ("email", "email"), ("workspace", "workspace_name")),
                                  permissions="role", state=("is_active", ("true",))),
    # https://docs.clockify.me/#tag/User/operation/getLoggedUser (GET /api/v1/user, X-Api-Key header)
    "clockify-api-key": JsonCheck("clockify", "/api/v1/user", header("X-Api-Key"), required="id",
                                  identity=(("user_id", "id"), ("email", "email"), ("active_workspace", "activeWorkspace")),
                                  state=("status", ("active",))),
    # https://engineering.toggl.com/docs/api/me (GET /api/v9/me, basic auth <token>:api_token)
    "toggl-api-token": JsonCheck("toggl", "/api/v9/me", basic_user("api_token"), required="id",
                                 identity=(("user_id", "id"), ("email", "email"),
                                           ("default_workspace", "default_workspace_id"))),
    # https://developers.smartsheet.com/api/smartsheet/openapi/users/get-current-user (GET /2.0/users/me)
    "smartsheet-access-token": FunctionVerifier("smartsheet", smartsheet.verify),
    # https://coda.io/developers/apis/v1#tag/Account/operation/whoami (GET /apis/v1/whoami)
    "coda-api-token": JsonCheck("coda", "/apis/v1/whoami", bearer, required="loginId",
                                identity=(("login", "loginId"), ("token_name", "tokenName"),
                                          ("workspace", "workspace.name"))),
    # https://developers.miro.com/reference/get-access-token-context (GET /v1/oauth-token: team, user, scopes)
    "miro-access-token": JsonCheck("miro", "/v1/oauth-token", bearer, required="team.id",
                                   identity=(("team", "team.name"), ("team_id", "team.id"), ("user", "user.name")),
                                   permissions="scopes"),
    # https://docs.gusto.com/app-integrations/reference/get-v1-token-info (GET /v1/token_info: scope, resource)
    "gusto-api-token": JsonCheck("gusto", "/v1/token_info", bearer, required="resource.uuid",
                                 identity=(("resource_type", "resource.type"), ("resource_uuid", "resource.uuid")),
                                 permissions="scope"),
    # https://developers.printful.com/docs/#operation/getScopes (GET /oauth/scopes: the token's scopes)
    "printful-token": JsonCheck("printful", "/oauth/scopes", bearer, required="result.scopes",
                                permissions="result.scopes.*.value"),
    # https://docs.particle.io/reference/cloud-apis/api/#get-the-current-access-token-information
    # (GET /v1/access_tokens/current: client, scopes, expiry)
    "particle-access-token": JsonCheck("particle", "/v1/access_tokens/current", bearer, required="client",
                                       identity=(("client", "client"), ("expires_at", "expires_at")),
                                       permissions="scopes"),
    # https://docs.cdp.coinbase.com/coinbase-app/docs/api-users#show-authorization-information (GET /v2/user/auth)
    "coinbase-oauth-token": JsonCheck("coinbase", "/v2/user/auth", bearer, required="data.method",
                                      identity=(("method", "data.method"),), permissions="data.scopes",
                                      headers=(("CB-VERSION", "2024-01-01"),)),
    # https://www.shipengine.com/docs/reference/list-carriers/ (GET /v1/carriers, API-Key header)
    "shipengine-api-key": JsonCheck("shipengine", "/v1/carriers", header("API-Key"), required="carriers",
                                    identity=(("carriers", "carriers.*.friendly_name"),)),
    # https://www.aftership.com/docs/tracking/2024-04/couriers/get-user-couriers (GET /tracking/2024-04/couriers)
    "aftership-api-key": JsonCheck("aftership", "/tracking/2024-04/couriers", header("as-api-key"),
                                   required="data.couriers", identity=(("couriers", "data.couriers.*.slug"),)),
    # https://docs.easypost.com/docs/users#retrieve-a-user (GET /v2/users: the key's user, basic auth key:)
    "easypost-api-key": JsonCheck("easypost", "/v2/users", basic_user(), required="id",
                                  identity=(("user_id", "id"), ("name", "name"), ("email", "email"))),
    # https://docs.goshippo.com/docs/guides_general/authentication/ (`Authorization: ShippoToken <key>`);
    # https://docs.goshippo.com/shippoapi/public-api/carrier-accounts/listcarrieraccounts
    "shippo-api-token": JsonCheck("shippo", "/carrier_accounts", scheme("ShippoToken"), required="results",
                                  identity=(("carriers", "results.*.carrier"),)),
    # https://docs.mollie.com/reference/list-methods (GET /v2/methods with an API key)
    "mollie-api-key": JsonCheck("mollie", "/v2/methods", bearer, required="_embedded.methods",
                                identity=(("enabled_methods", "_embedded.methods.*.id"),)),
    # https://developer.gocardless.com/api-reference/#creditors-list-creditors (GET /creditors)
    "gocardless-access-token": JsonCheck("gocardless", "/creditors", bearer, required="creditors",
                                         identity=(("creditor_id", "creditors.0.id"), ("creditor", "creditors.0.name")),
                                         headers=(("GoCardless-Version", "2015-07-06"),)),
    # https://io.adafruit.com/api/docs/#get-user-info (GET /api/v2/user, X-AIO-Key header)
    "adafruit-io-key": JsonCheck("adafruit", "/api/v2/user", header("X-AIO-Key"), required="username",
                                 identity=(("username", "username"), ("user_id", "id"))),
    # https://developer.rippling.com/documentation/base-api/reference/get-current-user (GET /platform/api/me)
    "rippling-api-token": JsonCheck("rippling", "/platform/api/me", bearer, required="id",
                                    identity=(("user_id", "id"), ("email", "workEmail"), ("company_id", "company"))),
    # https://www.freshbooks.com/api/me_endpoint (GET /auth/api/v1/users/me: identity and business roles)
    "freshbooks-access-token": JsonCheck("freshbooks", "/auth/api/v1/users/me", bearer, required="response.id",
                                         identity=(("user_id", "response.id"), ("email", "response.email"),
                                                   ("businesses", "response.business_memberships.*.business.name")),
                                         permissions="response.business_memberships.*.role"),
    # https://developer.smartthings.com/docs/api/public#operation/listLocations (GET /v1/locations)
    "smartthings-pat": JsonCheck("smartthings", "/v1/locations", bearer, required="items",
                                 identity=(("locations", "items.*.name"),)),
    # https://developer.todoist.com/api/v1/#tag/User/operation/get_user_api_v1_user_get (GET /api/v1/user)
    "todoist-api-token": JsonCheck("todoist", "/api/v1/user", bearer, required="id",
                                   identity=(("user_id", "id"), ("email", "email"))),
    # https://developer.shortcut.com/api/rest/v3#Get-Current-Member-Info (GET /api/v3/member, Shortcut-Token)
    "shortcut-api-token": JsonCheck("shortcut", "/api/v3/member", header("Shortcut-Token"), required="id",
                                    identity=(("member_id", "id"), ("mention_name", "mention_name"),
                                              ("workspace", "workspace2.url_slug"))),
    # https://www.pivotaltracker.com/help/api/rest/v5#Me (GET /services/v5/me, X-TrackerToken)
    "pivotal-tracker-token": JsonCheck("pivotal", "/services/v5/me", header("X-TrackerToken"), required="id",
                                       identity=(("username", "username"), ("email", "email"))),
    # https://developers.samsara.com/reference/getorganizationinfo (GET /me: the token's organization)
    "samsara-api-token": JsonCheck("samsara", "/me", bearer, required="data.id",
                                   identity=(("org_id", "data.id"), ("organization", "data.name"))),
    # https://docs.balena.io/reference/api/overview/ (GET /actor/v1/whoami)
    "balena-api-key": JsonCheck("balena", "/actor/v1/whoami", bearer, required="id",
                                identity=(("actor_type", "actorType"), ("username", "username"), ("email", "email"))),
    # https://developers.tally.so/api-reference/endpoint/users/me/get (GET /users/me)
    "tally-api-key": JsonCheck("tally", "/users/me", bearer, required="id",
                               identity=(("user_id", "id"), ("email", "email"), ("organization_id", "organizationId"))),
    # https://canvas.instructure.com/doc/api/users.html#method.users.api_show (GET /api/v1/users/self)
    "canvas-lms-access-token": JsonCheck("canvas", "/api/v1/users/self", bearer, required="id",
                                         identity=(("user_id", "id"), ("name", "name"), ("login_id", "login_id"))),
    # https://docs.codat.io/platform-api#/operations/get-profile (GET /profile, `Authorization: Basic <base64 key>`)
    "codat-api-key": JsonCheck("codat", "/profile", basic_secret_only, required="name",
                               identity=(("organization", "name"),)),
    # https://recurly.com/developers/api/v2021-02-25/index.html#operation/list_sites (GET /sites)
    "recurly-api-key": JsonCheck("recurly", "/sites", basic_user(), required="data",
                                 identity=(("sites", "data.*.subdomain"),),
                                 headers=(("Accept", "application/vnd.recurly.v2021-02-25+json"),)),
    # https://developer.paddle.com/api-reference/event-types/list-event-types (GET /event-types: any valid
    # key may call it; an invalid or revoked key is answered 403 invalid_token)
    "paddle-api-key": JsonCheck("paddle", "/event-types", bearer, required="data"),
    # https://www.hologram.io/references/http-rest-api/#authentication (basic auth `apikey:<key>`);
    # GET /api/1/users/me
    "hologram-api-key": JsonCheck("hologram", "/api/1/users/me", basic_password("apikey"), required="data.id",
                                  identity=(("user_id", "data.id"), ("email", "data.email"))),
    # https://developers.binance.com/docs/wallet/account/api-key-permission (signed GET; the secret only signs)
    "binance-api-secret": FunctionVerifier("binance", binance.verify),
    # https://developer.tryfinch.com/api-reference/management/introspect (GET /introspect: the connection's
    # company, payroll provider and the products the token may read)
    "finch-access-token": JsonCheck("finch", "/introspect", bearer, required="company_id",
                                    identity=(("company_id", "company_id"), ("payroll_provider", "payroll_provider_id"),
                                              ("username", "username")),
                                    permissions="products", headers=(("Finch-API-Version", "2020-09-17"),)),
    # https://developers.bitgo.com/api/v2.user.session (GET /api/v2/user/session: the token's user and scope)
    "bitgo-access-token": JsonCheck("bitgo", "/api/v2/user/session", bearer, required="session.user",
                                    identity=(("user_id", "session.user"), ("expires", "session.expires")),
                                    permissions="session.scope"),
    # https://docs.omise.co/account-api (GET /account, basic auth with the secret key as user name)
    "omise-secret-key": JsonCheck("omise", "/account", basic_user(), required="id",
                                  identity=(("account_id", "id"), ("email", "email"))),
    # https://developers.circle.com/circle-mint/reference/getaccountconfig (GET /v1/configuration)
    "circle-api-key": JsonCheck("circle", "/v1/configuration", bearer, required="data.payments",
                                identity=(("master_wallet_id", "data.payments.masterWalletId"),)),
    # https://developers.xendit.co/api-reference/#get-balance (GET /balance, basic auth with the secret key)
    "xendit-secret-key": JsonCheck("xendit", "/balance", basic_user(), required="balance"),
    # https://developer.raindrop.io/v1/user/authenticated (GET /rest/v1/user)
    "raindrop-test-token": JsonCheck("raindrop", "/rest/v1/user", bearer, required="user._id",
                                     identity=(("user_id", "user._id"), ("email", "user.email"))),
    # https://everhour.docs.apiary.io/#reference/users/me (GET /users/me, X-Api-Key: the user and role)
    "everhour-api-key": JsonCheck("everhour", "/users/me", header("X-Api-Key"), required="id",
                                  identity=(("user_id", "id"), ("email", "email")), permissions="role",
                                  state=("status", ("active",))),
    # https://github.com/basecamp/api/blob/master/sections/authentication.md#get-authorization (GET
    # https://launchpad.37signals.com/authorization.json: the identity and the accounts it reaches)
    "basecamp-access-token": JsonCheck("basecamp", "/authorization.json", bearer, required="identity.id",
                                       identity=(("user_id", "identity.id"), ("email", "identity.email_address"),
                                                 ("accounts", "accounts.*.name"))),
    # https://www.thethingsindustries.com/docs/api/reference/grpc/identityserver/#message:AuthInfoResponse
    # (GET /api/v3/auth_info: the key's id, entity and rights; clusters other than eu1 are configured)
    "ttn-api-key": JsonCheck("thethingsnetwork", "/api/v3/auth_info", bearer, required="api_key.api_key.id",
                             identity=(("key_id", "api_key.api_key.id"),
                                       ("application", "api_key.entity_ids.application_ids.application_id"),
                                       ("user", "api_key.entity_ids.user_ids.user_id")),
                             permissions="api_key.api_key.rights"),
}
