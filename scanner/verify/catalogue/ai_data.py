"""Verifiers of the catalogue's AI, machine learning, data, analytics, databases and search providers: rule id -> verifier, and each provider's documented API root.

Each check is one documented read-only GET (a ``JsonCheck``: the page is cited beside it) or a
function of its provider's module (scanner/verify/providers/<provider>.py cites its pages).
``granted`` names what a live answer of a listing endpoint proves the key may do.
"""

from __future__ import annotations

from scanner.verify.providers import aiven, datastax, elasticsearch, influxdb, meilisearch, metabase, posthog, supabase
from scanner.verify.providers._json import JsonCheck, bearer, header, scheme
from scanner.verify.verifier import FunctionVerifier, Verifier

HOSTS: dict[str, str] = {
    "cohere": "https://api.cohere.com",
    "mistral": "https://api.mistral.ai",
    "deepseek": "https://api.deepseek.com",
    "stability": "https://api.stability.ai",
    "elevenlabs": "https://api.elevenlabs.io",
    "assemblyai": "https://api.assemblyai.com",
    "deepgram": "https://api.deepgram.com",
    "clarifai": "https://api.clarifai.com",
    "leonardo": "https://cloud.leonardo.ai",
    "sambanova": "https://api.sambanova.ai",
    "deepinfra": "https://api.deepinfra.com",
    "mem0": "https://api.mem0.ai",
    "firecrawl": "https://api.firecrawl.dev",
    "baseten": "https://api.baseten.co",
    "lambda": "https://cloud.lambdalabs.com",
    "vastai": "https://console.vast.ai",
    "moonshot": "https://api.moonshot.ai",
    "siliconflow": "https://api.siliconflow.cn",
    "comet": "https://www.comet.com",
    "neon": "https://console.neon.tech",
    "xata": "https://api.xata.io",
    "cockroachdb": "https://cockroachlabs.cloud",
    "datastax": "https://api.astra.datastax.com",
    "elastic": "https://api.elastic-cloud.com",
    "dbt": "https://cloud.getdbt.com",
    "apify": "https://api.apify.com",
    "gretel": "https://api.gretel.cloud",
    "chroma": "https://api.trychroma.com",
    "zilliz": "https://api.cloud.zilliz.com",
    "hunter": "https://api.hunter.io",
    "turbopuffer": "https://api.turbopuffer.com",
    "hightouch": "https://api.hightouch.com",
    "census": "https://app.getcensus.com",
    "hex": "https://app.hex.tech",
    "tavily": "https://api.tavily.com",
    "cerebras": "https://api.cerebras.ai",
    "fireworks": "https://api.fireworks.ai",
    "pinecone": "https://api.pinecone.io",
    "prefect": "https://api.prefect.cloud",
    "posthog": "https://us.posthog.com",
    "segment": "https://api.segmentapis.com",
    "supabase": "https://api.supabase.com",
    "aiven": "https://api.aiven.io",
    "dify": "https://api.dify.ai",
    "twelvelabs": "https://api.twelvelabs.io",
    "revai": "https://api.rev.ai",
    "vectara": "https://api.vectara.io",
    "singlestore": "https://api.singlestore.com",
    "scrapegraph": "https://api.scrapegraphai.com",
    "crunchybridge": "https://api.crunchybridge.com",
    "featherless": "https://api.featherless.ai",
    "proxycurl": "https://nubela.co",
}
# self-hosted or per-cluster hosts: only the URL the user configured is asked
CONFIGURED_ONLY: frozenset[str] = frozenset({
    "labelstudio", "elasticsearch", "meilisearch", "metabase", "lightdash", "redash", "influxdata", "qdrant",
    "jupyterhub", "jupyter", "langflow", "appsearch", "litellm",
})

MODELS_READ = ("models:read",)

# https://docs.mistral.ai/api/#tag/models/operation/list_models_v1_models_get
MISTRAL = JsonCheck("mistral", "/v1/models", bearer, required="data", granted=MODELS_READ)
# https://docs.cohere.com/reference/list-models
COHERE = JsonCheck("cohere", "/v1/models", bearer, required="models", granted=MODELS_READ)
# https://api-docs.deepseek.com/api/get-user-balance
DEEPSEEK = JsonCheck("deepseek", "/user/balance", bearer, required="is_available",
                     identity=(("currency", "balance_infos.*.currency"), ("balance", "balance_infos.*.total_balance")))
# https://platform.stability.ai/docs/api-reference#tag/User/paths/~1v1~1user~1account/get
STABILITY = JsonCheck("stability", "/v1/user/account", bearer, required="id",
                      identity=(("user_id", "id"), ("email", "email"), ("organizations", "organizations.*.name")),
                      permissions="organizations.*.role")
