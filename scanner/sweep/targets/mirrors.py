"""Bare mirrors of remote repositories in a cache folder, made once and brought up to date on each sweep.

- A mirror's folder name comes from its URL: a readable slug and a hash of the whole URL
  (``github.com-org-app-3f2a9c1b7d20.git``); it never holds a ``/`` or starts with a dot, so no URL
  can name a folder outside the cache.
- The first :meth:`Mirrors.ensure` runs ``git clone --mirror`` into a temporary folder in the cache and
  renames it into place, so a clone that was interrupted is never taken for a mirror (its leftovers
  are removed the next time). Later calls run ``git fetch --prune``. A lock file per mirror (``flock``)
  lets several processes ensure the same mirror at once.
- Credentials: a user and password in an ``http(s)://user:token@host/...`` URL, or a token given for
  the URL's host (``tokens``, over HTTPS only; by default :func:`env_tokens`: ``GITHUB_TOKEN`` for
  github.com and ``GITLAB_TOKEN`` for gitlab.com from this process's environment — a sweep adds its
  GitHub Enterprise or self-hosted GitLab host), reach git as an ``Authorization`` header scoped to
  that host, through environment-provided config (``GIT_CONFIG_COUNT``) for that one command: never on
  a command line, never in the mirror's config (which keeps the URL without credentials), never in a
  message.
- A mirror found in the cache folder is trusted only when this user sealed it: its ``config`` (what
  git reads before it fetches, and where ``core.sshCommand``, ``remote.*.uploadpack`` or an
  ``include.path`` would run or pull in anything) is kept as an authenticated cache file inside the
  mirror (:mod:`scanner.cachefile`), checked before each fetch and sealed again after it; git runs
  hooks from nowhere (``core.hooksPath=/dev/null``), and a ``commondir`` file (config from another
  folder) is refused. A mirror that fails the check (planted, or restored by CI from another run) is
  removed and cloned again, with one warning line when it was tampered with.
- git never prompts (``GIT_TERMINAL_PROMPT=0``); a failure is a :class:`MirrorError` with git's own
  line (the first ``fatal:``/``error:`` one), credentials removed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path
from typing import Iterator, Mapping

from scanner import cachefile
from scanner.errors import CredsprawlError
from scanner.rules.cache import cache_dir
from scanner.sweep.targets.repospec import RepoSpec, name_for_url, redact_url
from scanner.sources.git import _first_line, git_env

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking between processes
    fcntl = None  # type: ignore[assignment]

# variables that would point git at another repository or config than the one we name
_INHERITED = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
              "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES")
_DEFAULT_TOKEN_VARS = {"github.com": "GITHUB_TOKEN", "gitlab.com": "GITLAB_TOKEN"}


class MirrorError(CredsprawlError):
    """A repository could not be mirrored or updated: unreachable, not a repository, or refused."""


def default_cache_dir() -> Path:
    """``$CREDSPRAWL_CACHE_DIR/mirrors``, else ``$XDG_CACHE_HOME/credsprawl/mirrors`` (``~/.cache``)."""
    return cache_dir() / "mirrors"


def env_tokens(host_vars: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{host: token}`` from this process's environment: ``GITHUB_TOKEN`` for github.com,
    ``GITLAB_TOKEN`` for gitlab.com, and ``host_vars`` (``{host: variable}``) besides. Variables that
    are unset or empty give nothing."""
    wanted = {**_DEFAULT_TOKEN_VARS, **(host_vars or {})}
    return {host: os.environ[var] for host, var in wanted.items() if os.environ.get(var)}


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``(url without user and password, user, password)`` for http(s) URLs; others come back as they are."""
    parts = urllib.parse.urlsplit(url) if "://" in url else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or "@" not in parts.netloc:
        return url, None, None
    clean = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    user = urllib.parse.unquote(parts.username) if parts.username else None
    password = urllib.parse.unquote(parts.password) if parts.password else None
    return clean, user, password


def mirror_dir_name(url: str) -> str:
    """The cache folder name for ``url``: a slug of its host and path plus a hash of the URL (no credentials)."""
    clean = split_credentials(url)[0]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name_for_url(clean)).strip("-._")[:60].strip("-._") or "repo"
    return f"{slug}-{hashlib.sha256(clean.encode('utf-8', 'surrogateescape')).hexdigest()[:12]}.git"


class Mirrors:
    """Bare mirrors under ``cache_dir``; ``ensure`` returns a repository folder to scan."""

    def __init__(self, cache_dir: Path, *, tokens: Mapping[str, str] | None = None) -> None:
        self.cache_dir = cache_dir
        if tokens is None:
            tokens = env_tokens()
        self._tokens = {host.lower(): token for host, token in tokens.items()}

    def ensure(self, spec: RepoSpec) -> Path:
        """A bare, up-to-date mirror of ``spec.url``; or ``spec.path`` once checked to be a repository."""
        if spec.url is None:
            assert spec.path is not None
            return _check_local(spec.path)
        clean, secrets, env = self._auth(spec.url)
        name = mirror_dir_name(clean)
        target = self.cache_dir / name
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise MirrorError(f"cannot create the mirror cache {self.cache_dir}: {exc.strerror or exc}") from None
        with _locked(self.cache_dir / f".{name}.lock"):
            if (target / "HEAD").is_file() and _sealed_by_us(target, name):
                _git(["-c", _NO_HOOKS, "--git-dir", str(target), "fetch", "--prune", "--quiet", "origin"], env,
                     secrets, f"cannot update the mirror of {redact_url(spec.url)}")
                _seal(target, name)
                return target
            self._remove_leftovers(name)
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=self.cache_dir))
            try:
                _git(["-c", _NO_HOOKS, "clone", "--mirror", "--quiet", "--", clean, str(tmp)], env, secrets,
                     f"cannot mirror {redact_url(spec.url)}")
                _seal(tmp, name)
                if target.is_symlink() or target.is_file():
                    target.unlink()
                elif target.exists():  # broken (no HEAD) or not sealed by this user: replaced by the fresh clone
                    shutil.rmtree(target)
                os.rename(tmp, target)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        return target

    # -- helpers ------------------------------------------------------------------------------------
    def _auth(self, url: str) -> tuple[str, list[str], dict[str, str]]:
        """The URL without credentials, the secrets to keep out of messages, and git's environment."""
        clean, user, password = split_credentials(url)
        env = _base_env()
        parts = urllib.parse.urlsplit(clean) if "://" in clean else None
        if parts is None or not parts.hostname:
            return clean, [], env
        host_token: str | None = None
        token: str | None
        if parts.scheme.lower() == "https":
            port = _port(parts)
            host_token = self._tokens.get(f"{parts.hostname}:{port}" if port else parts.hostname)
        # GitHub names a token's user "x-access-token"; GitLab takes any user name with a token
        if password:
            user, token = user or "x-access-token", password
        elif user and host_token:
            token = host_token  # https://alice@host/... with a token configured for the host
        elif user:
            user, token = "x-access-token", user  # https://TOKEN@host/...
        else:
            user, token = "x-access-token", host_token
        if not token or not user:
            return clean, [], env
        basic = base64.b64encode(f"{user}:{token}".encode()).decode()
        scope = f"{parts.scheme.lower()}://{parts.netloc}/"
        _add_config(env, f"http.{scope}.extraHeader", f"Authorization: Basic {basic}")
        return clean, [token, basic, urllib.parse.quote(token, safe="")], env

    def _remove_leftovers(self, name: str) -> None:
        """Temporary folders of interrupted clones of this mirror (we hold its lock: none is running)."""
        for entry in self.cache_dir.glob(f".tmp-{name}-*"):  # names hold no glob characters
            shutil.rmtree(entry, ignore_errors=True)


