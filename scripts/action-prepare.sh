#!/usr/bin/env bash
# The GitHub Action's cache-key step. Writes to $GITHUB_OUTPUT:
#   platform       runner OS, architecture and Python version (caches never cross them)
#   digest         credsprawl's version and a hash of its code and rules (the action's own checkout:
#                  a commit SHA, a tag or a branch all give the key of the code they hold)
#   pip-cache      pip's cache folder, and
#   scanner-cache  CREDSPRAWL_CACHE_DIR, and
#   state          XDG_STATE_HOME (the cache key), all native paths under the home folder, for actions/cache.
set -euo pipefail
python="${CREDSPRAWL_SETUP_PYTHON:-}"
[ -n "$python" ] || python="$(command -v python3 || command -v python)"
if command -v cygpath >/dev/null 2>&1; then python="$(cygpath -u "$python")"; fi  # Git Bash on Windows
"$python" - "${GITHUB_ACTION_PATH:?}" >> "${GITHUB_OUTPUT:?}" <<'PY'
import hashlib, os, platform, re, sys
from pathlib import Path

root = Path(sys.argv[1])
digest = hashlib.sha256()
for folder in ("scanner", "rules"):
    for path in sorted((root / folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
pyproject = (root / "pyproject.toml").read_bytes()
digest.update(pyproject)
found = re.search(rb'(?m)^version\s*=\s*"([^"]+)"', pyproject)
version = found.group(1).decode() if found else "0"
machine = os.environ.get("RUNNER_ARCH") or platform.machine()
cache = Path.home() / ".cache" / "credsprawl-action"
print(f"platform={os.environ.get('RUNNER_OS') or platform.system()}-{machine}-py{sys.version_info[0]}.{sys.version_info[1]}")
print(f"digest={version}-{digest.hexdigest()[:20]}")
print(f"pip-cache={cache / 'pip'}")
print(f"scanner-cache={cache / 'scanner'}")
print(f"state={cache / 'state'}")
PY
