"""Values that look like secrets but are placeholders, references or documentation examples."""

from __future__ import annotations

import regex

# Whole-value placeholders and references: templates, environment lookups, masks, doc examples.
_PLACEHOLDER = regex.compile(
    r"""(?ix)
    ^(?:
        .*\$\{[^}]*\}.*                          # ${VAR}, ${{ secrets.X }}
      | .*\{\{[^}]*\}\}.*                        # {{ var }}
      | \$[A-Za-z_][A-Za-z0-9_]*                 # $VAR
      | %\(?[A-Za-z_][A-Za-z0-9_]*\)?s?%?        # %(name)s, %VAR%
      | <[^<>]{1,64}>                            # <your-key>
      | \[[^\[\]]{1,64}\]                        # [REDACTED]
      | (?:os\.)?(?:environ|getenv)\b.*          # os.environ[...], getenv(...)
      | process\.env\b.*
      | env\(.*
      | .*\bvault:.*                             # vault:secret/path references
      | (?:secretkeyref|valuefrom|secretref)\b.*
    )$
    """
)

# Substrings that mark a documentation value or a placeholder anywhere in it.
_MARKERS = regex.compile(
    r"(?i)(?:example|exampl3|changeme|change_me|placeholder|your[_-]?(?:api[_-]?)?(?:key|token|secret|password)"
    r"|xxxx|\*\*\*|\.\.\.|redacted|dummy|sample|insert[_-]?|replace[_-]?me|notasecret|not[_-]a[_-]real"
    r"|0000000000|1234567890|abcdefghij|fake[_-]?(?:key|token|secret|password))"
)

_REPEATED = regex.compile(r"^(.{1,3})\1{5,}$")


def is_placeholder(value: str) -> bool:
    """True for values no scanner should report: templates, references, masks and doc examples."""
    stripped = value.strip().strip("'\"`")
    if not stripped:
        return True
    if _REPEATED.match(stripped):
        return True
    if _PLACEHOLDER.match(stripped):
        return True
    return _MARKERS.search(stripped) is not None
