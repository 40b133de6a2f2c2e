"""Database and broker connection strings to facts: ``db.scheme``, ``db.user``, ``db.host``,
``db.port``, ``db.database``. The rules' secret is only the password, so each parser reads the
finding's line: URIs (``postgres://``, ``mysql://``, ``mongodb+srv://``, ``redis://``, ``amqp://`` ...),
JDBC URLs, ADO.NET/ODBC ``Key=Value;`` strings, libpq keyword strings and Kafka JAAS lines.

Schemes are normalised (``postgresql`` and ``postgresql+psycopg2`` are ``postgres``, ``sqlserver`` is
``mssql``; ``mongodb+srv`` keeps its ``+srv``). Several hosts (a replica set) are comma-joined in
``db.host``, with the first one's port. Every function is ``(secret, line) -> facts`` and total.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from scanner.match.lazy import Lazy

Facts = dict[str, str]


SCHEME_ALIASES = {"postgresql": "postgres", "sqlserver": "mssql", "mysqlx": "mysql", "cockroachdb": "cockroach"}
_URI = Lazy(re.compile, r"(?i)(?<![\w+.-])([a-z][a-z0-9+.-]{1,30})://[^\s'\"`<>]+")


def _scheme(raw: str) -> str:
    scheme = raw.lower()
    if "+" in scheme and scheme != "mongodb+srv":
        scheme = scheme.split("+", 1)[0]
    return SCHEME_ALIASES.get(scheme, scheme)


def _db(scheme: str, user: str | None, hosts: list[str], port: str | None, database: str | None) -> Facts:
    facts = {"db.scheme": scheme, "db.user": user, "db.host": ",".join(h for h in hosts if h), "db.port": port,
             "db.database": database}
    return {key: value for key, value in facts.items() if value}


def parse_uri(uri: str) -> tuple[Facts, str | None]:
    """(facts, password) of ``scheme://user:password@host[:port][,host2...]/database``."""
    uri = uri.rstrip(".,;:)]}")
    try:
        parts = urlsplit(uri)
    except ValueError:
        return {}, None
    userinfo, at, hostlist = parts.netloc.rpartition("@")
    if not at:
        userinfo, hostlist = "", parts.netloc
    user, _, password = userinfo.partition(":")
    hosts, port = [], None
    for item in hostlist.split(","):
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            item_port = rest[1:] if rest.startswith(":") else ""
        else:
            host, _, item_port = item.partition(":")
        hosts.append(unquote(host).lower())
        if port is None and item_port.isdigit():
            port = item_port
    database = unquote(parts.path.lstrip("/")).split("/")[0] or None
    if database is None:
        query = dict(parse_qsl(parts.query))
        database = query.get("database") or query.get("dbname")
    return _db(_scheme(parts.scheme), unquote(user), hosts, port, database), unquote(password) if at else None


def uri(secret: str, line: str) -> Facts:
    """The URI on the finding's line whose password is the secret (else the first with a password)."""
    first: Facts | None = None
    for m in _URI.finditer(line):
        facts, password = parse_uri(m.group(0))
        if password is None:
            continue
        if password == secret or password == unquote(secret):
            return facts
        first = first if first is not None else facts
    return first or {}


_JDBC = Lazy(re.compile, r"(?i)(?<![\w.-])jdbc:([a-z0-9]{2,20})(?::[a-z]{2,10})?:([^\s'\"`<>]+)")
_ORACLE = Lazy(re.compile, r"(?i)^(?:thin|oci):([\w$#]{1,64})/[^@\s]*@(?://)?([\w.-]+)(?::(\d{1,5}))?(?:[:/]([\w.$-]+))?")
_USER_KEYS = ("user", "username", "user id", "userid", "uid", "user name")
_DB_KEYS = ("databasename", "database", "dbname", "initial catalog")


