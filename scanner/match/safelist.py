"""Values that look like secrets but are placeholders, references, masks or documentation examples."""

from __future__ import annotations

import hashlib

import regex

from scanner.match.lazy import Lazy

# Whole-value placeholders and references: templates, environment lookups, masks, doc examples.
_PLACEHOLDER = Lazy(
    regex.compile,
    r"""(?ix)
    ^(?:
        .*\$\{[^}]*\}.*                          # ${VAR}, ${{ secrets.X }}
      | .*\{\{[^}]*\}\}.*                        # {{ var }}
      | .*\{%[^%]*%\}.*                          # {% jinja %}
      | .*<%[^%]*%>.*                            # <%= erb %>
      | .*\#\{[^}]*\}.*                          # #{ruby}, #{Spring}, #{VAR}# token replacement
      | .*\$\([A-Za-z_][\w.]*\).*                # $(VAR) (Azure Pipelines, make)
      | (?-i:.*@[A-Z][A-Z0-9_]{2,}@.*)           # @TOKEN@ (Maven/Ant filtering), upper case only
      | (?-i:.*__[A-Z][A-Z0-9_]{2,}__.*)         # __TOKEN__ (release pipelines), upper case only
      | \$[A-Za-z_][A-Za-z0-9_]*                 # $VAR
      | %\(?[A-Za-z_][A-Za-z0-9_]*\)?s?%?        # %(name)s, %VAR%
      | <[^<>]{1,64}>                            # <your-key>
      | \[[^\[\]]{1,64}\]                        # [REDACTED]
      | (?:os\.)?(?:environ|getenv)\b.*          # os.environ[...], getenv(...)
      | process\.env\b.*
      | env\(.*
      | (?:System\.getenv|Environment\.GetEnvironmentVariable|ENV\[|ENV\.fetch|os\.Getenv|std::env::var|Deno\.env)\b.*
      | .*\bvault:.*                             # vault:secret/path references
      | (?:secretkeyref|valuefrom|secretref)\b.*
    )$
    """
)

# Substrings that mark a documentation value or a placeholder anywhere in it (text is the latin-1 view
# of UTF-8 bytes: a bullet mask "•••" is matched by its bytes).
_MARKERS = Lazy(
    regex.compile,
    r"(?i)(?:example|exampl3|changeme|change_me|placeholder|your[_-]?(?:api[_-]?)?(?:key|token|secret|password)"
    r"|\*\*\*|(?:\xe2\x80\xa2){3}|\.\.\.|redacted|dummy|sample|insert[_-]?|replace[_-]?me|notasecret|not[_-]a[_-]real"
    r"|0000000000|1234567890|0123456789|abcdefghij|fake[_-]?(?:key|token|secret|password))"
)

# x's as a mask (a Stripe key's prefix then eight x's, an AWS key id's prefix then sixteen X's): a run
# of one case. A long random value holds four x's now and then by chance (a 2,800-character base64
# keystore about once in 3,000), so past 256 characters the run must be twice as long to mark one.
_X_RUN = Lazy(regex.compile, r"x{4,}|X{4,}")
_X_RUN_LONG = Lazy(regex.compile, r"x{8,}|X{8,}")
_LONG_VALUE = 256

_REPEATED = Lazy(regex.compile, r"^(.{1,3})\1{5,}$")
_FILLED = Lazy(regex.compile, r"^.{0,16}?(.)\1{11,}$")  # a prefix and then one character: AKIA + AAAAAAAAAAAAAAAA

