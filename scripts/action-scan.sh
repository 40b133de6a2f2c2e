#!/usr/bin/env bash
# The GitHub Action's scan step. Inputs arrive as INPUT_* environment variables (see action.yml and
# scanner/cli/action.py); CREDSPRAWL_PYTHON is the interpreter the install step set up. The step itself
# always succeeds so that the SARIF upload still runs; the scan's exit code goes to the step output
# `exit-code`, and the action's last step exits with it.
set -uo pipefail
if [ -n "${CREDSPRAWL_PYTHON:-}" ]; then
  "$CREDSPRAWL_PYTHON" -m scanner action
else
  credsprawl action
fi
code=$?
if [ -n "${GITHUB_OUTPUT:-}" ] && ! grep -q '^exit-code=' "$GITHUB_OUTPUT" 2>/dev/null; then
  echo "exit-code=$code" >> "$GITHUB_OUTPUT"   # the scan died before writing its outputs
fi
exit 0
