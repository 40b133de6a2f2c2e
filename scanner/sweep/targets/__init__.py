"""Where an org-wide sweep's repositories come from, and where their clones live.

One import for ``credsprawl sweep``; each job lives in its own module:

- :mod:`scanner.repospec` — :class:`RepoSpec`, one repository (a remote URL, or a local folder);
- :mod:`scanner.repolists` — :func:`read_repo_file` (a list file) and :func:`discover` (a folder tree);
- :mod:`scanner.forges` — :func:`github_org` and :func:`gitlab_group` (the forges' REST APIs), and
  :func:`token_vars` (which host's clones take which token variable);
- :mod:`scanner.mirrors` — :class:`Mirrors` (bare mirrors in :func:`default_cache_dir`), :func:`env_tokens`.
"""

from __future__ import annotations

from scanner.sources.ci.github import GitHubError
from scanner.sweep.targets.forges import GitLabError, github_org, gitlab_group, token_vars
from scanner.sweep.targets.mirrors import MirrorError, Mirrors, default_cache_dir, env_tokens
from scanner.sweep.targets.repolists import discover, read_repo_file
from scanner.sweep.targets.repospec import RepoSpec

__all__ = ["GitHubError", "GitLabError", "MirrorError", "Mirrors", "RepoSpec", "default_cache_dir", "discover",
           "env_tokens", "github_org", "gitlab_group", "read_repo_file", "token_vars"]