# https://elevenlabs.io/docs/api-reference/user/get
ELEVENLABS = JsonCheck("elevenlabs", "/v1/user", header("xi-api-key"), required="user_id",
                       identity=(("user_id", "user_id"), ("name", "first_name"), ("tier", "subscription.tier")))
# https://www.assemblyai.com/docs/api-reference/transcripts/list
ASSEMBLYAI = JsonCheck("assemblyai", "/v2/transcript", header("Authorization"), required="page_details",
                       granted=("transcripts:read",))
# https://developers.deepgram.com/reference/manage/projects/list
DEEPGRAM = JsonCheck("deepgram", "/v1/projects", scheme("Token"), required="projects",
                     identity=(("projects", "projects.*.name"), ("project_ids", "projects.*.project_id")))
# https://docs.clarifai.com/api-guide/api-overview/ (GET /v2/users/me, `Authorization: Key`)
CLARIFAI = JsonCheck("clarifai", "/v2/users/me", scheme("Key"), required="user.id",
                     identity=(("user_id", "user.id"), ("email", "user.email_addresses.0.email")))
# https://docs.leonardo.ai/reference/getuserself
LEONARDO = JsonCheck("leonardo", "/api/rest/v1/me", bearer, required="user_details.0.user.id",
                     identity=(("user_id", "user_details.0.user.id"), ("username", "user_details.0.user.username")))
# https://docs.sambanova.ai/cloud/api-reference/endpoints/model-list
SAMBANOVA = JsonCheck("sambanova", "/v1/models", bearer, required="data", granted=MODELS_READ)
# https://deepinfra.com/docs/openai_api (OpenAI-compatible GET /v1/openai/models)
DEEPINFRA = JsonCheck("deepinfra", "/v1/openai/models", bearer, required="data", granted=MODELS_READ)
# https://docs.mem0.ai/api-reference/overview (GET /v1/ping/, `Authorization: Token`)
MEM0 = JsonCheck("mem0", "/v1/ping/", scheme("Token"), required="org_id",
                 identity=(("org_id", "org_id"), ("project_id", "project_id"), ("email", "user_email")))
# https://docs.firecrawl.dev/api-reference/endpoint/credit-usage
FIRECRAWL = JsonCheck("firecrawl", "/v1/team/credit-usage", bearer, required="data",
                      identity=(("remaining_credits", "data.remaining_credits"),))
# https://docs.baseten.co/reference/management-api/models/gets-all-models
BASETEN = JsonCheck("baseten", "/v1/models", scheme("Api-Key"), required="models",
                    identity=(("models", "models.*.name"),))
# https://docs.lambda.ai/public-cloud/cloud-api/ (GET /api/v1/instances)
LAMBDA = JsonCheck("lambda", "/api/v1/instances", bearer, required="data", granted=("instances:read",))
# https://docs.vast.ai/api-reference/accounts/show-user
VASTAI = JsonCheck("vastai", "/api/v0/users/current/", bearer, required="id",
                   identity=(("user_id", "id"), ("username", "username"), ("email", "email")))
# https://platform.moonshot.ai/docs/api/misc#check-balance
MOONSHOT = JsonCheck("moonshot", "/v1/users/me/balance", bearer, required="data",
                     identity=(("available_balance", "data.available_balance"),))
# https://docs.siliconflow.cn/en/api-reference/userinfo/get-user-info
SILICONFLOW = JsonCheck("siliconflow", "/v1/user/info", bearer, required="data.id",
                        identity=(("user_id", "data.id"), ("name", "data.name"), ("email", "data.email")))
# https://www.comet.com/docs/v2/api-and-sdk/rest-api/read-endpoints/ (GET /api/rest/v2/account-details)
COMET = JsonCheck("comet", "/api/rest/v2/account-details", header("Authorization"), required="userName",
                  identity=(("username", "userName"), ("email", "email"), ("workspace", "defaultWorkspaceName")))
# https://api.labelstud.io/api-reference/api-reference/users/whoami (`Authorization: Token`)
LABELSTUDIO = JsonCheck("labelstudio", "/api/current-user/whoami", scheme("Token"), required="id",
                        identity=(("user_id", "id"), ("username", "username"), ("email", "email")))
# https://api-docs.neon.tech/reference/getcurrentuserinfo
NEON = JsonCheck("neon", "/api/v2/users/me", bearer, required="id",
                 identity=(("user_id", "id"), ("email", "email"), ("login", "login"), ("plan", "plan")))
