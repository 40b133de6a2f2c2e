"""Load, validate and compile the rule files (TOML, one per provider or family).

A rule file holds an optional ``[defaults]`` table (any rule field, usually ``provider``) and a list
of ``[[rules]]``. Every rule needs examples (text + expected secret) and negatives; a rule without
both does not load. A broken rule is a RuleError naming the file and the rule id.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Sequence

import regex

from scanner.errors import RuleError
from scanner.match.compiled import PATTERN_FLAGS, CompiledRule
from scanner.match.lazy import Lazy
from scanner.match.secretgroup import with_secret
from scanner.match.validators import VALIDATORS
from scanner.model import KINDS, Companion, Confidence, Example, Rule, Severity

_ID = Lazy(regex.compile, r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")  # rule files are read on a cache miss only
_DECODERS = frozenset({"base64", "percent", "json", "html"})
_REQUIRED = ("id", "name", "kind", "provider", "severity", "confidence", "keywords", "regex")
_OPTIONAL = frozenset(
    {
        "description",
        "help",
        "remediation",
        "family",
        "min_entropy",
        "validator",
        "allow",
        "deny_key",
        "window",
        "window_before",
        "generic",
        "prefilter_secret",
        "decode",
        "companion",
        "examples",
        "negatives",
    }
)


@functools.lru_cache(maxsize=1)
def default_rules_dir() -> Path:
    """The rules shipped in the wheel (``scanner/_rules``), or the checkout's top-level ``rules/``."""
    packaged = Path(__file__).resolve().parent.parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rules"


def rule_files(directory: Path) -> list[Path]:
    """The rule files of ``directory``, by name (one folder: the order of their paths)."""
    return sorted((p for p in directory.glob("*.toml") if p.is_file()), key=lambda p: p.name)