_NO_HOOKS = "core.hooksPath=/dev/null"  # a mirror runs no hook, whatever its folder holds
_SEAL = "credsprawl-config.cache"  # inside the mirror: its config as this user last left it


def _sealed_config(folder: Path, name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape") + b"\0" + (folder / "config").read_bytes()


def _seal(folder: Path, name: str) -> None:
    try:
        cachefile.store(folder / _SEAL, "mirror", [_sealed_config(folder, name)])
    except OSError:
        pass  # unsealed: cloned again next time


def _sealed_by_us(folder: Path, name: str) -> bool:
    """Whether the mirror's config is the one this user's last clone or fetch left (see the module doc)."""
    sealed = cachefile.load(folder / _SEAL, "mirror")
    if sealed is None:
        return False
    try:
        same = sealed == _sealed_config(folder, name) and not (folder / "commondir").exists()
    except OSError:
        same = False
    if not same:
        cachefile.warn_once(f"ignored mirror {folder} (its config changed since credsprawl last used it); cloned again")
    return same


def _port(parts: urllib.parse.SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None


def _base_env() -> dict[str, str]:
    env = git_env()
    for var in _INHERITED:
        env.pop(var, None)
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""})
    return env


def _add_config(env: dict[str, str], key: str, value: str) -> None:
    """One more config entry through ``GIT_CONFIG_COUNT`` (after any the caller's environment has)."""
    try:
        n = int(env.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        n = 0
    env.update({"GIT_CONFIG_COUNT": str(n + 1), f"GIT_CONFIG_KEY_{n}": key, f"GIT_CONFIG_VALUE_{n}": value})


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return re.sub(r"(://)[^/@\s]+@", r"\1***@", text)


def _git(args: list[str], env: dict[str, str], secrets: list[str], what: str) -> None:
    try:
        proc = subprocess.run(["git", *args], env=env, capture_output=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise MirrorError(f"{what}: git is not installed (or not on PATH)") from None
    if proc.returncode != 0:
        raise MirrorError(_scrub(f"{what}: {_first_line(proc.stderr)}", secrets))


def _check_local(path: Path) -> Path:
    if not path.is_dir():
        raise MirrorError(f"not a git repository: {path} ({'not a folder' if path.exists() else 'no such folder'})")
    env = _base_env()
    env["GIT_CEILING_DIRECTORIES"] = str(path.absolute().parent)  # this folder, not one above it
    proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--git-dir"], env=env, capture_output=True,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise MirrorError(f"not a git repository: {path} ({_first_line(proc.stderr)})")
    return path


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_path`` (created, and left in place for the next user)."""
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise MirrorError(f"cannot lock {lock_path}: {exc.strerror or exc}") from None
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