def _pairs(text: str, sep: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for piece in text.split(sep):
        key, eq, value = piece.partition("=")
        if eq:
            out.setdefault(key.strip().lower(), value.strip().strip("'\"{}"))
    return out


def _first(pairs: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((pairs[k] for k in keys if pairs.get(k)), None)


def jdbc(secret: str, line: str) -> Facts:
    """``jdbc:postgresql://host:5432/db?user=u&password=p``, ``jdbc:sqlserver://host:1433;databaseName=db;
    user=u;password=p``, ``jdbc:oracle:thin:u/p@//host:1521/service``."""
    m = _JDBC.search(line)
    if m is None:
        return {}
    sub, rest = m.group(1).lower(), m.group(0).split(":", 2)[2]
    scheme = _scheme({"sqlserver": "mssql", "jtds": "mssql"}.get(sub, sub))
    oracle = _ORACLE.match(m.group(0).split(":", 2)[2]) if sub == "oracle" else None
    if oracle:
        return _db("oracle", oracle.group(1), [oracle.group(2)], oracle.group(3), oracle.group(4))
    rest = rest.split(":", 1)[1] if not rest.startswith("//") and ":" in rest else rest
    if not rest.startswith("//"):
        return _db(scheme, None, [], None, None)
    body = rest[2:]
    addr = re.split(r"[/;?]", body, maxsplit=1)[0]
    userinfo, at, hostport = addr.rpartition("@")
    host, _, port = hostport.partition(":")
    path = body[len(addr):]
    database = path[1:].split("?")[0].split(";")[0] if path.startswith("/") else None
    params = {**_pairs(path.partition("?")[2], "&"), **_pairs(path, ";")}
    user = userinfo.partition(":")[0] if at else _first(params, _USER_KEYS)
    return _db(scheme, user, [host.lower()], port if port.isdigit() else None, database or _first(params, _DB_KEYS))


_ADO_HOST_KEYS = ("server", "data source", "host", "address", "addr", "network address")
_ADO_START = Lazy(re.compile, r"(?i)(?<![\w.-])(?:server|data source|host|address|addr|network address|initial catalog"
                              r"|database|user id|uid|username|driver)[ \t]*=")


def adonet(secret: str, line: str) -> Facts:
    """``Server=tcp:host,1433;Database=db;User Id=u;Password=<password>;`` (ADO.NET, ODBC and kin). The product
    is not named by the syntax: the scheme is ``mssql`` when the keys or host say SQL Server
    (``Initial Catalog``, ``*.database.windows.net``), ``adonet`` otherwise."""
    start = _ADO_START.search(line)
    pairs = _pairs(line[start.start() if start else 0 :], ";")
    raw_host = _first(pairs, _ADO_HOST_KEYS) or ""
    host = re.sub(r"(?i)^(?:tcp|np|lpc):", "", raw_host.split("=")[-1].strip())
    host, _, port = host.replace(":", ",").partition(",")
    port = pairs.get("port") or port
    sqlserver = "initial catalog" in pairs or ".database.windows.net" in host.lower() or "\\" in host
    return _db("mssql" if sqlserver else "adonet", _first(pairs, _USER_KEYS), [host.lower()],
               port if port.isdigit() else None, _first(pairs, _DB_KEYS))


_LIBPQ = Lazy(re.compile, r"(?<![\w.-])(host|hostaddr|port|dbname|user)[ \t]?=[ \t]?(?:'([^']*)'|([^\s'\"]+))")


def libpq(secret: str, line: str) -> Facts:
    """``host=db port=5432 dbname=app user=u password=p`` (a libpq keyword/value string)."""
    pairs: dict[str, str] = {}
    for m in _LIBPQ.finditer(line):
        pairs.setdefault(m.group(1), m.group(2) if m.group(2) is not None else m.group(3))
    host = pairs.get("host") or pairs.get("hostaddr") or ""
    return _db("postgres", pairs.get("user"), host.lower().split(","), pairs.get("port"), pairs.get("dbname"))


_JAAS_USER = Lazy(re.compile, r"""(?i)\busername\s*=\s*["']([^"']{1,128})["']""")


def kafka_jaas(secret: str, line: str) -> Facts:
    m = _JAAS_USER.search(line)
    return _db("kafka", m.group(1) if m else None, [], None, None)