@dataclass(frozen=True)
class RuleSet:
    """The rules of a run, in order, with each one's compiled form (``compiled``)."""

    rules: tuple[Rule, ...]
    files: tuple[str, ...] = ()
    compiled: tuple[CompiledRule, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", tuple(CompiledRule(r, i) for i, r in enumerate(self.rules)))

    @cached_property
    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def digest(self) -> str:
        """A hash of every rule's definition: the ruleset version for caches and datastores."""
        h = hashlib.sha256()
        for r in self.rules:
            h.update(repr((r.id, r.regex, r.keywords, r.min_entropy, r.validator, r.allow, r.deny_key, r.window,
                           r.window_before,
                           r.decode, r.companion, r.generic, r.family)).encode())
        return h.hexdigest()

    def without(self, disabled: Iterable[str]) -> RuleSet:
        drop = set(disabled)
        if not drop:
            return self  # the same value: its rules and their compiled forms, not a copy
        unknown = drop - set(self.by_id)
        if unknown:
            raise RuleError(f"cannot disable unknown rule id(s): {', '.join(sorted(unknown))}")
        kept = tuple(r for r in self.rules if r.id not in drop)
        needed = {r.companion.rule for r in kept if r.companion and r.companion.required}
        missing = needed & drop
        if missing:
            raise RuleError(f"rule(s) {', '.join(sorted(missing))} cannot be disabled: other rules require them")
        return RuleSet(kept, self.files)


def _as_str_tuple(value: Any, what: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: '{what}' must be a list of strings")
    return tuple(value)


def _examples(value: Any, where: str) -> tuple[Example, ...]:
    if not isinstance(value, list) or not value:
        raise RuleError(f"{where}: needs at least one example (text and expected secret)")
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"text", "secret"}:
            raise RuleError(f"{where}: each example is a table with exactly 'text' and 'secret'")
        if not isinstance(item["text"], str) or not isinstance(item["secret"], str) or not item["secret"]:
            raise RuleError(f"{where}: example 'text' and 'secret' must be non-empty strings")
        out.append(Example(item["text"], item["secret"]))
    return tuple(out)


def _companion(value: Any, where: str) -> Companion:
    if not isinstance(value, dict) or "rule" not in value or set(value) - {"rule", "within", "required"}:
        raise RuleError(f"{where}: 'companion' is a table with 'rule', optional 'within' and 'required'")
    return Companion(str(value["rule"]), int(value.get("within", 400)), bool(value.get("required", False)))


def check_rule_patterns(pattern: str, allow: Iterable[str], where: str, deny_key: str | None = None) -> None:
    """Compile a rule's patterns: a pattern that does not compile fails loudly, never silently."""
    try:
        compiled = regex.compile(pattern, PATTERN_FLAGS)
    except (regex.error, TypeError) as exc:
        raise RuleError(f"{where}: regex does not compile: {exc}") from None
    if "secret" not in compiled.groupindex:
        raise RuleError(f"{where}: regex has no named group 'secret'")
    if deny_key is not None:
        if "key" not in compiled.groupindex:
            raise RuleError(f"{where}: 'deny_key' needs a named group 'key' in the regex")
        try:
            regex.compile(deny_key, PATTERN_FLAGS)
        except (regex.error, TypeError) as exc:
            raise RuleError(f"{where}: deny_key does not compile: {exc}") from None
    for a in allow:
        try:
            regex.compile(a)
        except regex.error as exc:
            raise RuleError(f"{where}: allow pattern {a!r} does not compile: {exc}") from None


def _prefilter_secret(pattern: str, body: Any, where: str) -> str:
    """A rule's ``prefilter_secret``: a string without lookarounds that makes the regex compile in its
    secret group's place."""
    if not isinstance(body, str) or not body:
        raise RuleError(f"{where}: prefilter_secret must be a non-empty string")
    if "(?=" in body or "(?!" in body or "(?<" in body:
        raise RuleError(f"{where}: prefilter_secret must not use lookarounds (the prefilter drops them)")
    try:
        regex.compile(with_secret(pattern, body), PATTERN_FLAGS)
    except (ValueError, regex.error) as exc:
        raise RuleError(f"{where}: prefilter_secret does not fit the regex: {exc}") from None
    return body


def build_rule(raw: dict[str, Any], source: str, check_patterns: bool = True) -> Rule:
    rid = raw.get("id", "?")
    where = f"{source}: rule '{rid}'"
    unknown = set(raw) - set(_REQUIRED) - _OPTIONAL
    if unknown:
        raise RuleError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise RuleError(f"{where}: missing field(s) {', '.join(missing)}")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise RuleError(f"{where}: id must be lowercase letters, digits, dots and dashes")
    if raw["kind"] not in KINDS:
        raise RuleError(f"{where}: kind '{raw['kind']}' is not one of {', '.join(sorted(KINDS))}")
    try:
        severity, confidence = Severity(raw["severity"]), Confidence(raw["confidence"])
    except ValueError as exc:
        raise RuleError(f"{where}: {exc}") from None
    keywords = tuple(k.lower() for k in _as_str_tuple(raw["keywords"], "keywords", where))
    if not keywords or any(len(k) < 2 for k in keywords):
        raise RuleError(f"{where}: needs keywords of two characters or more for the prefilter")
    if not isinstance(raw["regex"], str):
        raise RuleError(f"{where}: regex must be a string")
    if "(?P<secret>" not in raw["regex"]:
        raise RuleError(f"{where}: regex has no named group 'secret'")
    allow = _as_str_tuple(raw.get("allow", []), "allow", where)
    deny_key = raw.get("deny_key")
    if deny_key is not None and not isinstance(deny_key, str):
        raise RuleError(f"{where}: deny_key must be a string")
    if check_patterns:
        check_rule_patterns(raw["regex"], allow, where, deny_key)
    validator = raw.get("validator")
    if validator is not None and validator not in VALIDATORS:
        raise RuleError(f"{where}: unknown validator '{validator}' (known: {', '.join(sorted(VALIDATORS))})")
    decode = raw.get("decode")
    if decode is not None and decode not in _DECODERS:
        raise RuleError(f"{where}: unknown decode '{decode}' (known: {', '.join(sorted(_DECODERS))})")
    negatives = _as_str_tuple(raw.get("negatives", []), "negatives", where)
    if not negatives:
        raise RuleError(f"{where}: needs at least one negative (text that must not match)")
    prefilter_secret = raw.get("prefilter_secret")
    if prefilter_secret is not None:
        prefilter_secret = _prefilter_secret(raw["regex"], prefilter_secret, where)
    window = int(raw.get("window", 256))
    if not 16 <= window <= 65536:
        raise RuleError(f"{where}: window must be between 16 and 65536 characters")
    window_before = int(raw["window_before"]) if "window_before" in raw else None
    if window_before is not None and not 0 <= window_before <= 65536:
        raise RuleError(f"{where}: window_before must be between 0 and 65536 characters")
    examples = _examples(raw.get("examples"), where)
    return Rule(
        id=rid,
        name=str(raw["name"]),
        kind=raw["kind"],
        provider=str(raw["provider"]),
        severity=severity,
        confidence=confidence,
        keywords=keywords,
        regex=raw["regex"],
        description=str(raw.get("description", "")),
        help=str(raw.get("help", "")),
        remediation=str(raw.get("remediation", "")),
        family=str(raw.get("family", "")),
        min_entropy=float(raw.get("min_entropy", 0.0)),
        validator=validator,
        allow=allow,
        deny_key=deny_key,
        window=window,
        window_before=window_before,
        generic=bool(raw.get("generic", False)),
        prefilter_secret=prefilter_secret,
        decode=decode,
        companion=_companion(raw["companion"], where) if "companion" in raw else None,
        examples=examples,
        negatives=negatives,
        source=source,
        spellings=spellings(keywords, [e.text for e in examples]),
    )


def spellings(keywords: Sequence[str], texts: Sequence[str]) -> tuple[str, ...]:
    """The keywords as ``texts`` (a rule's examples) write them, where that is neither their lower nor
    their upper case (``Password=`` in an ADO.NET connection string), sorted."""
    out: set[str] = set()
    for kw in keywords:
        n = len(kw)
        for text in texts:
            lowered = text.lower()
            if len(lowered) != len(text):  # a character whose lower case is longer: offsets would not line up
                continue
            at = lowered.find(kw)
            while at >= 0:
                out.add(text[at:at + n])
                at = lowered.find(kw, at + 1)
        out -= {kw, kw.upper()}
    return tuple(sorted(out))


def load_file(path: Path, check_patterns: bool = True) -> list[Rule]:
    import tomllib  # loaded only when a file is parsed: a run served by the rule cache skips it

    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleError(f"{path}: cannot read rule file: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(doc) - {"defaults", "rules"}
    if unknown:
        raise RuleError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    defaults = doc.get("defaults", {})
    raws = doc.get("rules", [])
    if not isinstance(defaults, dict) or not isinstance(raws, list) or not raws:
        raise RuleError(f"{path}: expected an optional [defaults] table and at least one [[rules]] entry")
    return [build_rule({**defaults, **raw}, str(path), check_patterns) for raw in raws]


def load_rules(paths: Iterable[Path] | None = None, *, extra: Iterable[Path] = ()) -> RuleSet:
    """Load rule files (the shipped set when ``paths`` is None) plus ``extra`` files or folders.

    Patterns of the shipped rules are compiled lazily (the test suite and ``rules check`` prove
    them); patterns of any other file are compiled now, so a broken user rule fails at once.
    """
    shipped = paths is None
    files: list[tuple[Path, bool]] = [(f, not shipped) for f in (rule_files(default_rules_dir()) if shipped else paths or [])]
    for p in extra:
        if not p.exists():
            raise RuleError(f"{p}: rule file or folder does not exist")
        files.extend((f, True) for f in (rule_files(p) if p.is_dir() else [p]))
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for f, check in files:
        for rule in load_file(f, check):
            if rule.id in seen:
                raise RuleError(f"{f}: rule '{rule.id}': duplicate id (also defined in {seen[rule.id]})")
            seen[rule.id] = str(f)
            rules.append(rule)
    if not rules:
        raise RuleError("no rules loaded: the rules folder is empty or missing")
    for rule in rules:
        if rule.companion and rule.companion.rule not in seen:
            raise RuleError(f"{rule.source}: rule '{rule.id}': companion rule '{rule.companion.rule}' does not exist")
    return RuleSet(tuple(rules), tuple(str(f) for f, _ in files))
