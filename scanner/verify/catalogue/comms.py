"""Verifiers of the catalogue's messaging, e-mail, marketing, CRM, support and social providers: rule id -> verifier, and each provider's documented API root.

Each check is one read-only GET of the provider's documented identity endpoint (the page in the
comment beside it; tests/verifycases/comms.py reproduces its answers). Per-organisation and
self-hosted services (Mastodon instances, Matrix homeservers, Chatwoot, Directus, Freshdesk,
ActiveCampaign accounts, Qualtrics data centres) are asked only at an endpoint the user configured.
"""

from __future__ import annotations

from typing import Mapping

from scanner.verify.providers import mailjet, plivo
from scanner.verify.providers._common import basic
from scanner.verify.providers._json import JsonCheck, bearer, header, scheme
from scanner.verify.verifier import FunctionVerifier, Verifier


def _basic_user(secret: str) -> Mapping[str, str]:
    """HTTP basic auth with the secret as the user name and no password."""
    return basic(secret, "")


def _basic_user_x(secret: str) -> Mapping[str, str]:
    """HTTP basic auth with the secret as the user name and ``X`` as password (Freshdesk)."""
    return basic(secret, "X")


def _basic_password(secret: str) -> Mapping[str, str]:
    """HTTP basic auth with an empty user name and the secret as password (Affinity)."""
    return basic("", secret)


def _callrail(secret: str) -> Mapping[str, str]:
    return {"Authorization": f'Token token="{secret}"'}


def _getresponse(secret: str) -> Mapping[str, str]:
    return {"X-Auth-Token": f"api-key {secret}"}


def _zammad(secret: str) -> Mapping[str, str]:
    return {"Authorization": f"Token token={secret}"}


def _discogs(secret: str) -> Mapping[str, str]:
    return {"Authorization": f"Discogs token={secret}"}


HOSTS: dict[str, str] = {
    "pushbullet": "https://api.pushbullet.com",
    "chatwork": "https://api.chatwork.com",
    "ntfy": "https://ntfy.sh",
    "novu": "https://api.novu.co",
    "line": "https://api.line.me",
    "telnyx": "https://api.telnyx.com",
    "callrail": "https://api.callrail.com",
    "smsapi": "https://api.smsapi.com",
    "plivo": "https://api.plivo.com",
    "mailjet": "https://api.mailjet.com",
    "loops": "https://app.loops.so",
    "hunter": "https://api.hunter.io",
    "nylas": "https://api.us.nylas.com",
    "klaviyo": "https://a.klaviyo.com",
    "kit": "https://api.kit.com",
    "drip": "https://api.getdrip.com",
    "mailerlite": "https://api.mailerlite.com",
    "getresponse": "https://api.getresponse.com",
    "keap": "https://api.infusionsoft.com",
    "pipedrive": "https://api.pipedrive.com",
    "close": "https://api.close.com",
    "zoho": "https://accounts.zoho.com",
    "attio": "https://api.attio.com",
    "affinity": "https://api.affinity.co",
    "streak": "https://api.streak.com",
    "pinterest": "https://api.pinterest.com",
    "tiktok": "https://open.tiktokapis.com",
    "vimeo": "https://api.vimeo.com",
    "devto": "https://dev.to",
    "medium": "https://api.medium.com",
    "webex": "https://webexapis.com",
    "daily": "https://api.daily.co",
    "wistia": "https://api.wistia.com",
    "sanity": "https://api.sanity.io",
    "datocms": "https://site-api.datocms.com",
    "webflow": "https://api.webflow.com",
    "bitly": "https://api-ssl.bitly.com",
    "rebrandly": "https://api.rebrandly.com",
    "surveymonkey": "https://api.surveymonkey.com",
    "delighted": "https://api.delighted.com",
    "bannerbear": "https://api.bannerbear.com",
    "lemlist": "https://api.lemlist.com",
    "mailosaur": "https://mailosaur.com",
    "patreon": "https://www.patreon.com",
    "beehiiv": "https://api.beehiiv.com",
    "discogs": "https://api.discogs.com",
    "ayrshare": "https://app.ayrshare.com",
    "mixmax": "https://api.mixmax.com",
    "salesflare": "https://api.salesflare.com",
    "gyazo": "https://api.gyazo.com",
}
# self-hosted or per-account hosts: only an endpoint the user configured is asked
CONFIGURED_ONLY: frozenset[str] = frozenset({
    "mastodon", "matrix", "chatwoot", "directus", "freshdesk", "activecampaign", "qualtrics", "zammad",
})

