"""Rules written for gitleaks (its TOML configuration format), translated into credsprawl rules.

Teams that already keep custom gitleaks rules bring them with ``scan --gitleaks-config FILE`` or
``[extend] gitleaks = "FILE"`` in the config. What is translated:

- ``regex`` (RE2 syntax) into a ``regex`` pattern: ``\\Q…\\E`` quoting, ``\\z`` and octal escapes are
  rewritten; the rest of RE2's syntax (named groups, classes, inline flags scoped to their group)
  means the same in both;
- ``secretGroup = N`` into a named group ``secret`` around group N (without it, gitleaks reports the
  first capture group, or the whole match when there is none: so does the translation);
- ``entropy`` into ``min_entropy``; ``keywords`` as they are; a rule without keywords gets the longest
  literal every match must contain (three characters or more), or is not translated;
- allowlists (per rule and global): ``regexes`` on the secret and ``stopwords`` become the rule's
  ``allow`` patterns;
- ``[[rules.required]]`` with one companion rule becomes a required ``companion``;
- ``[extend] path`` loads the extended file too.

Everything else is reported as one warning line per rule, never silently dropped: path-only rules
(they match file names), per-rule ``path`` conditions, path and commit allowlists, ``regexTarget``
other than the secret, ``AND`` allowlist conditions, ``(?U)`` and ``\\C``, and ``[extend]
useDefault`` (credsprawl's own rules stand in for gitleaks' defaults).
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the standard library's regex parser: required literals of a pattern
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import regex

from scanner.errors import ConfigError
from scanner.match.compiled import PATTERN_FLAGS
from scanner.match.secretgroup import structure
from scanner.model import Companion, Confidence, Rule, Severity
from scanner.rules.load import RuleSet

_ID_OK = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_WINDOW = 1024  # gitleaks looks for keywords anywhere in the fragment: a wider window than ours
_MIN_KEYWORD = 3
_MAX_EXTEND_DEPTH = 4


@dataclass(frozen=True)
class Translation:
    rules: tuple[Rule, ...]
    warnings: tuple[str, ...]


class Untranslatable(Exception):
    """A rule (or part of one) that has no credsprawl equivalent; the message says what."""


# ------------------------------------------------------------------------------------------------
# RE2 syntax -> regex syntax


def translate_pattern(pattern: str) -> str:
    """An RE2 pattern in ``regex`` syntax (raises Untranslatable for constructs with no equivalent)."""
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "Q":  # \Q...\E: a quoted literal
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2 : end if end >= 0 else n]
                out.append("".join("\\" + ch if not ch.isalnum() else ch for ch in literal))
                i = end + 2 if end >= 0 else n
                continue
            if nxt == "z":
                out.append("\\Z")
            elif nxt == "C":
                raise Untranslatable("\\C (any byte) has no equivalent")
            elif nxt in "01234567":  # RE2 octal (RE2 has no backreferences)
                digits = re.match(r"[0-7]{1,3}", pattern[i + 1 :])
                assert digits is not None
                out.append(f"\\x{{{int(digits.group(0), 8):x}}}")
                i += 1 + len(digits.group(0))
                continue
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                if end > 0:
                    out.append(pattern[i : end + 2])
                    i = end + 2
                    continue
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":  # a leading ] is a literal
                out.append("\\]")
                i += 1
            continue
        if c == "(" and pattern.startswith("(?", i):
            flags = re.match(r"\(\?([a-zA-Z-]*)[:)]", pattern[i:])
            if flags and "U" in flags.group(1):
                raise Untranslatable("the (?U) ungreedy flag has no equivalent")
        out.append(c)
        i += 1
    return "".join(out)


def _groups(pattern: str) -> list[tuple[int, int, str | None]]:
    """Capturing groups in order: (index of "(", index after the matching ")", name or None)."""
    opens: list[tuple[int, str | None, bool]] = []  # (start, name, capturing)
    found: dict[int, tuple[int, int, str | None]] = {}
    order: list[int] = []
    for i, c in structure(pattern):
        if c == "(":
            named = re.match(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>", pattern[i:])
            capturing = named is not None or not pattern.startswith("(?", i)
            opens.append((i, named.group(1) if named else None, capturing))
            if capturing:
                order.append(i)
        elif c == ")" and opens:
            start, name, capturing = opens.pop()
            if capturing:
                found[start] = (start, i + 1, name)
    return [found[s] for s in order if s in found]


def with_secret_group(pattern: str, group: int) -> str:
    """Wrap capture group ``group`` (1-based; 0 = unset: the first group, else the whole match)
    in a group named ``secret``."""
    groups = _groups(pattern)
    taken = [g for g in groups if g[2] == "secret"]
    if group == 0 and groups:
        group = 1  # gitleaks reports the first capture group when secretGroup is not set
    if not groups:
        if taken:
            return pattern
        lead = re.match(r"^\(\?[a-zA-Z]+\)", pattern)  # global flags stay at the front
        head = lead.group(0) if lead else ""
        return f"{head}(?P<secret>{pattern[len(head):]})"
    if group > len(groups):
        raise Untranslatable(f"secretGroup {group} but the regex has {len(groups)} capture group(s)")
    start, end, name = groups[group - 1]
    if name == "secret":
        return pattern
    if taken:  # another group already has the name: rename it
        pattern = re.sub(r"\(\?P?<secret>", "(?P<secret_>", pattern)
        return with_secret_group(pattern, group)
    return pattern[:start] + "(?P<secret>" + pattern[start:end] + ")" + pattern[end:]


# ------------------------------------------------------------------------------------------------
# keywords a pattern implies


def _best(candidates: list[list[str]]) -> list[str]:
    """The candidate keyword set whose shortest keyword is longest (ties: fewer keywords)."""
    usable = [c for c in candidates if c]
    if not usable:
        return []
    return max(usable, key=lambda c: (min(len(k) for k in c), -len(c)))


def _pure(items: Any) -> list[str] | None:
    """Every string a parsed sequence can match, when it is made of literals and alternations of
    literals only (``(?:AKIA|ASIA)``, ``[aA]``), lowercased; None otherwise or when there are many."""
    strings = [""]
    for op, av in items:
        name = str(op)
        alts: list[str] | None = None
        if name == "LITERAL" and 32 < av < 127:
            alts = [chr(av).lower()]
        elif name == "IN" and len(av) in (1, 2) and all(str(o) == "LITERAL" and 32 < v < 127 for o, v in av):
            letters = {chr(v).lower() for _, v in av}
            alts = list(letters) if len(letters) == 1 else None
        elif name == "SUBPATTERN":
            alts = _pure(av[-1])
        elif name == "BRANCH":
            parts = [_pure(b) for b in av[1]]
            alts = None if any(p is None for p in parts) else [x for p in parts if p for x in p]
        if alts is None:
            return None
        strings = [a + b for a in strings for b in alts]
        if len(strings) > 16:
            return None
    return strings


def _required(items: Any) -> list[str]:
    """Literals (lowercase) of which every match of the parsed sequence contains at least one."""
    candidates: list[list[str]] = []
    run = [""]

    def flush() -> None:
        nonlocal run
        if all(run):
            candidates.append(sorted(set(run)))
        run = [""]

    for item in items:
        alts = _pure([item])
        if alts is not None and all(alts):
            combined = [a + b for a in run for b in alts]
            if len(combined) <= 16:
                run = combined
                continue
        flush()
        op, av = item
        name = str(op)
        if name == "SUBPATTERN":
            candidates.append(_required(av[-1]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            candidates.append(_required(av[2]))
        elif name == "BRANCH":
            branches = [_required(b) for b in av[1]]
            if all(branches):
                candidates.append(sorted({k for b in branches for k in b}))
        elif name == "ATOMIC_GROUP":
            candidates.append(_required(av))
    flush()
    return _best(candidates)


# regex-module syntax the standard parser reads differently, replaced by what it means for literals
_FOR_PARSER = (
    (re.compile(r"\[\[:\^?[a-z]+:\]\]"), "[a-z]"),       # [[:alpha:]]
    (re.compile(r"\[:\^?[a-z]+:\]"), "a-z"),               # [:alpha:] inside a class
    (re.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])"), "."),     # \pL, \p{Greek}
    (re.compile(r"\\x\{([0-9a-fA-F]{1,2})\}"), r"\\x\1"),  # \x{41}
    (re.compile(r"\\x\{[0-9a-fA-F]{3,8}\}"), "."),
)


def derive_keywords(pattern: str) -> list[str]:
    """The longest literal(s) every match must contain, lowercased; [] when there is none of
    three characters or more (or the standard parser cannot read the pattern)."""
    for rx, repl in _FOR_PARSER:
        pattern = rx.sub(repl, pattern)
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return []
    keywords = _required(list(parsed))
    return keywords if keywords and min(len(k) for k in keywords) >= _MIN_KEYWORD else []


# ------------------------------------------------------------------------------------------------
# the config file


def _allowlists(table: dict[str, Any]) -> list[dict[str, Any]]:
    """Both spellings: the single ``allowlist`` table and the ``allowlists`` array (gitleaks >= 8.21)."""
    out: list[dict[str, Any]] = []
    single = table.get("allowlist")
    if isinstance(single, dict):
        out.append(single)
    many = table.get("allowlists")
    if isinstance(many, list):
        out.extend(a for a in many if isinstance(a, dict))
    return out


def _allow_patterns(lists: list[dict[str, Any]], notes: list[str]) -> list[str]:
    """The allow patterns (on the secret) of allowlists; what cannot be expressed goes to ``notes``."""
    out: list[str] = []
    for a in lists:
        target = str(a.get("regexTarget", "secret") or "secret")
        criteria = [k for k in ("regexes", "stopwords", "paths", "commits") if a.get(k)]
        if str(a.get("condition", "OR")).upper() == "AND" and len(criteria) > 1:
            notes.append("an allowlist with condition AND is applied as OR (each criterion alone allows)")
        for r in a.get("regexes", []) or []:
            try:
                translated = translate_pattern(str(r))
                regex.compile(translated)
            except (Untranslatable, regex.error) as exc:
                notes.append(f"allowlist regex {r!r} skipped: {exc}")
                continue
            if target != "secret":
                notes.append(f"allowlist regexTarget '{target}' is applied to the secret only")
            out.append(translated)
        for word in a.get("stopwords", []) or []:
            out.append("(?i)" + regex.escape(str(word)))
        if a.get("paths"):
            notes.append("allowlist paths are not supported per rule (use [allowlist] paths in .credsprawl.toml)")
        if a.get("commits"):
            notes.append("allowlist commits are not supported (use a baseline)")
    return out


def _rule_id(raw_id: str, taken: set[str]) -> str:
    rid = re.sub(r"[^a-z0-9.-]+", "-", raw_id.lower()).strip(".-") or "rule"
    if not _ID_OK.match(rid) or rid in taken:
        rid = "gitleaks." + rid
    while rid in taken:
        rid += "-2"
    return rid


def _translate_rule(raw: dict[str, Any], source: str, taken: set[str], global_allow: list[tuple[str, set[str] | None]],
                    disabled: set[str]) -> tuple[Rule | None, list[str]]:
    raw_id = str(raw.get("id", "")).strip()
    if not raw_id:
        return None, ["a rule without an id is skipped"]
    if raw_id in disabled:
        return None, []
    notes: list[str] = []
    pattern = raw.get("regex")
    if not pattern:
        if raw.get("path"):
            return None, ["path-only rule (it matches file names, not content): not translated"]
        return None, ["no regex: not translated"]
    if raw.get("path"):
        notes.append("its path condition is not supported: the regex applies to every file")
    if raw.get("skipReport"):
        notes.append("skipReport is not supported: its matches are reported")
    try:
        translated = with_secret_group(translate_pattern(str(pattern)), int(raw.get("secretGroup", 0) or 0))
        regex.compile(translated, PATTERN_FLAGS)
    except Untranslatable as exc:
        return None, [f"not translated: {exc}"]
    except regex.error as exc:
        return None, [f"not translated: the regex does not compile: {exc}"]
    keywords = [str(k).lower() for k in raw.get("keywords", []) or [] if len(str(k)) >= 2]
    if not keywords:
        keywords = derive_keywords(translated)
        if not keywords:
            return None, ["not translated: no keywords, and no literal of 3+ characters that every match contains (add keywords)"]
    allow = _allow_patterns(_allowlists(raw), notes)
    allow += [p for p, only in global_allow if only is None or raw_id in only]
    companion = None
    required = raw.get("required")
    if isinstance(required, list) and required:
        first = required[0] if isinstance(required[0], dict) else {}
        lines = int(first.get("withinLines", 0) or 0)
        within = max(80, lines * 120) if lines else 400
        companion = Companion(str(first.get("id", "")), within, True)
        if len(required) > 1:
            notes.append(f"only the first of {len(required)} required rules is kept as its companion")
    rid = _rule_id(raw_id, taken)
    if rid != raw_id:
        notes.append(f"loaded as '{rid}'")
    taken.add(rid)
    rule = Rule(
        id=rid, name=str(raw.get("description") or raw_id), kind="secret", provider="custom",
        severity=Severity.HIGH, confidence=Confidence.MEDIUM, keywords=tuple(keywords), regex=translated,
        description=str(raw.get("description", "")), family=rid, min_entropy=float(raw.get("entropy", 0) or 0),
        allow=tuple(allow), window=_WINDOW, companion=companion, source=source,
    )
    return rule, notes


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read gitleaks config: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid gitleaks config (TOML): {exc}") from None


def translate_file(path: Path, taken: set[str] | None = None, _depth: int = 0) -> Translation:
    """The rules of a gitleaks config file (and the files it extends), with one warning per rule
    that could not be translated whole."""
    doc = _read(path)
    taken = set(taken or ())
    warnings: list[str] = []
    where = str(path)
    extend = doc.get("extend") if isinstance(doc.get("extend"), dict) else {}
    disabled = {str(x) for x in extend.get("disabledRules", []) or []}
    rules: list[Rule] = []
    if extend.get("useDefault"):
        warnings.append(f"{where}: [extend] useDefault: gitleaks' default rules are not loaded (credsprawl's own rules are in effect)")
    if extend.get("path"):
        if _depth >= _MAX_EXTEND_DEPTH:
            warnings.append(f"{where}: [extend] path: extended more than {_MAX_EXTEND_DEPTH} levels deep, not followed")
        else:
            base = translate_file((path.parent / str(extend["path"])).resolve(), taken, _depth + 1)
            rules.extend(r for r in base.rules if r.id not in disabled)
            warnings.extend(base.warnings)
            taken |= {r.id for r in base.rules}
    global_notes: list[str] = []
    global_allow: list[tuple[str, set[str] | None]] = []
    for a in _allowlists(doc):
        only = {str(x) for x in a.get("targetRules", []) or []} or None
        global_allow.extend((p, only) for p in _allow_patterns([a], global_notes))
    for note in dict.fromkeys(global_notes):
        warnings.append(f"{where}: global allowlist: {note}")
    raws = doc.get("rules", [])
    if not isinstance(raws, list):
        raise ConfigError(f"{where}: 'rules' must be an array of tables ([[rules]])")
    for raw in raws:
        if not isinstance(raw, dict):
            continue
        rule, notes = _translate_rule(raw, where, taken, global_allow, disabled)
        if notes:
            warnings.append(f"{where}: rule '{raw.get('id', '?')}': " + "; ".join(dict.fromkeys(notes)))
        if rule is not None:
            rules = [r for r in rules if r.id != rule.id]  # a rule of the extending file wins
            rules.append(rule)
    ids = {r.id for r in rules}
    kept: list[Rule] = []
    for r in rules:  # a companion must exist; without it the rule stands alone
        if r.companion and r.companion.rule not in ids:
            warnings.append(f"{where}: rule '{r.id}': required rule '{r.companion.rule}' is not defined: reported alone")
            r = replace(r, companion=None)
        kept.append(r)
    return Translation(tuple(kept), tuple(warnings))


def extend_ruleset(ruleset: RuleSet, paths: list[Path]) -> tuple[RuleSet, list[str]]:
    """``ruleset`` plus the translated rules of each gitleaks config, and the warnings."""
    rules = list(ruleset.rules)
    warnings: list[str] = []
    for path in paths:
        result = translate_file(path, {r.id for r in rules})
        rules.extend(result.rules)
        warnings.extend(result.warnings)
    if len(rules) == len(ruleset.rules):
        return ruleset, warnings
    return RuleSet(tuple(rules), (*ruleset.files, *(str(p) for p in paths))), warnings