# https://xata.io/docs/api-reference/user#get-user-details
XATA = JsonCheck("xata", "/user", bearer, required="id",
                 identity=(("user_id", "id"), ("email", "email"), ("name", "fullname")))
# https://www.cockroachlabs.com/docs/api/cloud/v1#get-/api/v1/organization
COCKROACH = JsonCheck("cockroachdb", "/api/v1/organization", bearer, required="id",
                      identity=(("organization_id", "id"), ("organization", "name"), ("label", "label")))
# https://www.elastic.co/docs/api/doc/cloud/operation/operation-list-deployments (`Authorization: ApiKey`)
ELASTIC_CLOUD = JsonCheck("elastic", "/api/v1/deployments", scheme("ApiKey"), required="deployments",
                          identity=(("deployments", "deployments.*.name"),))
# https://docs.getdbt.com/dbt-cloud/api-v2#/operations/List%20Accounts (`Authorization: Token`)
DBT = JsonCheck("dbt", "/api/v2/accounts/", scheme("Token"), required="data",
                identity=(("accounts", "data.*.name"), ("account_ids", "data.*.id")))
# https://docs.apify.com/api/v2/users-me-get
APIFY = JsonCheck("apify", "/v2/users/me", bearer, required="data.id",
                  identity=(("user_id", "data.id"), ("username", "data.username"), ("plan", "data.plan.id")))
# https://docs.gretel.ai/ (REST: GET /users/me, the key in `Authorization`)
GRETEL = JsonCheck("gretel", "/users/me", header("Authorization"), required="data.me",
                   identity=(("user_id", "data.me._id"), ("email", "data.me.email")))
# https://docs.trychroma.com/reference/python/client#get_user_identity (GET /api/v2/auth/identity, `x-chroma-token`)
CHROMA = JsonCheck("chroma", "/api/v2/auth/identity", header("x-chroma-token"), required="tenant",
                   identity=(("user_id", "user_id"), ("tenant", "tenant")), permissions="databases")
# https://docs.zilliz.com/reference/restful/list-clusters-v2
ZILLIZ = JsonCheck("zilliz", "/v2/clusters", bearer, required="data",
                   identity=(("clusters", "data.clusters.*.clusterName"),))
# https://hunter.io/api-documentation/v2#account (`X-API-KEY` header)
HUNTER = JsonCheck("hunter", "/v2/account", header("X-API-KEY"), required="data.email",
                   identity=(("email", "data.email"), ("plan", "data.plan_name")))
# https://turbopuffer.com/docs/namespaces
TURBOPUFFER = JsonCheck("turbopuffer", "/v1/namespaces", bearer, required="namespaces",
                        identity=(("namespaces", "namespaces.*.id"),))
# https://hightouch.com/docs/api-reference#operation/ListSources
HIGHTOUCH = JsonCheck("hightouch", "/api/v1/sources", bearer, required="data", granted=("sources:read",))
# https://developers.getcensus.com/api-reference/sources/list-sources
CENSUS = JsonCheck("census", "/api/v1/sources", bearer, required="data", granted=("sources:read",))
# https://learn.hex.tech/docs/api/api-reference#operation/ListProjects
HEX = JsonCheck("hex", "/api/v1/projects", bearer, required="values", granted=("projects:read",))
# https://docs.tavily.com/documentation/api-reference/endpoint/usage
TAVILY = JsonCheck("tavily", "/usage", bearer, required="key",
                   identity=(("plan", "account.current_plan"), ("usage", "key.usage"), ("limit", "key.limit")))
# https://inference-docs.cerebras.ai/api-reference/models
CEREBRAS = JsonCheck("cerebras", "/v1/models", bearer, required="data", granted=MODELS_READ)
# https://docs.fireworks.ai/api-reference/list-models (OpenAI-compatible GET /inference/v1/models)
FIREWORKS = JsonCheck("fireworks", "/inference/v1/models", bearer, required="data", granted=MODELS_READ)
# https://docs.pinecone.io/reference/api/2025-01/control-plane/list_indexes (`Api-Key` header)
PINECONE = JsonCheck("pinecone", "/indexes", header("Api-Key"), required="indexes",
                     identity=(("indexes", "indexes.*.name"),), headers=(("X-Pinecone-API-Version", "2025-01"),))
# https://docs.prefect.io/v3/api-ref/rest-api/ (Prefect Cloud: GET /api/me/)
PREFECT = JsonCheck("prefect", "/api/me/", bearer, required="id",
                    identity=(("user_id", "id"), ("handle", "handle"), ("email", "email")))
