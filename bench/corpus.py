"""Build a deterministic benchmark corpus of realistic source and config text with planted FAKE secrets.

    python bench/corpus.py OUT_DIR --size-mb 300 --seed 1

Writes the files under ``OUT_DIR/tree/`` (scan that folder), the planted secrets to
``OUT_DIR/.planted.jsonl`` (one JSON object a line: ``path`` relative to the tree, 1-based ``line`` and
``end_line`` of the planted lines, ``type``, ``secret``) and ``OUT_DIR/.manifest.json``. The same seed and
size give byte-identical files; an OUT_DIR whose manifest matches is left as it is.

The text comes from templates: imports, classes, functions, comments and config keys in Python,
JS/TS, Go, Java, YAML (Kubernetes, CI), JSON, .env, .properties, INI, TOML, Terraform, shell, Dockerfile,
Markdown, minified JS with very long lines, and lockfiles full of benign high-entropy hashes. Code
mentions password/token/secret/key/auth the benign way real code does. Secrets from
``fixtures/fakecreds.py`` are planted sparsely (about one per 200 KB).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fixtures import fakecreds  # noqa: E402

GENERATOR_VERSION = 3
BYTES_PER_SECRET = 200_000
TREE = "tree"
PLANTED = ".planted.jsonl"
MANIFEST = ".manifest.json"

Block = list[str]  # lines without their newline

# ------------------------------------------------------------------------------------------------
# vocabulary

NOUNS = ("user order invoice payment account session customer product cart item report event message job "
         "task config cache client request response record entry profile team project metric alert webhook "
         "subscription plan tenant workspace file upload image document note comment review address shipment "
         "warehouse ledger transaction refund coupon notification schedule quota region cluster node").split()
VERBS = ("get fetch load save update create delete list find build parse validate render sync process handle "
         "compute resolve refresh export import send publish schedule retry merge normalize serialize").split()
ADJS = "active pending default internal remote local cached primary legacy batch raw stale next".split()
SERVICES = ("billing catalog checkout gateway identity inventory ledger notifier orders payments reporting "
            "search shipping storefront users analytics scheduler").split()
ENVS = ("dev", "staging", "prod", "qa", "sandbox")
PY_MODULES = ("os", "sys", "json", "logging", "re", "time", "typing", "dataclasses", "pathlib", "datetime",
              "functools", "itertools", "collections", "hashlib", "uuid", "asyncio", "contextlib", "enum")
PY_FROM = (("typing", "Any, Optional"), ("dataclasses", "dataclass, field"), ("datetime", "datetime, timedelta"),
           ("django.db", "models"), ("django", "forms"), ("fastapi", "APIRouter, Depends, HTTPException"),
           ("pydantic", "BaseModel, Field"), ("sqlalchemy.orm", "Session"), ("requests.auth", "HTTPBasicAuth"),
           ("flask", "Flask, request, jsonify"), ("celery", "shared_task"), ("collections", "defaultdict"))
JS_PKGS = ("react", "axios", "express", "lodash", "zod", "dayjs", "jsonwebtoken", "@tanstack/react-query",
           "next/router", "uuid", "winston", "pg", "redis", "@aws-sdk/client-s3", "stripe", "graphql")
GO_PKGS = ('"context"', '"encoding/json"', '"errors"', '"fmt"', '"net/http"', '"os"', '"strings"', '"time"',
           '"sync"', '"log/slog"', '"github.com/go-chi/chi/v5"', '"github.com/jackc/pgx/v5"',
           '"go.uber.org/zap"', '"github.com/redis/go-redis/v9"')
JAVA_IMPORTS = ("java.util.List", "java.util.Map", "java.util.Optional", "java.time.Instant",
                "org.springframework.stereotype.Service", "org.springframework.beans.factory.annotation.Value",
                "org.springframework.web.bind.annotation.*", "lombok.RequiredArgsConstructor",
                "org.slf4j.Logger", "org.slf4j.LoggerFactory", "jakarta.validation.Valid")
WORDS = ("the a service request returns configured value when missing default should be used for each retry "
         "timeout handler client server cache database connection pool is not an error this that we use to "
         "in of with from by after before and or but if only must never always note see also").split()
TOXIC = ("password", "token", "secret", "key", "auth", "credential", "api_key", "passwd", "private")


def ident(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"


def camel(rng: random.Random) -> str:
    return rng.choice(VERBS) + rng.choice(NOUNS).capitalize()


def pascal(rng: random.Random) -> str:
    return rng.choice(ADJS).capitalize() + rng.choice(NOUNS).capitalize()


def sentence(rng: random.Random, lo: int = 5, hi: int = 14) -> str:
    words = rng.choices(WORDS + NOUNS, k=rng.randint(lo, hi))
    return " ".join(words).capitalize() + "."


def hexs(rng: random.Random, n: int) -> str:
    return format(rng.getrandbits(4 * n), f"0{n}x")


def to_camel(var: str) -> str:
    parts = var.lower().split("_")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


# ------------------------------------------------------------------------------------------------
# content generators: each returns a list of blocks (insertion points for planted secrets lie between)

PY_BENIGN = (
    "    def get_token(self) -> str:\n        return self._token",
    "    password_field = forms.CharField(widget=forms.PasswordInput, max_length=128)",
    'API_TOKEN = os.environ["API_TOKEN"]',
    'token = request.headers.get("Authorization", "").removeprefix("Bearer ")',
    'if not check_password(password, user.password_hash):\n    raise AuthenticationFailed("invalid credentials")',
    "secret_key = settings.SECRET_KEY",
    'api_key = api_key or os.getenv("SERVICE_API_KEY")',
    "auth = HTTPBasicAuth(username, password)",
    "key = cache_key(prefix, user_id)",
    "# TODO: rotate the signing key every 90 days",
    "PASSWORD_MIN_LENGTH = 12",
    'token_url = f"{base_url}/oauth/token"',
    'password = getpass.getpass("Password: ")',
    'SECRET_KEY = env("DJANGO_SECRET_KEY")',
    "hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
    'refresh_token = payload.get("refresh_token")',
    'client_secret: str = Field(..., env="OAUTH_CLIENT_SECRET")',
    'password = "changeme"  # local development only',
    'api_key = "your-api-key-here"',
    "DEFAULT_TOKEN_TTL = timedelta(hours=1)",
    'AUTH_HEADER = "X-Api-Key"',
    "token_bytes = secrets.token_bytes(32)",
    'headers = {"Authorization": f"Bearer {self.access_token}"}',
    'db_password = config["database"]["password"]',
    "private_key_path = Path.home() / \".ssh\" / \"id_ed25519\"",
)


def _py_extra(rng: random.Random) -> Block:
    """FastAPI routes, dataclasses, Django models and pytest tests."""
    noun, cls = rng.choice(NOUNS), pascal(rng)
    kind = rng.randrange(4)
    if kind == 0:
        return [f'@router.{rng.choice(["get", "post", "put", "delete"])}("/{noun}s/{{{noun}_id}}", response_model={cls}Out)',
                f"async def {ident(rng)}({noun}_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)) -> {cls}Out:",
                f"    {noun} = db.get({cls}, {noun}_id)",
                f"    if {noun} is None or {noun}.owner_id != user.id:",
                f'        raise HTTPException(status_code=404, detail="{noun} not found")',
                f"    return {cls}Out.model_validate({noun})", "", ""]
    if kind == 1:
        fields = [f"    {n}: {rng.choice(['str', 'int', 'float', 'bool', 'datetime', 'list[str]', 'dict[str, Any]'])}"
                  + rng.choice(["", " = None", " = 0", " = field(default_factory=list)"]) for n in rng.sample(NOUNS, rng.randint(3, 7))]
        return ["@dataclass(frozen=True)", f"class {cls}:", f'    """{sentence(rng)}"""', ""] + fields + ["", ""]
    if kind == 2:
        return [f"class {cls}(models.Model):",
                f"    name = models.CharField(max_length={rng.choice([64, 128, 255])}, unique=True)",
                f"    {noun} = models.ForeignKey(\"{rng.choice(NOUNS).capitalize()}\", on_delete=models.CASCADE, related_name=\"{noun}s\")",
                "    api_token_hash = models.CharField(max_length=128, editable=False)",
                "    created_at = models.DateTimeField(auto_now_add=True)", "",
                "    class Meta:", f'        ordering = ["-created_at"]', "", ""]
    return [f"def test_{ident(rng)}_{rng.choice(['returns_none', 'raises', 'is_idempotent', 'round_trips'])}(client, {noun}_factory):",
            f"    {noun} = {noun}_factory(status=\"{rng.choice(ADJS)}\")",
            f'    response = client.get(f"/api/{noun}s/{{{noun}.id}}", headers={{"Authorization": "Bearer test-token"}})',
            f"    assert response.status_code == {rng.choice([200, 201, 204, 404])}",
            f'    assert response.json()["id"] == {noun}.id', "", ""]


def py_file(rng: random.Random, target: int) -> list[Block]:
    head = ['"""' + sentence(rng) + '"""', "", "from __future__ import annotations", ""]
    head += [f"import {m}" for m in sorted(rng.sample(PY_MODULES, rng.randint(2, 6)))]
    head += [f"from {m} import {names}" for m, names in rng.sample(PY_FROM, rng.randint(1, 4))]
    head += ["", f"logger = logging.getLogger(__name__)", ""]
    blocks = [head]
    size = sum(map(len, head))
    while size < target:
        r = rng.random()
        if r < 0.45:
            name, arg = ident(rng), rng.choice(NOUNS)
            b = [f"def {name}({arg}_id: int, *, timeout: float = {rng.randint(1, 60)}.0) -> dict[str, Any]:",
                 f'    """{sentence(rng)}"""',
                 f"    {arg} = repository.{rng.choice(VERBS)}({arg}_id)",
                 f"    if {arg} is None:",
                 f'        raise LookupError(f"{arg} {{{arg}_id}} not found")',
                 f"    result = {{\"id\": {arg}.id, \"status\": {arg}.status, \"updated\": {arg}.updated_at.isoformat()}}",
                 f'    logger.debug("{name} %s took %.2fs", {arg}_id, time.monotonic() - started)']
            if rng.random() < 0.3:
                b.insert(3, "    " + rng.choice(PY_BENIGN).replace("\n", "\n    ").lstrip())
            b += ["    return result", "", ""]
        elif r < 0.7:
            cls = pascal(rng)
            b = [f"class {cls}{rng.choice(['Service', 'Repository', 'Client', 'Handler', 'Form', 'Model'])}:",
                 f'    """{sentence(rng)}"""', "",
                 f"    def __init__(self, session: Session, {rng.choice(NOUNS)}: str | None = None) -> None:",
                 "        self._session = session",
                 f"        self._cache: dict[str, Any] = {{}}", ""]
            for _ in range(rng.randint(1, 4)):
                m = ident(rng)
                b += [f"    def {m}(self, key: str) -> Any:",
                      f"        if key in self._cache:", "            return self._cache[key]",
                      f"        value = self._session.query({cls}).filter_by(name=key).first()",
                      "        self._cache[key] = value", "        return value", ""]
            if rng.random() < 0.4:
                b.append(rng.choice(PY_BENIGN))
            b += ["", ""]
        elif r < 0.8:
            b = _py_extra(rng)
        elif r < 0.9:
            b = [rng.choice(PY_BENIGN) for _ in range(rng.randint(1, 3))] + [""]
        else:
            b = [f"# {sentence(rng)}", f'EXPECTED_SHA256 = "{hexs(rng, 64)}"',
                 f'REQUEST_ID = "{fakecreds.uuid(rng)}"', f"MAX_{rng.choice(NOUNS).upper()}S = {rng.randint(1, 5000)}", ""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


JS_BENIGN = (
    "const token = req.headers.authorization?.split(' ')[1];",
    "if (!user || !(await bcrypt.compare(password, user.passwordHash))) {\n  return res.status(401).json({ error: 'invalid credentials' });\n}",
    "const apiKey = process.env.API_KEY;",
    "export const AUTH_TOKEN_KEY = 'auth_token';",
    "localStorage.setItem(AUTH_TOKEN_KEY, session.accessToken);",
    "const secret = config.get('jwt.secret');",
    "const { password, ...safeUser } = user;",
    "passwordInput.type = showPassword ? 'text' : 'password';",
    "// never log the refresh token",
    "const headers = { Authorization: `Bearer ${token}` };",
    "apiKey: process.env.NEXT_PUBLIC_MAPS_API_KEY ?? '',",
    "const PASSWORD_PLACEHOLDER = '********';",
)


def js_file(rng: random.Random, target: int, ts: bool = False) -> list[Block]:
    head = [f"import {to_camel(p.split('/')[-1].replace('-', '_').replace('@', ''))} from '{p}';"
            for p in rng.sample(JS_PKGS, rng.randint(2, 5))]
    head += [f"import {{ {camel(rng)}, {camel(rng)} }} from './{rng.choice(NOUNS)}';", ""]
    blocks = [head]
    size = sum(map(len, head))
    t = (lambda s: s) if ts else (lambda s: "")
    while size < target:
        r = rng.random()
        if r < 0.5:
            fn, noun = camel(rng), rng.choice(NOUNS)
            b = [f"/**", f" * {sentence(rng)}", f" */",
                 f"export async function {fn}({noun}Id{t(': string')}, options{t(': RequestOptions')} = {{}}){t(f': Promise<{noun.capitalize()}>')} {{",
                 f"  const response = await client.get(`/api/v1/{noun}s/${{{noun}Id}}`, {{ timeout: {rng.randint(1, 30) * 1000}, ...options }});",
                 f"  if (response.status !== 200) {{",
                 f"    throw new Error(`failed to {fn} ${{{noun}Id}}: ${{response.status}}`);",
                 "  }"]
            if rng.random() < 0.3:
                b.append("  " + rng.choice(JS_BENIGN).replace("\n", "\n  "))
            b += [f"  return response.data{t(f' as {noun.capitalize()}')};", "}", ""]
        elif r < 0.75:
            comp = pascal(rng)
            b = [f"export function {comp}({{ {rng.choice(NOUNS)}, onChange }}{t(': Props')}) {{",
                 f"  const [{rng.choice(NOUNS)}s, set{comp}] = useState{t('<string[]>')}([]);",
                 "  useEffect(() => {", f"    {camel(rng)}().then(set{comp});", "  }, []);",
                 "  return (", f'    <div className="{rng.choice(NOUNS)}-{rng.choice(ADJS)}">',
                 f"      <h2>{sentence(rng, 2, 4)}</h2>", "    </div>", "  );", "}", ""]
        elif r < 0.82:
            noun = rng.choice(NOUNS)
            b = [f"router.{rng.choice(['get', 'post', 'patch'])}('/{noun}s/:id', requireAuth, async (req, res, next) => {{",
                 "  try {", f"    const {noun} = await {noun.capitalize()}.findById(req.params.id);",
                 f"    if (!{noun}) return res.status(404).json({{ error: '{noun} not found' }});",
                 f"    res.json({noun});", "  } catch (err) {", "    next(err);", "  }", "});", ""]
        elif r < 0.9:
            b = [rng.choice(JS_BENIGN) for _ in range(rng.randint(1, 3))] + [""]
        else:
            b = [f"export const {rng.choice(NOUNS).upper()}_CONFIG = {{",
                 f"  retries: {rng.randint(0, 5)},", f"  endpoint: 'https://api.{rng.choice(SERVICES)}.example.com/v2',",
                 f"  cacheKey: '{hexs(rng, 32)}',", f"  requestId: '{fakecreds.uuid(rng)}',", "};", ""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


GO_BENIGN = (
    'token := r.Header.Get("Authorization")',
    'password := os.Getenv("DB_PASSWORD")',
    "if err := bcrypt.CompareHashAndPassword(user.PasswordHash, []byte(password)); err != nil {\n\treturn ErrUnauthorized\n}",
    "type Credentials struct {\n\tUsername string `json:\"username\"`\n\tPassword string `json:\"password\"`\n\tToken    string `json:\"token,omitempty\"`\n}",
    "// APIKey is read from the environment; never commit it.",
    'secret := []byte(cfg.JWTSecret)',
    'req.SetBasicAuth(cfg.User, cfg.Password)',
)


def go_file(rng: random.Random, target: int) -> list[Block]:
    head = [f"package {rng.choice(NOUNS)}", "", "import ("] + [f"\t{p}" for p in sorted(rng.sample(GO_PKGS, rng.randint(3, 7)))] + [")", ""]
    blocks = [head]
    size = sum(map(len, head))
    while size < target:
        r = rng.random()
        if r < 0.55:
            typ, fn = pascal(rng), rng.choice(VERBS).capitalize() + rng.choice(NOUNS).capitalize()
            b = [f"// {fn} {sentence(rng).lower()}",
                 f"func (s *{typ}Service) {fn}(ctx context.Context, id string) (*{typ}, error) {{",
                 f"\tctx, cancel := context.WithTimeout(ctx, {rng.randint(1, 30)}*time.Second)", "\tdefer cancel()",
                 f"\tvar out {typ}", f"\tif err := s.db.QueryRow(ctx, query{fn}, id).Scan(&out.ID, &out.Name); err != nil {{",
                 f'\t\treturn nil, fmt.Errorf("{fn.lower()} %s: %w", id, err)', "\t}"]
            if rng.random() < 0.25:
                b.append("\t" + rng.choice(GO_BENIGN).replace("\n", "\n\t"))
            b += ["\treturn &out, nil", "}", ""]
        elif r < 0.68:
            noun = rng.choice(NOUNS)
            b = [f"func (h *Handler) {noun.capitalize()}(w http.ResponseWriter, r *http.Request) {{",
                 '\tid := chi.URLParam(r, "id")', f"\t{noun}, err := h.store.Get{noun.capitalize()}(r.Context(), id)",
                 "\tif errors.Is(err, ErrNotFound) {", '\t\thttp.Error(w, "not found", http.StatusNotFound)', "\t\treturn", "\t}",
                 "\tif err != nil {", f'\t\th.log.Error("get {noun}", "id", id, "err", err)',
                 '\t\thttp.Error(w, "internal error", http.StatusInternalServerError)', "\t\treturn", "\t}",
                 '\tw.Header().Set("Content-Type", "application/json")', f"\t_ = json.NewEncoder(w).Encode({noun})", "}", ""]
        elif r < 0.85:
            typ = pascal(rng)
            b = [f"type {typ} struct {{"] + [
                f"\t{n.capitalize()} {rng.choice(['string', 'int64', 'time.Time', 'bool', '[]string'])} `json:\"{n}\"`"
                for n in rng.sample(NOUNS, rng.randint(3, 8))] + ["}", ""]
        else:
            b = [rng.choice(GO_BENIGN), ""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


def java_file(rng: random.Random, target: int, svc: str) -> list[Block]:
    cls = pascal(rng) + rng.choice(["Service", "Controller", "Repository", "Config"])
    head = [f"package com.acme.{svc}.{rng.choice(NOUNS)};", ""] + [f"import {i};" for i in sorted(rng.sample(JAVA_IMPORTS, rng.randint(3, 7)))]
    head += ["", "@Service", "@RequiredArgsConstructor", f"public class {cls} {{", "",
             f"    private static final Logger log = LoggerFactory.getLogger({cls}.class);", "",
             '    @Value("${spring.datasource.password}")', "    private String dbPassword;", ""]
    blocks = [head]
    size = sum(map(len, head))
    while size < target:
        noun = rng.choice(NOUNS).capitalize()
        m = rng.choice(VERBS) + noun
        b = ["    /**", f"     * {sentence(rng)}", "     */",
             f"    public Optional<{noun}> {m}(String id, boolean {rng.choice(ADJS)}) {{",
             f"        log.debug(\"{m} {{}}\", id);",
             f"        return repository.findById(id).filter({noun}::isActive);", "    }", ""]
        if rng.random() < 0.15:
            b.insert(4, rng.choice(('        String token = request.getHeader("X-Auth-Token");',
                                    "        char[] password = passwordField.getPassword();",
                                    "        // the api key comes from Vault at startup")))
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    blocks.append(["}"])
    return blocks


def k8s_yaml(rng: random.Random, target: int, svc: str) -> list[Block]:
    blocks: list[Block] = []
    size = 0
    while size < target:
        r = rng.random()
        name = f"{svc}-{rng.choice(ADJS)}"
        if r < 0.5:
            b = ["---", "apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: {name}",
                 f"  namespace: {rng.choice(ENVS)}", "  labels:", f"    app: {svc}", "spec:",
                 f"  replicas: {rng.randint(1, 6)}", "  selector:", "    matchLabels:", f"      app: {svc}",
                 "  template:", "    spec:", "      containers:", f"        - name: {svc}",
                 f"          image: registry.internal/{svc}:{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
                 "          env:", "            - name: LOG_LEVEL", "              value: info",
                 "            - name: DB_PASSWORD", "              valueFrom:", "                secretKeyRef:",
                 f"                  name: {svc}-db", "                  key: password",
                 "            - name: API_TOKEN", "              valueFrom:", "                secretKeyRef:",
                 f"                  name: {svc}-api", "                  key: token",
                 "          resources:", "            limits:", f"              memory: {rng.choice([256, 512, 1024])}Mi",
                 f"              cpu: {rng.choice(['250m', '500m', '1'])}"]
        elif r < 0.75:
            b = ["---", "apiVersion: v1", "kind: Service", "metadata:", f"  name: {name}", "spec:",
                 "  ports:", f"    - port: {rng.choice([80, 443, 8080, 9090])}", f"      targetPort: {rng.randint(3000, 9000)}",
                 "  selector:", f"    app: {svc}"]
        else:
            b = ["---", "apiVersion: v1", "kind: ConfigMap", "metadata:", f"  name: {name}-config", "data:",
                 f"  {rng.choice(NOUNS)}_url: https://{rng.choice(SERVICES)}.internal/api",
                 "  auth_mode: oidc", "  token_ttl: 3600s", f"  cache_size: \"{rng.randint(100, 10000)}\"",
                 "  password_policy: strong"]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


def ci_yaml(rng: random.Random, target: int) -> list[Block]:
    blocks: list[Block] = [["name: ci", "on:", "  push:", "    branches: [main]", "  pull_request:", "", "jobs:"]]
    size = 60
    while size < target:
        job = rng.choice(["test", "build", "lint", "deploy", "publish", "e2e"]) + f"-{rng.choice(NOUNS)}"
        b = [f"  {job}:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: actions/checkout@v4",
             f"      - uses: actions/setup-{rng.choice(['node', 'python', 'go'])}@v5",
             f"      - run: make {rng.choice(['test', 'build', 'lint', 'release'])}", "        env:",
             "          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}", "          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}",
             "          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}",
             f"          GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}", ""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


def json_file(rng: random.Random, target: int) -> list[Block]:
    lines = ["{", f'  "name": "{rng.choice(SERVICES)}-{rng.choice(NOUNS)}",', f'  "version": "{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}",',
             '  "auth": {"type": "oauth2", "tokenUrl": "https://login.example.com/oauth/token", "clientSecret": "${CLIENT_SECRET}"},',
             '  "items": [']
    blocks: list[Block] = [lines]
    size = sum(map(len, lines))
    while size < target:
        b = ["    {", f'      "id": "{fakecreds.uuid(rng)}",', f'      "{rng.choice(NOUNS)}": "{rng.choice(ADJS)}",',
             f'      "count": {rng.randint(0, 99999)},', f'      "checksum": "{hexs(rng, 40)}",',
             f'      "description": "{sentence(rng)}",', f'      "password_reset_required": {rng.choice(["true", "false"])}',
             "    },"]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    blocks.append(['    {"id": "end"}', "  ]", "}"])
    return blocks


def env_file(rng: random.Random, target: int) -> list[Block]:
    blocks: list[Block] = [[f"# {sentence(rng)}"]]
    size = 0
    opts = ("PORT=8080", "LOG_LEVEL=info", "NODE_ENV=production", "DATABASE_HOST=localhost", "DATABASE_PORT=5432",
            "API_KEY=your-api-key-here", "SECRET_KEY=changeme", "DB_PASSWORD=", "REDIS_URL=redis://localhost:6379/0",
            "JWT_EXPIRES_IN=3600", "AUTH_PROVIDER=oidc", "SMTP_PASSWORD=${SMTP_PASSWORD}", "FEATURE_FLAGS=search,checkout",
            "TOKEN_AUDIENCE=api://default")
    while size < target:
        b = [rng.choice(opts) if rng.random() < 0.6 else f"{rng.choice(NOUNS).upper()}_{rng.choice(ADJS).upper()}={rng.randint(0, 9999)}"
             for _ in range(rng.randint(2, 6))] + [""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


def properties_file(rng: random.Random, target: int) -> list[Block]:
    blocks: list[Block] = []
    size = 0
    while size < target:
        n = rng.choice(NOUNS)
        b = [f"# {sentence(rng)}", f"spring.datasource.url=jdbc:postgresql://localhost:5432/{n}",
             "spring.datasource.username=app", "spring.datasource.password=${DB_PASSWORD}",
             f"{n}.cache.ttl={rng.randint(10, 3600)}", f"{n}.client.timeout-ms={rng.randint(100, 30000)}",
             "security.oauth2.client.client-secret=${OAUTH_SECRET}", ""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


def ini_file(rng: random.Random, target: int) -> list[Block]:
    blocks: list[Block] = []
    size = 0
    while size < target:
        b = [f"[{rng.choice(NOUNS)}:{rng.choice(ADJS)}]", f"host = {rng.choice(SERVICES)}.internal", f"port = {rng.randint(1000, 9999)}",
             f"timeout = {rng.randint(1, 60)}", "password = %(DB_PASSWORD)s", f"token_file = /run/secrets/{rng.choice(NOUNS)}", ""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


def toml_file(rng: random.Random, target: int) -> list[Block]:
    blocks: list[Block] = [["[project]", f'name = "{rng.choice(SERVICES)}"', f'version = "{rng.randint(0, 3)}.{rng.randint(0, 20)}.0"',
                            "dependencies = [" + ", ".join(f'"{p}>={rng.randint(1, 9)}.0"' for p in rng.sample(["requests", "pydantic", "sqlalchemy", "rich", "click", "httpx"], 3)) + "]", ""]]
    size = 150
    while size < target:
        n = rng.choice(NOUNS)
        b = [f"[tool.{rng.choice(SERVICES)}.{n}]", f'endpoint = "https://{n}.example.com"', f"retries = {rng.randint(0, 8)}",
             'api_key_env = "SERVICE_API_KEY"', f"verify_tls = {rng.choice(['true', 'false'])}", ""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


def tf_file(rng: random.Random, target: int) -> list[Block]:
    blocks: list[Block] = [['terraform {', '  required_providers {', '    aws = {', '      source  = "hashicorp/aws"',
                            '      version = "~> 5.0"', '    }', '  }', '}', '']]
    size = 120
    while size < target:
        n = rng.choice(NOUNS)
        r = rng.random()
        if r < 0.4:
            b = [f'variable "{n}_password" {{', '  type      = string', '  sensitive = true',
                 f'  description = "{sentence(rng)}"', "}", ""]
        elif r < 0.8:
            b = [f'resource "aws_s3_bucket" "{n}" {{', f'  bucket = "acme-{rng.choice(ENVS)}-{n}-{hexs(rng, 6)}"',
                 "  tags = {", f'    Team = "{rng.choice(SERVICES)}"', "  }", "}", ""]
        else:
            b = [f'resource "aws_db_instance" "{n}" {{', '  engine   = "postgres"', '  username = "app"',
                 f"  password = var.{n}_password", f'  instance_class = "db.t3.{rng.choice(["micro", "small", "medium"])}"', "}", ""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


def sh_file(rng: random.Random, target: int) -> list[Block]:
    blocks: list[Block] = [["#!/usr/bin/env bash", "set -euo pipefail", ""]]
    size = 40
    while size < target:
        fn = ident(rng)
        b = [f"{fn}() {{", f'  local target="${{1:-{rng.choice(ENVS)}}}"', f'  echo "{sentence(rng)}"',
             f'  curl -fsS -H "Authorization: Bearer ${{API_TOKEN}}" "https://{rng.choice(SERVICES)}.internal/api/$target"',
             '  read -rsp "Password: " password', "}", ""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


def dockerfile(rng: random.Random, target: int) -> list[Block]:
    base = rng.choice(["python:3.12-slim", "node:20-alpine", "golang:1.22", "eclipse-temurin:21-jre"])
    blocks: list[Block] = [[f"FROM {base} AS build", "WORKDIR /app", "ARG NPM_TOKEN", "ENV PYTHONUNBUFFERED=1"]]
    size = 80
    while size < target:
        b = [f"RUN apt-get update && apt-get install -y --no-install-recommends {' '.join(rng.sample(['curl', 'git', 'ca-certificates', 'libpq5', 'tini', 'jq'], 3))} && rm -rf /var/lib/apt/lists/*",
             f"COPY {rng.choice(NOUNS)}/ ./{rng.choice(NOUNS)}/", f"RUN make {rng.choice(['build', 'deps', 'assets'])}", ""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    blocks.append(["USER 10001", 'ENTRYPOINT ["/app/entrypoint.sh"]'])
    return blocks


def md_file(rng: random.Random, target: int) -> list[Block]:
    blocks: list[Block] = [[f"# {rng.choice(SERVICES).capitalize()} {rng.choice(NOUNS)}", "", sentence(rng, 10, 30), ""]]
    size = 100
    while size < target:
        r = rng.random()
        if r < 0.5:
            b = [f"## {sentence(rng, 2, 5)[:-1]}", ""] + [" ".join(sentence(rng, 8, 20) for _ in range(rng.randint(2, 5))), ""]
        elif r < 0.75:
            b = ["```bash", f"export API_TOKEN=<your token>", f"make {rng.choice(['run', 'test', 'deploy'])} ENV={rng.choice(ENVS)}", "```", ""]
        else:
            b = ["| setting | default | description |", "| --- | --- | --- |"] + [
                f"| `{rng.choice(NOUNS)}.{rng.choice(TOXIC)}` | `{rng.choice(['none', 'changeme', '${SECRET}', '30s'])}` | {sentence(rng, 3, 8)} |"
                for _ in range(rng.randint(2, 6))] + [""]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    return blocks


def minjs_file(rng: random.Random, target: int) -> list[Block]:
    """Minified bundles: a handful of very long lines (hundreds of KB each)."""
    blocks: list[Block] = []
    size = 0
    while size < target:
        line_target = min(target - size, rng.randint(100_000, 800_000))
        parts: list[str] = ['!function(e,t){"use strict";']
        n = 0
        while n < line_target:
            v = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=2))
            p = rng.choice((
                f'var {v}=function(e){{return e&&e.__esModule?e:{{default:e}}}};',
                f'{v}.exports={{{rng.choice(NOUNS)}:"{rng.choice(ADJS)}",id:"{hexs(rng, 16)}",auth:function(t){{return t.token||null}}}};',
                f'function {v}(e,t){{if(!(e instanceof t))throw new TypeError("Cannot call a class as a function")}}',
                f'{v}=e.headers.Authorization="Bearer "+n.accessToken,',
                f'"{rng.choice(NOUNS)}"===t.type&&(r.password=void 0),',
                f'o.{rng.choice(NOUNS)}={rng.randint(0, 99999)},',
            ))
            parts.append(p)
            n += len(p)
        parts.append("}(this);")
        b = ["".join(parts)]
        blocks.append(b)
        size += len(b[0]) + 1
    return blocks


def lockfile(rng: random.Random, target: int, flavour: str) -> list[Block]:
    blocks: list[Block] = []
    size = 0
    if flavour == "npm":
        blocks.append(["{", '  "name": "web",', '  "lockfileVersion": 3,', '  "packages": {'])
    while size < target:
        pkg = f"{rng.choice(NOUNS)}-{rng.choice(VERBS)}{rng.choice(['', '-js', '-utils', 'er'])}"
        ver = f"{rng.randint(0, 12)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"
        if flavour == "npm":
            b = [f'    "node_modules/{pkg}": {{', f'      "version": "{ver}",',
                 f'      "resolved": "https://registry.npmjs.org/{pkg}/-/{pkg}-{ver}.tgz",',
                 f'      "integrity": "sha512-{fakecreds.b64(fakecreds.rand_bytes(rng, 64))}",', '      "dev": true', "    },"]
        elif flavour == "yarn":
            b = [f'"{pkg}@^{ver}":', f'  version "{ver}"', f'  resolved "https://registry.yarnpkg.com/{pkg}/-/{pkg}-{ver}.tgz#{hexs(rng, 40)}"',
                 f"  integrity sha512-{fakecreds.b64(fakecreds.rand_bytes(rng, 64))}", ""]
        elif flavour == "poetry":
            b = ["[[package]]", f'name = "{pkg}"', f'version = "{ver}"', 'optional = false', 'python-versions = ">=3.8"', "files = ["] + [
                f'    {{file = "{pkg}-{ver}-py3-none-any.whl", hash = "sha256:{hexs(rng, 64)}"}},' for _ in range(rng.randint(1, 4))] + ["]", ""]
        else:  # go.sum
            mod = f"github.com/{rng.choice(NOUNS)}/{pkg}"
            b = [f"{mod} v{ver} h1:{fakecreds.b64(fakecreds.rand_bytes(rng, 32))}",
                 f"{mod} v{ver}/go.mod h1:{fakecreds.b64(fakecreds.rand_bytes(rng, 32))}"]
        blocks.append(b)
        size += sum(map(len, b)) + len(b)
    if flavour == "npm":
        blocks.append(['    "": {}', "  }", "}"])
    return blocks


# ------------------------------------------------------------------------------------------------
# planting


def _assign(host: str, var: str, value: str, rng: random.Random) -> Block:
    """Lines that set ``var`` to a one-line ``value`` in the syntax of ``host``."""
    c = to_camel(var)
    q = json.dumps(value)
    if host == "py":
        return [rng.choice((f"{var} = {q}", f"client = Client({c[0].lower()}{c[1:]}={q})", f'os.environ.setdefault("{var}", {q})'))]
    if host in ("js", "ts"):
        return [rng.choice((f"const {c} = {q};", f"export const {var} = {q};", f"  {c}: {q},"))]
    if host == "go":
        return [rng.choice((f"const {c} = {q}", f"\t{c[0].upper()}{c[1:]}: {q},"))]
    if host == "java":
        return [f"    private static final String {var} = {q};"]
    if host in ("k8s", "ci"):
        if rng.random() < 0.5:
            return [f"            - name: {var}", f"              value: {q}"]
        return [f"  {var.lower()}: {q}"]
    if host in ("json", "lock-npm"):
        return [f"  {json.dumps(c)}: {q},"]
    if host == "env":
        return [rng.choice((f"{var}={value}", f'{var}="{value}"', f'export {var}="{value}"'))]
    if host == "properties":
        return [f"{var.lower().replace('_', '.')}={value}"]
    if host == "ini":
        return [f"{var.lower()} = {value}"]
    if host in ("toml", "tf"):
        return [f"{'  ' if host == 'tf' else ''}{var.lower()} = {q}"]
    if host == "sh":
        return [f'export {var}="{value}"']
    if host == "dockerfile":
        return [f"ENV {var}={value}"]
    if host == "md":
        return ["```", f"{var}={value}", "```"]
    return [f"{var}={value}"]


def _assign_multiline(host: str, var: str, value: str, kind: str) -> Block:
    """Lines that hold a multi-line ``value`` (a PEM block or a JSON document) in ``host`` syntax."""
    lines = value.split("\n")
    if host == "py":
        if kind.endswith("-json"):
            return [f'{var} = json.loads("""'] + lines + ['""")']
        return [f'{var} = """' + lines[0]] + lines[1:-1] + [lines[-1] + '"""']
    if host in ("k8s", "ci"):
        return [f"  {var.lower().replace('_', '-')}: |"] + ["    " + line for line in lines]
    if host == "json":
        if kind.endswith("-json"):
            return [f'  "{to_camel(var)}": ' + lines[0]] + ["  " + line for line in lines[1:-1]] + ["  " + lines[-1] + ","]
        return [f"  {json.dumps(to_camel(var))}: {json.dumps(value + chr(10))},"]
    if host in ("md",):
        return ["```"] + lines + ["```"]
    if host in ("js", "ts"):
        return [f"const {to_camel(var)} = `" + lines[0]] + lines[1:-1] + [lines[-1] + "`;"]
    if host in ("env", "sh", "properties", "dockerfile", "ini", "toml", "tf", "go", "java"):
        flat = json.dumps(value if kind.endswith("-json") else value + "\n")
        if kind.endswith("-json"):
            flat = json.dumps(json.dumps(json.loads(value), separators=(",", ":")))
        if host in ("env", "sh"):
            return [f"{'export ' if host == 'sh' else ''}{var}={flat}"]
        if host == "go":
            return [f"const {to_camel(var)} = {flat}"]
        if host == "java":
            return [f"    private static final String {var} = {flat};"]
        if host in ("toml", "tf"):
            return [f"{var.lower()} = {flat}"]
        if host == "dockerfile":
            return [f"ENV {var}={flat}"]
        return [f"{var.lower()}={flat[1:-1]}"]
    return lines


def plant_block(host: str, kind: str, value: str, rng: random.Random) -> Block:
    var = fakecreds.VARIABLE_NAMES[kind]
    if "\n" in value:
        return _assign_multiline(host, var, value, kind)
    return _assign(host, var, value, rng)


# A key id is usually leaked with the secret that goes with it (some scanners only report the pair).
PAIRS = {
    "aws-access-key-id": ("aws-secret-access-key",),
    "aws-temporary-access-key-id": ("aws-secret-access-key", "aws-session-token"),
}


def poisson(rng: random.Random, lam: float) -> int:
    threshold, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


# ------------------------------------------------------------------------------------------------
# plan and build


@dataclass(frozen=True)
class FileSpec:
    index: int
    path: str  # relative to the tree, "/"-separated
    host: str  # which generator and which planting syntax
    size: int  # target size in bytes
    svc: str


# (host, weight by count, path template); sizes come from a log-normal unless the host is large
HOSTS = (
    ("py", 18, "{repo}/src/{pkg}/{sub}/{name}.py"),
    ("js", 8, "web/{app}/src/{sub}/{name}.js"),
    ("ts", 10, "web/{app}/src/{sub}/{Name}.tsx"),
    ("go", 8, "services/{svc}/internal/{pkg}/{name}.go"),
    ("java", 7, "services/{svc}/src/main/java/com/acme/{svc}/{pkg}/{Name}.java"),
    ("k8s", 7, "deploy/k8s/{env}/{svc}/{name}.yaml"),
    ("ci", 2, "{repo}/.github/workflows/{name}.yml"),
    ("json", 6, "{repo}/config/{name}.json"),
    ("env", 2, "{repo}/.env.{env}"),
    ("properties", 2, "services/{svc}/src/main/resources/application-{env}.properties"),
    ("ini", 1.5, "{repo}/config/{name}.ini"),
    ("toml", 2, "{repo}/{name}.toml"),
    ("tf", 4, "infra/terraform/{env}/{name}.tf"),
    ("sh", 4, "{repo}/scripts/{name}.sh"),
    ("dockerfile", 2, "{repo}/docker/{name}/Dockerfile"),
    ("md", 7, "{repo}/docs/{name}.md"),
    ("minjs", 0.6, "web/{app}/dist/assets/{name}-{hash}.min.js"),
    ("lock-npm", 0.4, "web/{app}/package-lock.json"),
    ("lock-yarn", 0.3, "web/{app}/yarn.lock"),
    ("lock-poetry", 0.3, "{repo}/poetry.lock"),
    ("lock-go", 0.3, "services/{svc}/go.sum"),
)
LARGE = {"minjs": (200_000, 3_000_000), "lock-npm": (100_000, 2_500_000), "lock-yarn": (100_000, 1_500_000),
         "lock-poetry": (50_000, 800_000), "lock-go": (20_000, 300_000)}
NO_PLANT = {"lock-npm", "lock-yarn", "lock-poetry", "lock-go"}


def plan(seed: int, total_bytes: int) -> list[FileSpec]:
    rng = random.Random(f"corpus-plan/{seed}")
    names = [h[0] for h in HOSTS]
    weights = [h[1] for h in HOSTS]
    templates = {h[0]: h[2] for h in HOSTS}
    repos = [f"{s}-{rng.choice(['api', 'service', 'app', 'lib', 'worker'])}" for s in SERVICES] + ["platform", "tools", "shared-lib"]
    seen: set[str] = set()
    out: list[FileSpec] = []
    acc = 0
    while acc < total_bytes:
        host = rng.choices(names, weights)[0]
        if host in LARGE:
            lo, hi = LARGE[host]
            size = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        else:
            size = int(min(max(rng.lognormvariate(math.log(7000), 0.9), 300), 60_000))
            if rng.random() < 0.01:
                size = rng.randint(100_000, 1_500_000)  # the occasional huge generated module
        svc = rng.choice(SERVICES)
        name = ident(rng) if rng.random() < 0.7 else rng.choice(NOUNS)
        path = templates[host].format(
            repo=rng.choice(repos), pkg=rng.choice(NOUNS), sub=rng.choice(["api", "core", "models", "utils", "handlers", "components", "lib"]),
            name=name, Name=pascal(rng), app=rng.choice(["storefront", "admin", "dashboard", "docs-site"]), svc=svc,
            env=rng.choice(ENVS), hash=format(rng.getrandbits(32), "08x"))
        head, _, base = path.rpartition("/")
        n = 1
        while path in seen:  # same name again: one folder deeper, as in a monorepo
            n += 1
            path = f"{head}/v{n}/{base}"
        seen.add(path)
        out.append(FileSpec(len(out), path, host, size, svc))
        acc += size
    return out


def render(spec: FileSpec, seed: int) -> tuple[bytes, list[dict[str, object]]]:
    rng = random.Random(f"corpus/{seed}/{spec.index}")
    h, t = spec.host, spec.size
    if h == "py":
        blocks = py_file(rng, t)
    elif h in ("js", "ts"):
        blocks = js_file(rng, t, ts=h == "ts")
    elif h == "go":
        blocks = go_file(rng, t)
    elif h == "java":
        blocks = java_file(rng, t, spec.svc)
    elif h == "k8s":
        blocks = k8s_yaml(rng, t, spec.svc)
    elif h == "ci":
        blocks = ci_yaml(rng, t)
    elif h == "json":
        blocks = json_file(rng, t)
    elif h == "env":
        blocks = env_file(rng, t)
    elif h == "properties":
        blocks = properties_file(rng, t)
    elif h == "ini":
        blocks = ini_file(rng, t)
    elif h == "toml":
        blocks = toml_file(rng, t)
    elif h == "tf":
        blocks = tf_file(rng, t)
    elif h == "sh":
        blocks = sh_file(rng, t)
    elif h == "dockerfile":
        blocks = dockerfile(rng, t)
    elif h == "md":
        blocks = md_file(rng, t)
    elif h == "minjs":
        blocks = minjs_file(rng, t)
    else:
        blocks = lockfile(rng, t, h.split("-", 1)[1])

    blocks = [[piece for line in b for piece in line.split("\n")] for b in blocks]  # templates may hold "\n"
    planted: list[tuple[int, str, str, Block]] = []  # (block position, kind, secret, lines)
    if h not in NO_PLANT:
        kinds = fakecreds.plantable()
        for _ in range(poisson(rng, t / BYTES_PER_SECRET)):
            kind = rng.choice(kinds)
            value = fakecreds.generate(kind, rng)
            if h == "minjs":
                kind = kind if "\n" not in value else "github-pat-classic"
                value = value if "\n" not in value else fakecreds.generate(kind, rng)
            pos = rng.randint(1, len(blocks))
            planted.append((pos, kind, value, plant_block(h, kind, value, rng)))
            if kind in PAIRS and h != "minjs" and rng.random() < 0.7:  # leaked together, as they are used
                for partner in PAIRS[kind]:
                    other = fakecreds.generate(partner, rng)
                    planted.append((pos, partner, other, plant_block(h, partner, other, rng)))

    records: list[dict[str, object]] = []
    out: list[str] = []
    line_no = 0  # lines written so far
    by_pos: dict[int, list[tuple[str, str, Block]]] = {}
    for pos, kind, value, lines in planted:
        by_pos.setdefault(pos, []).append((kind, value, lines))
    for i in range(len(blocks) + 1):
        for kind, value, lines in by_pos.get(i, ()):
            if h == "minjs":  # splice into the previous long line: same line number
                target = out[-1]
                cut = len(target) // 2
                cut = target.rfind(";", 0, cut) + 1 or cut
                out[-1] = target[:cut] + f'var {to_camel(fakecreds.VARIABLE_NAMES[kind])}="{value}";' + target[cut:]
                records.append({"path": spec.path, "line": line_no, "end_line": line_no, "type": kind, "secret": value})
                continue
            records.append({"path": spec.path, "line": line_no + 1, "end_line": line_no + len(lines), "type": kind, "secret": value})
            out.extend(lines)
            line_no += len(lines)
        if i < len(blocks):
            out.extend(blocks[i])
            line_no += len(blocks[i])
    text = "\n".join(out) + "\n"
    return text.encode("utf-8"), records


def _build_range(args: tuple[str, int, list[FileSpec]]) -> tuple[int, list[dict[str, object]]]:
    tree, seed, specs = args
    total = 0
    records: list[dict[str, object]] = []
    for spec in specs:
        data, recs = render(spec, seed)
        dest = os.path.join(tree, spec.path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as fh:
            fh.write(data)
        total += len(data)
        records.extend(recs)
    return total, records


def manifest_for(seed: int, size_mb: float) -> dict[str, object]:
    return {"generator_version": GENERATOR_VERSION, "seed": seed, "size_mb": size_mb, "tree": TREE}


def read_manifest(out_dir: Path) -> dict[str, object] | None:
    try:
        return json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def build(out_dir: Path, size_mb: float, seed: int, jobs: int | None = None, force: bool = False, quiet: bool = False) -> dict[str, object]:
    """Build (or reuse) the corpus; returns the manifest (with ``files`` and ``bytes``)."""
    wanted = manifest_for(seed, size_mb)
    current = read_manifest(out_dir)
    if not force and current and all(current.get(k) == v for k, v in wanted.items()) and (out_dir / TREE).is_dir():
        if not quiet:
            print(f"corpus: {out_dir} already matches seed={seed} size={size_mb} MB; not rebuilt", file=sys.stderr)
        return current
    started = time.monotonic()
    tree = out_dir / TREE
    if tree.exists():
        shutil.rmtree(tree)
    for stale in (MANIFEST, PLANTED):
        (out_dir / stale).unlink(missing_ok=True)
    tree.mkdir(parents=True)
    specs = plan(seed, int(size_mb * 1_000_000))
    jobs = jobs or os.cpu_count() or 1
    chunks = [(str(tree), seed, specs[i::jobs * 8]) for i in range(jobs * 8)]
    total, records = 0, []
    if jobs == 1:
        results = map(_build_range, chunks)
        for t, r in results:
            total += t
            records.extend(r)
    else:
        with ProcessPoolExecutor(jobs) as pool:
            for t, r in pool.map(_build_range, chunks):
                total += t
                records.extend(r)
    records.sort(key=lambda r: (str(r["path"]), int(r["line"])))  # type: ignore[call-overload]
    with open(out_dir / PLANTED, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, sort_keys=True) + "\n")
    manifest = dict(wanted, files=len(specs), bytes=total, planted=len(records))
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    if not quiet:
        print(f"corpus: {len(specs)} files, {total / 1e6:.1f} MB, {len(records)} planted secrets "
              f"in {time.monotonic() - started:.1f}s -> {tree}", file=sys.stderr)
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out_dir", type=Path)
    p.add_argument("--size-mb", type=float, default=300.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=None, help="generator processes (default: all cores); output does not depend on it")
    p.add_argument("--force", action="store_true", help="rebuild even when the manifest matches")
    a = p.parse_args(argv)
    build(a.out_dir, a.size_mb, a.seed, a.jobs, a.force)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
