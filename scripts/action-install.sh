#!/usr/bin/env bash
# The GitHub Action's install step: credsprawl from the action's own checkout, in a virtualenv of its
# own (runner images refuse pip installs into the system Python), made with the Python that
# actions/setup-python provided (CREDSPRAWL_SETUP_PYTHON). Writes `python=` (the virtualenv's
# interpreter) to $GITHUB_OUTPUT. A virtualenv keeps its programs in bin/ on Linux and macOS and in
# Scripts\ on Windows; both are handled.
set -euo pipefail
posix() {  # Git Bash on Windows: C:\x\y -> /c/x/y, so bash can run what lives there
  if command -v cygpath >/dev/null 2>&1; then cygpath -u "$1"; else printf '%s\n' "$1"; fi
}
python="${CREDSPRAWL_SETUP_PYTHON:-}"
[ -n "$python" ] || python="$(command -v python3 || command -v python)"
python="$(posix "$python")"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "::error title=credsprawl::credsprawl needs Python 3.11 or newer; $python is $("$python" -V 2>&1)"
  exit 2
fi
venv="$(posix "${RUNNER_TEMP:-/tmp}")/credsprawl-venv"
"$python" -m venv --clear "$venv"
if [ -x "$venv/bin/python" ]; then
  bin="$venv/bin"
elif [ "${RUNNER_OS:-}" = "Windows" ] || [ -d "$venv/Scripts" ]; then
  bin="$venv/Scripts"
else
  echo "::error title=credsprawl::no interpreter in the virtualenv $venv"
  exit 2
fi
"$bin/python" -m pip install --quiet --disable-pip-version-check "${GITHUB_ACTION_PATH:?}"
echo "python=$bin/python" >> "${GITHUB_OUTPUT:?}"
