#!/usr/bin/env bash
# The GitHub Action's install step: credsprawl from the action's own checkout, in a virtualenv of its
# own (runner images refuse pip installs into the system Python), put on PATH for the next steps.
set -euo pipefail
venv="${RUNNER_TEMP:-/tmp}/credsprawl-venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${GITHUB_ACTION_PATH:?}"
echo "$venv/bin" >> "${GITHUB_PATH:?}"