J = JsonCheck
VERIFIERS: dict[str, Verifier] = {
    # messaging
    # https://docs.pushbullet.com/#get-user
    "pushbullet-access-token": J("pushbullet", "/v2/users/me", header("Access-Token"), required="iden",
                                 identity=(("user_id", "iden"), ("email", "email"), ("name", "name"))),
    # https://developer.chatwork.com/reference/get-me
    "chatwork-api-token": J("chatwork", "/v2/me", header("X-ChatWorkToken"), required="account_id",
                            identity=(("account_id", "account_id"), ("name", "name"),
                                      ("organization", "organization_name"))),
    # https://docs.ntfy.sh/publish/#access-tokens; the account endpoint of the web app (GET /v1/account)
    "ntfy-access-token": J("ntfy", "/v1/account", bearer, required="username",
                           identity=(("username", "username"), ("tier", "tier.name")), permissions="role"),
    # https://docs.novu.co/api-reference/environments/get-current-environment
    "novu-api-key": J("novu", "/v1/environments/me", scheme("ApiKey"), required="data._id",
                      identity=(("environment", "data.name"), ("organization_id", "data._organizationId"))),
    # https://developers.line.biz/en/reference/messaging-api/#get-bot-info
    "line-channel-access-token": J("line", "/v2/bot/info", bearer, required="userId",
                                   identity=(("bot_user_id", "userId"), ("basic_id", "basicId"),
                                             ("display_name", "displayName"))),
    # https://docs.joinmastodon.org/methods/accounts/#verify_credentials (needs read:accounts)
    "mastodon-access-token": J("mastodon", "/api/v1/accounts/verify_credentials", bearer, required="id",
                               identity=(("account_id", "id"), ("username", "acct")), granted=("read:accounts",)),
    # https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3accountwhoami
    "matrix-access-token": J("matrix", "/_matrix/client/v3/account/whoami", bearer, required="user_id",
                             identity=(("user_id", "user_id"), ("device_id", "device_id"))),
    # SMS and voice
    # https://developers.telnyx.com/api/account/get-user-balance
    "telnyx-api-key": J("telnyx", "/v2/balance", bearer, required="data.balance",
                        identity=(("currency", "data.currency"),)),
    # https://apidocs.callrail.com/#accounts (list accounts)
    "callrail-api-key": J("callrail", "/v3/a.json", _callrail, required="accounts",
                          identity=(("accounts", "accounts.*.name"),)),
    # https://www.smsapi.com/docs/#profile
    "smsapi-token": J("smsapi", "/profile", bearer, required="username",
                      identity=(("username", "username"), ("email", "email"), ("name", "name"))),
    "plivo-auth-token": FunctionVerifier("plivo", plivo.verify),
    # e-mail
    "mailjet-api-secret": FunctionVerifier("mailjet", mailjet.verify),
    # https://loops.so/docs/api-reference/api-key
    "loops-api-key": J("loops", "/api/v1/api-key", bearer, required="teamName", identity=(("team", "teamName"),)),
    # https://hunter.io/api-documentation/v2#account
    "hunter-api-key": J("hunter", "/v2/account", header("X-API-KEY"), required="data.email",
                        identity=(("email", "data.email"), ("plan", "data.plan_name"))),
    # https://developer.nylas.com/docs/api/v3/admin/#get-/v3/applications
    "nylas-api-key": J("nylas", "/v3/applications", bearer, required="data.application_id",
                       identity=(("application_id", "data.application_id"),
                                 ("organization_id", "data.organization_id"), ("region", "data.region"))),
    # marketing
    # https://developers.klaviyo.com/en/reference/get_accounts (scope accounts:read)
    "klaviyo-private-api-key": J("klaviyo", "/api/accounts/", scheme("Klaviyo-API-Key"), required="data.0.id",
                                 identity=(("account_id", "data.0.id"),
                                           ("organization", "data.0.attributes.contact_information.organization_name")),
                                 granted=("accounts:read",),
                                 headers=(("revision", "2024-10-15"), ("accept", "application/vnd.api+json"))),
    # https://developers.activecampaign.com/reference/users (GET /api/3/users/me)
    "activecampaign-api-key": J("activecampaign", "/api/3/users/me", header("Api-Token"), required="user.id",
                                identity=(("username", "user.username"), ("email", "user.email"))),
    # https://developers.kit.com/api-reference/accounts/get-current-account
    "kit-api-key": J("kit", "/v4/account", header("X-Kit-Api-Key"), required="account.id",
                     identity=(("account", "account.name"), ("email", "user.email"), ("plan", "account.plan_type"))),
    # https://developer.drip.com/#fetch-the-user
    "drip-api-token": J("drip", "/v2/user", _basic_user, required="users.0.email",
                        identity=(("email", "users.0.email"), ("name", "users.0.name"))),
    # https://developers-classic.mailerlite.com/reference/api-v2 (GET /me)
    "mailerlite-api-key": J("mailerlite", "/api/v2/me", header("X-MailerLite-ApiKey"), required="account.id",
                            identity=(("account_id", "account.id"), ("email", "account.email"),
                                      ("subdomain", "account.subdomain"))),
    # https://apidocs.getresponse.com/v3/resources/accounts
    "getresponse-api-key": J("getresponse", "/v3/accounts", _getresponse, required="accountId",
                             identity=(("account_id", "accountId"), ("email", "email"), ("company", "companyName"))),
    # https://developer.infusionsoft.com/docs/rest/#tag/OAuth/operation/getUserInfoUsingGET
    "keap-api-key": J("keap", "/crm/rest/v1/oauth/connect/userinfo", header("X-Keap-API-Key"),
                      required="global_user_id", identity=(("user_id", "global_user_id"), ("email", "email"))),
    # CRM and support
    # https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser (access: the apps the user may use)
    "pipedrive-api-token": J("pipedrive", "/v1/users/me", header("x-api-token"), required="data.id",
                             identity=(("user_id", "data.id"), ("name", "data.name"), ("email", "data.email"),
                                       ("company", "data.company_name")),
                             permissions="data.access.*.app"),
    # https://developer.close.com/resources/users/#fetch-your-own-user-information
    "close-api-key": J("close", "/api/v1/me/", _basic_user, required="id",
                       identity=(("user_id", "id"), ("email", "email"), ("organizations", "organizations.*.name"))),
    # https://www.zoho.com/accounts/protocol/oauth/use-access-token.html (GET oauth/user/info)
    "zoho-oauth-token": J("zoho", "/oauth/user/info", scheme("Zoho-oauthtoken"), required="ZUID",
                          identity=(("user_id", "ZUID"), ("email", "Email"), ("name", "Display_Name"))),
    # https://developers.attio.com/reference/get_v2-self
    "attio-api-key": J("attio", "/v2/self", bearer, required="active", state=("active", ("true",)),
                       identity=(("workspace", "workspace_name"), ("workspace_id", "workspace_id")), permissions="scope"),
    # https://api-docs.affinity.co/#get-current-user
    "affinity-api-key": J("affinity", "/auth/whoami", _basic_password, required="tenant.id",
                          identity=(("tenant", "tenant.name"), ("email", "user.email")), permissions="grant.scopes"),
    # https://streak.readme.io/reference/get-current-user
    "streak-api-key": J("streak", "/api/v1/users/me", _basic_user, required="email",
                        identity=(("email", "email"), ("name", "displayName"))),
    # https://developers.freshdesk.com/api/#me
    "freshdesk-api-key": J("freshdesk", "/api/v2/agents/me", _basic_user_x, required="id",
                           identity=(("agent_id", "id"), ("email", "contact.email"), ("name", "contact.name"))),
    # https://www.chatwoot.com/developers/api/#tag/Profile
    "chatwoot-access-token": J("chatwoot", "/api/v1/profile", header("api_access_token"), required="id",
                               identity=(("email", "email"), ("name", "name"), ("accounts", "accounts.*.name")),
                               permissions="accounts.*.role"),
    # social
    # https://developers.pinterest.com/docs/api/v5/user_account-get (scope user_accounts:read)
    "pinterest-access-token": J("pinterest", "/v5/user_account", bearer, required="username",
                                identity=(("username", "username"), ("account_type", "account_type")),
                                granted=("user_accounts:read",)),
    # https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info (scope user.info.basic)
    "tiktok-access-token": J("tiktok", "/v2/user/info/?fields=open_id,display_name", bearer,
                             required="data.user.open_id", state=("error.code", ("ok",)),
                             identity=(("open_id", "data.user.open_id"), ("display_name", "data.user.display_name")),
                             granted=("user.info.basic",)),
    # https://developer.vimeo.com/api/reference/authentication-extras#verify_token
    "vimeo-access-token": J("vimeo", "/oauth/verify", bearer, required="scope",
                            identity=(("user", "user.name"), ("app", "app.name")), permissions="scope"),
    # https://developers.forem.com/api/v1#tag/users/operation/getUserMe
    "devto-api-key": J("devto", "/api/users/me", header("api-key"), required="id",
                       identity=(("user_id", "id"), ("username", "username"))),
    # https://github.com/Medium/medium-api-docs#31-users
    "medium-integration-token": J("medium", "/v1/me", bearer, required="data.id",
                                  identity=(("user_id", "data.id"), ("username", "data.username"))),
    # video
    # https://developer.webex.com/docs/api/v1/people/get-my-own-details
    "webex-access-token": J("webex", "/v1/people/me", bearer, required="id",
                            identity=(("name", "displayName"), ("emails", "emails"), ("org_id", "orgId"), ("type", "type"))),
    # https://docs.daily.co/reference/rest-api/your-domain/config
    "daily-api-key": J("daily", "/v1/", bearer, required="domain_name",
                       identity=(("domain", "domain_name"), ("domain_id", "domain_id"))),
    # https://docs.wistia.com/reference/get_account
    "wistia-api-token": J("wistia", "/v1/account.json", bearer, required="id",
                          identity=(("account", "name"), ("account_id", "id"), ("url", "url"))),
    # content
    # https://www.sanity.io/docs/http-api (GET /users/me)
    "sanity-api-token": J("sanity", "/v2021-06-07/users/me", bearer, required="id",
                          identity=(("user_id", "id"), ("name", "name"), ("email", "email"))),
    # https://www.datocms.com/docs/content-management-api/resources/site/self
    "datocms-api-token": J("datocms", "/site", bearer, required="data.id",
                           identity=(("site_id", "data.id"), ("site", "data.attributes.name")),
                           headers=(("X-Api-Version", "3"), ("Accept", "application/json"))),
    # https://docs.directus.io/reference/system/users.html#retrieve-the-current-user
    "directus-static-token": J("directus", "/users/me", bearer, required="data.id",
                               identity=(("user_id", "data.id"), ("email", "data.email"))),
    # https://developers.webflow.com/data/reference/token/introspect
    "webflow-api-token": J("webflow", "/v2/token/introspect", bearer, required="authorization.id",
                           identity=(("authorization_id", "authorization.id"),
                                     ("sites", "authorization.authorizedTo.siteIds"),
                                     ("workspaces", "authorization.authorizedTo.workspaceIds")),
                           permissions="authorization.scope"),
    # links and surveys
    # https://dev.bitly.com/api-reference/#getUser
    "bitly-access-token": J("bitly", "/v4/user", bearer, required="login",
                            identity=(("login", "login"), ("name", "name"), ("default_group", "default_group_guid"))),
    # https://developers.rebrandly.com/reference/getaccount
    "rebrandly-api-key": J("rebrandly", "/v1/account", header("apikey"), required="id",
                           identity=(("username", "username"), ("email", "email"), ("plan", "subscription.category"))),
    # https://api.surveymonkey.com/v3/docs#users-me (scopes.granted)
    "surveymonkey-access-token": J("surveymonkey", "/v3/users/me", bearer, required="id",
                                   identity=(("username", "username"), ("email", "email"),
                                             ("account_type", "account_type")),
                                   permissions="scopes.granted"),
    # https://api.qualtrics.com/ZG9jOjg3NjYzNA-finding-your-qualtrics-i-ds (GET /API/v3/whoami)
    "qualtrics-api-token": J("qualtrics", "/API/v3/whoami", header("X-API-TOKEN"), required="result.userId",
                             identity=(("username", "result.userName"), ("user_id", "result.userId"),
                                       ("brand", "result.brandId"), ("account_type", "result.accountType"))),
    # https://app.delighted.com/docs/api/getting-metrics
    "delighted-api-key": J("delighted", "/v1/metrics.json", _basic_user, required="nps", granted=("metrics:read",)),
    # media
    # https://developers.bannerbear.com/#get-v2-auth
    "bannerbear-api-key": J("bannerbear", "/v2/auth", bearer, required="project", identity=(("project", "project"),)),
    # https://www.discogs.com/developers#page:user-identity
    "discogs-token": J("discogs", "/oauth/identity", _discogs, required="id",
                       identity=(("user_id", "id"), ("username", "username"))),
    # e-mail and marketing, batch 2
    # https://developer.lemlist.com/#get-team
    "lemlist-api-key": J("lemlist", "/api/team", _basic_password, required="_id",
                         identity=(("team_id", "_id"), ("team", "name"))),
    # https://mailosaur.com/docs/api/servers (list servers)
    "mailosaur-api-key": J("mailosaur", "/api/servers", _basic_user, required="items",
                           identity=(("servers", "items.*.name"),)),
    # https://developers.beehiiv.com/api-reference/publications/index
    "beehiiv-api-key": J("beehiiv", "/v2/publications", bearer, required="data",
                         identity=(("publications", "data.*.name"),)),
    # https://docs.patreon.com/#get-api-oauth2-v2-identity (scope identity)
    "patreon-access-token": J("patreon", "/api/oauth2/v2/identity", bearer, required="data.id",
                              identity=(("user_id", "data.id"),), granted=("identity",)),
    # https://docs.zammad.org/en/latest/api/user.html (GET /api/v1/users/me)
    "zammad-api-token": J("zammad", "/api/v1/users/me", _zammad, required="id",
                          identity=(("user_id", "id"), ("login", "login"), ("email", "email"))),
    # batch 3
    # https://www.ayrshare.com/docs/apis/user/profile-details (the linked social accounts it may post to)
    "ayrshare-api-key": J("ayrshare", "/api/user", bearer, required="activeSocialAccounts",
                          identity=(("email", "email"), ("title", "title")), permissions="activeSocialAccounts"),
    # https://developer.mixmax.com/reference/users-me
    "mixmax-api-token": J("mixmax", "/v1/users/me", header("X-API-Token"), required="_id",
                          identity=(("user_id", "_id"), ("email", "email"), ("name", "name"))),
    # https://api.salesflare.com/docs#operation/getMe
    "salesflare-api-key": J("salesflare", "/me", bearer, required="id",
                            identity=(("user_id", "id"), ("email", "email"), ("team", "team.name"))),
    # https://gyazo.com/api/docs/user
    "gyazo-access-token": J("gyazo", "/api/users/me", bearer, required="user.uid",
                            identity=(("user_id", "user.uid"), ("name", "user.name"), ("email", "user.email"))),
}