# https://docs.segmentapis.com/tag/Workspaces#operation/getWorkspace (GET /)
SEGMENT = JsonCheck("segment", "/", bearer, required="data.workspace.id",
                    identity=(("workspace", "data.workspace.name"), ("workspace_slug", "data.workspace.slug")))
# https://docs.lightdash.com/api-reference/v1/my-account/get-authenticated-user (`Authorization: ApiKey`)
LIGHTDASH = JsonCheck("lightdash", "/api/v1/user", scheme("ApiKey"), required="results.userUuid",
                      identity=(("email", "results.email"), ("organization", "results.organizationName")),
                      permissions="results.role")
# https://redash.io/help/user-guide/integrations-and-api/api (`Authorization: Key`); GET /api/session
REDASH = JsonCheck("redash", "/api/session", scheme("Key"), required="user.id",
                   identity=(("user_id", "user.id"), ("email", "user.email"), ("org", "org_slug")),
                   permissions="user.permissions")
# https://api.qdrant.tech/api-reference/collections/get-collections (`api-key` header)
QDRANT = JsonCheck("qdrant", "/collections", header("api-key"), required="result.collections",
                   identity=(("collections", "result.collections.*.name"),))
# https://docs.dify.ai/en/guides/application-publishing/developing-with-apis (GET /v1/info: the app's basic information)
DIFY = JsonCheck("dify", "/v1/info", bearer, required="name", identity=(("app", "name"), ("tags", "tags")))
# https://docs.twelvelabs.io/v1.3/api-reference/indexes/list (`x-api-key`)
TWELVELABS = JsonCheck("twelvelabs", "/v1.3/indexes", header("x-api-key"), required="data",
                       identity=(("indexes", "data.*.index_name"),))
# https://jupyterhub.readthedocs.io/en/stable/reference/rest-api.html (GET /hub/api/user: the token's owner and scopes)
JUPYTERHUB = JsonCheck("jupyterhub", "/hub/api/user", scheme("token"), required="name",
                       identity=(("user", "name"), ("admin", "admin"), ("kind", "kind")), permissions="scopes")
# https://jupyter-server.readthedocs.io/en/latest/developers/rest-api.html (GET /api/me)
JUPYTER = JsonCheck("jupyter", "/api/me", scheme("token"), required="identity.username",
                    identity=(("username", "identity.username"), ("name", "identity.name")))
# https://docs.langflow.org/api-users (GET /api/v1/users/whoami, `x-api-key`)
LANGFLOW = JsonCheck("langflow", "/api/v1/users/whoami", header("x-api-key"), required="id",
                     identity=(("user_id", "id"), ("username", "username"), ("superuser", "is_superuser")))
# https://docs.rev.ai/api/asynchronous/reference/#operation/GetAccount
REVAI = JsonCheck("revai", "/speechtotext/v1/account", bearer, required="email",
                  identity=(("email", "email"), ("balance_seconds", "balance_seconds")))
# https://docs.vectara.com/docs/rest-api/list-corpora (`x-api-key`)
VECTARA = JsonCheck("vectara", "/v2/corpora", header("x-api-key"), required="corpora",
                    identity=(("corpora", "corpora.*.key"),))
# https://docs.singlestore.com/cloud/reference/management-api/ (GET /v1/organizations/current)
SINGLESTORE = JsonCheck("singlestore", "/v1/organizations/current", bearer, required="orgID",
                        identity=(("organization_id", "orgID"), ("organization", "name")))
# https://www.elastic.co/guide/en/app-search/current/engines.html#engines-list (GET /api/as/v1/engines)
APPSEARCH = JsonCheck("appsearch", "/api/as/v1/engines", bearer, required="results",
                      identity=(("engines", "results.*.name"),), granted=("engines:read",))
# https://docs.scrapegraphai.com/api-reference/endpoint/user/get-credits (`SGAI-APIKEY` header)
SCRAPEGRAPH = JsonCheck("scrapegraph", "/v1/credits", header("SGAI-APIKEY"), required="remaining_credits",
                        identity=(("remaining_credits", "remaining_credits"),))
# https://docs.litellm.ai/docs/proxy/virtual_keys (GET /key/info: the calling key's alias, team and allowed models)
LITELLM = JsonCheck("litellm", "/key/info", bearer, required="info",
                    identity=(("key_alias", "info.key_alias"), ("team_id", "info.team_id"), ("user_id", "info.user_id")),
                    permissions="info.models")