# Credentials printed in providers' documentation, tutorials and RFCs, by the first 32 hex digits of
# their SHA-256 (so this file holds no credential-shaped text): Stripe's and Slack's API reference
# examples, GitHub's token documentation, jwt.io's sample token, AWS's example key id, and the
# example tokens, codes and client credentials of OAuth 2.0 (RFC 6749) and OAuth 1.0 (RFC 5849).
_DOCUMENTED = frozenset({
    "2cafc0970149a84f3b9e62eaf169f36f", "f2d6ca16515033e5dce14eba840b979d", "b1471f544ceeea31333bde7e1ecbaad6",
    "2ddc147f3a3b5a1722b8ed6be3c45c49", "3543c50b0cb9cea8e55eb1f529b79f04", "7f75367e7881255134e1375e723d1dea",
    "1a5d44a2dca19669d72edf4c4f1c27c4",
    # RFC 6749
    "6c96130f130ab0d6d158397e24d2bcc1", "00cf4c781dc37003f7c7dd7d4c9a6ef1", "3e545ee08a590a6bb0ef9b1b5df39c4a",
    "ea9bdfd02c0c412c8cc36ba67f6c17f9", "a35b81a7d7927b70ec99270dd2362b88", "2999cd44ff70d54a68d9e576af7fd512",
    # RFC 5849
    "9d03b692e941d5ace207a9f804883443", "cb87c87e4a138d9a72259d2a01bab156", "649e1f5c769e718ba10d1a702a36499a",
    "293257ab6495ebb11cf9e4aee0686ca3", "4c20e6f5cc11b93731e74cbe20739821", "bb9b1163338b2a51495834ad5c654204",
    "8d567eb88afff34f31ab97fbb2731e58",
})
# A bracketed field name inside a value: redis://[[username]:[password]]@host, user:[token]
_BRACKETED_FIELD = Lazy(regex.compile, r"(?i)\[(?:password|passwd|pass|pwd|secret|token|api[_-]?key|key|username|user)\]")


# Words that documentation and tests spell placeholder values with (``some_token_value``,
# ``your_password_here``, ``apples``, ``S3CuR1Ty``): a value made of these alone is no credential.
_PLACEHOLDER_WORDS = frozenset("""
    an the some my your our their any this that here there value values val string str text data
    token tokens secret secrets password passwords passwd pass pwd passphrase key keys api apikey access
    auth login user username users name client app application account admin root guest default
    test tests testing tester example examples sample samples demo dummy fake mock stub placeholder
    foo bar baz qux quux spam eggs ham hello world abc xyz apple apples banana bananas orange cherry
    security secure super top new old other another real valid invalid wrong bad good my1 one two three
    private public db database server host service blah lorem ipsum dolor sit amet sekrit sesame open
    correct horse battery staple tiger scott hunter letmein changeme change me please do not use
""".split())
_LEET = str.maketrans("013457@$", "oieastas")
_NOT_LETTERS = Lazy(regex.compile, r"[^a-z]+")

# every pattern here, compiled on first use or given ahead by the compiled-pattern cache (rules.regexcache)
PATTERNS: tuple[Lazy[str], ...] = (_PLACEHOLDER, _MARKERS, _X_RUN, _X_RUN_LONG, _REPEATED, _FILLED, _BRACKETED_FIELD,
                                   _NOT_LETTERS)


def _spelled(word: str) -> bool:
    """Whether ``word`` (lower-case letters) is placeholder words run together (``somepassword``)."""
    n = len(word)
    ok = [True] + [False] * n
    for i in range(1, n + 1):
        for j in range(max(0, i - 12), i):
            if ok[j] and word[j:i] in _PLACEHOLDER_WORDS:
                ok[i] = True
                break
    return ok[n]


def _all_spelled(text: str) -> bool:
    chunks = [c for c in _NOT_LETTERS.split(text) if c]
    return bool(chunks) and all(_spelled(c) for c in chunks)


def is_word_placeholder(value: str) -> bool:
    """True for a value spelled with placeholder words only, digits and punctuation aside:
    ``some_token_value``, ``your-password-here``, ``apples``, ``somepassword``, ``S3CuR1Ty``
    (leetspeak read as letters)."""
    if len(value) > 48:
        return False
    lowered = value.lower()
    return _all_spelled(lowered) or _all_spelled(lowered.translate(_LEET))


def is_documented_example(value: str) -> bool:
    """True for a credential published in a provider's documentation."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32] in _DOCUMENTED


def is_placeholder(value: str) -> bool:
    """True for values no scanner should report: templates, references, masks and doc examples."""
    stripped = value.strip().strip("'\"`")
    if not stripped:
        return True
    if _REPEATED.match(stripped) or _FILLED.match(stripped):
        return True
    if _PLACEHOLDER.match(stripped):
        return True
    if _MARKERS.search(stripped) is not None or _BRACKETED_FIELD.search(stripped) is not None:
        return True
    if (_X_RUN_LONG if len(stripped) > _LONG_VALUE else _X_RUN).search(stripped) is not None:
        return True
    if is_word_placeholder(stripped):
        return True
    return 8 <= len(stripped) <= 400 and is_documented_example(stripped)