# https://docs.crunchybridge.com/api/account#get-account
CRUNCHYBRIDGE = JsonCheck("crunchybridge", "/account", bearer, required="id",
                          identity=(("account_id", "id"), ("email", "email"), ("name", "name")))
# https://featherless.ai/docs/api-overview-and-common-options (OpenAI-compatible GET /v1/models)
FEATHERLESS = JsonCheck("featherless", "/v1/models", bearer, required="data", granted=("models:read",))
# https://nubela.co/proxycurl/docs#meta-api-view-credit-balance-endpoint
PROXYCURL = JsonCheck("proxycurl", "/proxycurl/api/credit-balance", bearer, required="credit_balance",
                      identity=(("credit_balance", "credit_balance"),))

VERIFIERS: dict[str, Verifier] = {
    # rules/ai-models.toml
    "mistral-api-key": MISTRAL,
    "cohere-api-key": COHERE,
    "deepseek-api-key": DEEPSEEK,
    "stability-api-key": STABILITY,
    "elevenlabs-api-key": ELEVENLABS,
    "assemblyai-api-key": ASSEMBLYAI,
    "deepgram-api-key": DEEPGRAM,
    "clarifai-pat": CLARIFAI,
    "leonardo-api-key": LEONARDO,
    "sambanova-api-key": SAMBANOVA,
    "deepinfra-api-key": DEEPINFRA,
    "moonshot-api-key": MOONSHOT,
    "siliconflow-api-key": SILICONFLOW,
    # rules/ai-llmops.toml
    "mem0-api-key": MEM0,
    "firecrawl-api-key": FIRECRAWL,
    "baseten-api-key": BASETEN,
    "lambda-api-key": LAMBDA,
    "vastai-api-key": VASTAI,
    "comet-api-key": COMET,
    "labelstudio-token": LABELSTUDIO,
    "gretel-api-key": GRETEL,
    # rules/ai-vector-databases.toml
    "neon-api-key": NEON,
    "xata-api-key": XATA,
    "cockroachdb-cloud-api-key": COCKROACH,
    "astra-db-token": FunctionVerifier("datastax", datastax.verify),
    "elastic-cloud-api-key": ELASTIC_CLOUD,
    "elasticsearch-api-key": FunctionVerifier("elasticsearch", elasticsearch.verify),
    "meilisearch-api-key": FunctionVerifier("meilisearch", meilisearch.verify),
    "chroma-api-key": CHROMA,
    "zilliz-api-key": ZILLIZ,
    "turbopuffer-api-key": TURBOPUFFER,
    "qdrant-api-key": QDRANT,
    # rules/ai-analytics.toml
    "dbt-cloud-service-token": DBT,
    "dbt-cloud-personal-token": DBT,
    "metabase-api-key": FunctionVerifier("metabase", metabase.verify),
    "lightdash-pat": LIGHTDASH,
    "redash-api-key": REDASH,
    "hightouch-api-key": HIGHTOUCH,
    "census-secret-token": CENSUS,
    "hex-api-token": HEX,
    # rules/ai-search-scraping.toml
    "apify-api-token": APIFY,
    "hunter-api-key": HUNTER,
    # existing rules of the group: rules/ai-providers.toml, mistral-cohere-groq.toml, saas.toml, posthog.toml,
    # segment.toml, supabase.toml, aiven.toml, databases.toml
    "tavily-api-key": TAVILY,
    "cerebras-api-key": CEREBRAS,
    "fireworks-api-key": FIREWORKS,
    "pinecone-api-key": PINECONE,
    "prefect-api-key": PREFECT,
    "posthog-personal-api-key": FunctionVerifier("posthog", posthog.verify),
    "segment-public-api-token": SEGMENT,
    "supabase-pat": FunctionVerifier("supabase", supabase.verify),
    "aiven-api-token": FunctionVerifier("aiven", aiven.verify),
    "influxdb-token": FunctionVerifier("influxdata", influxdb.verify),
    # second batch
    "dify-api-key": DIFY,
    "twelvelabs-api-key": TWELVELABS,
    "jupyterhub-api-token": JUPYTERHUB,
    "jupyter-server-token": JUPYTER,
    "langflow-api-key": LANGFLOW,
    "revai-access-token": REVAI,
    "vectara-api-key": VECTARA,
    "singlestore-api-key": SINGLESTORE,
    "elastic-app-search-private-key": APPSEARCH,
    "scrapegraph-api-key": SCRAPEGRAPH,
    # third batch
    "litellm-key": LITELLM,
    "crunchybridge-api-key": CRUNCHYBRIDGE,
    "featherless-api-key": FEATHERLESS,
    "proxycurl-api-key": PROXYCURL,
}
