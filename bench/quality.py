"""Detection quality: recall, precision and F1 on a labeled corpus, for credsprawl, gitleaks and betterleaks.

    python bench/quality.py [--seed 1] [--repeats 4] [--jobs 2] [--no-peers]
    python bench/quality.py --fp-tree bench/.cache/pkgtree [--fp-only]

The corpus is generated at run time by ``fixtures/quality`` (fake credentials in realistic files of
many formats, plain and encoded, plus hard negatives) into ``bench/.cache/quality-s<seed>`` and
scanned by each tool as a directory, the way a user would. A planted secret is found when a finding
of the tool starts on one of its lines. Precision counts distinct finding locations (file, line):
a location on no planted secret or identifier is a false positive, attributed to the hard negative
it hit (``unlabeled`` otherwise). Identifiers (account SIDs, org URLs beside their secrets) count
neither way.

``--fp-tree DIR`` scans a real source tree (the installed packages of bench/pkgtree.py) with
credsprawl and lists every finding, classified by path as a test/fixture/documentation file or not,
with findings per 50 MB.

Tables are printed and written to ``bench/results/quality.md`` (``--fp-tree`` to ``quality-fp.md``).
gitleaks and betterleaks run from ``bench/.venv-peers`` (``python bench/peers.py install gitleaks betterleaks``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(BENCH))

import peers as peers_mod  # noqa: E402
from fixtures.quality import Corpus, Label, build  # noqa: E402
from fixtures.quality.corpus import GENERATOR_VERSION  # noqa: E402
from fixtures.quality.scoring import Hit, Score, score  # noqa: E402

RESULTS = BENCH / "results"
CACHE = BENCH / ".cache"


# ------------------------------------------------------------------------------------------------
# the corpus on disk


def _shown(path: Path) -> str:
    """A path as the results file shows it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(BENCH.parent))
    except ValueError:
        return str(path)


def corpus_dir(seed: int, repeats: int) -> Path:
    return CACHE / f"quality-s{seed}-r{repeats}"


def materialise(seed: int, repeats: int) -> tuple[Path, list[Label], Corpus]:
    out = corpus_dir(seed, repeats)
    corpus = build(seed, repeats)
    manifest = {"generator": GENERATOR_VERSION, "seed": seed, "repeats": repeats, **corpus.summary()}
    mfile = out / "manifest.json"
    if not (mfile.exists() and json.loads(mfile.read_text()) == manifest):
        if out.exists():
            subprocess.run(["rm", "-rf", str(out)], check=True)
        out.mkdir(parents=True)
        corpus.write(out)
        mfile.write_text(json.dumps(manifest, indent=2))
    return out / "tree", corpus.labels, corpus


# ------------------------------------------------------------------------------------------------
# running the tools


def run_credsprawl(root: Path, jobs: int, report: Path) -> tuple[list[Hit], float]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "scanner", "scan", str(root), "-f", "json", "-o", str(report), "--exit-zero",
                           "-q", "--jobs", str(jobs)], cwd=PROJECT, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"credsprawl failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    data = json.loads(report.read_text())
    hits = [Hit(f["path"].split("!", 1)[0], int(f["start_line"]), int(f["end_line"]), f["rule_id"]) for f in data["findings"]]
    return hits, elapsed


def _gitleaks_hits(report: Path, root: Path) -> list[Hit]:
    data = json.loads(report.read_text() or "[]")
    return [Hit(peers_mod._rel(f["File"], root), int(f["StartLine"]), int(f.get("EndLine") or f["StartLine"]), f["RuleID"])
            for f in data]


def _betterleaks_hits(report: Path, root: Path) -> list[Hit]:
    data = json.loads(report.read_text() or "{}")
    found = data.get("findings", []) if isinstance(data, dict) else data
    return [Hit(peers_mod._rel(f["location"]["path"], root), int(f["location"]["start_line"]),
                int(f["location"].get("end_line") or f["location"]["start_line"]), f["rule_id"]) for f in found]


# the peers scored beside credsprawl, each from ``bench/.venv-peers``: how it runs and how its report reads
PEERS: dict[str, tuple[Callable[[Path, Path, int], peers_mod.Run], Callable[[Path, Path], list[Hit]]]] = {
    "gitleaks": (peers_mod.gitleaks_run, _gitleaks_hits),
    "betterleaks": (peers_mod.betterleaks_run, _betterleaks_hits),
}


def run_peer(name: str, root: Path, jobs: int, report: Path) -> tuple[list[Hit], float, str] | None:
    if not peers_mod.available(name):
        return None
    make_run, read_hits = PEERS[name]
    run = make_run(root, report, jobs)
    report.unlink(missing_ok=True)
    started = time.monotonic()
    proc = subprocess.run(run.argv, env={**os.environ, **run.env}, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if proc.returncode not in (0, 1) or not report.exists():
        print(f"quality: {name} failed ({proc.returncode}): {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return read_hits(report, root), elapsed, peers_mod.version(name)


# ------------------------------------------------------------------------------------------------
# scoring


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# ------------------------------------------------------------------------------------------------
# tables


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def quality_tables(scores: list[Score], labels: list[Label], times: dict[str, float], versions: dict[str, str]) -> list[str]:
    out: list[str] = []
    out += ["| tool | version | planted found | recall | false positives | precision | F1 | wall s |", "|---|---|---|---|---|---|---|---|"]
    for s in scores:
        tp, n = s.totals(labels)
        p, r = s.precision(labels), s.recall(labels)
        out.append(_row(s.tool, versions.get(s.tool, ""), f"{tp}/{n}", f"{r:.3f}", len(s.false_positives), f"{p:.3f}",
                        f"{_f1(p, r):.3f}", f"{times.get(s.tool, 0):.1f}"))
    # by variant (the form a secret is written in) and by format
    for title, key in (("variant (how the secret is written)", lambda lb: lb.kind), ("file format", lambda lb: lb.format)):
        groups = sorted({key(lb) for lb in labels if lb.role == "secret"})
        out += ["", f"### Recall by {title}", "", _row(title, "planted", *(s.tool for s in scores)), "|---|---|" + "---|" * len(scores)]
        for g in groups:
            cells = []
            n = 0
            for s in scores:
                tp, n = s.totals(labels, lambda lb, g=g: key(lb) == g)
                cells.append(f"{tp}/{n} ({tp / n:.2f})" if n else "-")
            out.append(_row(g, n, *cells))
    # false positives by negative kind
    kinds = Counter(lb.kind for lb in labels if lb.role == "negative")
    out += ["", "### False positives by kind of hard negative", "", _row("negative kind", "planted", *(s.tool for s in scores)),
            "|---|---|" + "---|" * len(scores)]
    for k in sorted(kinds):
        out.append(_row(k, kinds[k], *(sum(1 for _, lb in s.false_positives if lb is not None and lb.kind == k) for s in scores)))
    out.append(_row("(on no label)", "-", *(sum(1 for _, lb in s.false_positives if lb is None) for s in scores)))
    # per type
    types = sorted({lb.type for lb in labels if lb.role == "secret"})
    out += ["", "### By credential type", "",
            "Recall is planted secrets found; precision counts, against them, false positives on hard negatives that imitate the type.",
            "", _row("type", "planted", *(f"{s.tool} recall" for s in scores), *(f"{s.tool} precision" for s in scores)),
            "|---|---|" + "---|" * (2 * len(scores))]
    for t in types:
        recalls, precisions = [], []
        n = 0
        for s in scores:
            tp, n = s.totals(labels, lambda lb, t=t: lb.type == t)
            fp = sum(1 for _, lb in s.false_positives if lb is not None and lb.type == t)
            recalls.append(f"{tp}/{n}")
            precisions.append(f"{tp / (tp + fp):.2f}" if tp + fp else "-")
        out.append(_row(t, n, *recalls, *precisions))
    out += breadth_table(scores, labels)
    return out


def provider_of(kind: str) -> str:
    """The provider of a planted type: its rule's, else the type's first word (``password``: generic)."""
    rule = _rules_by_id().get(kind)
    if rule is not None:
        return rule.provider
    if kind in ("password", "hex-secret", "generic"):
        return "generic"
    return kind.split("-", 1)[0]


_RULES: dict[str, object] = {}


def _rules_by_id() -> dict:
    if not _RULES:
        from scanner.rules.load import load_rules

        _RULES.update({r.id: r for r in load_rules().rules})
    return _RULES  # type: ignore[return-value]


def breadth_table(scores: list[Score], labels: list[Label]) -> list[str]:
    """Per provider: planted secrets found, and hard negatives imitating its credentials tripped."""
    providers = sorted({provider_of(lb.type) for lb in labels if lb.role in ("secret", "negative")})
    out = ["", "### Breadth by provider", "",
           "Planted secrets of each provider's types found, and hard negatives imitating them (placeholders, "
           "templates, bad checksums, publishable keys...) reported.", "",
           _row("provider", "types", "planted", *(f"{s.tool} found" for s in scores), "negatives",
                *(f"{s.tool} tripped" for s in scores)), "|---|---|---|" + "---|" * len(scores) + "---|" + "---|" * len(scores)]
    for prov in providers:
        def mine(lb: Label, prov: str = prov) -> bool:
            return provider_of(lb.type) == prov
        types = {lb.type for lb in labels if lb.role == "secret" and mine(lb)}
        negatives = sum(1 for lb in labels if lb.role == "negative" and mine(lb))
        found, tripped, n = [], [], 0
        for s in scores:
            tp, n = s.totals(labels, mine)
            found.append(f"{tp}/{n}" if n else "-")
            tripped.append(sum(1 for _, lb in s.false_positives if lb is not None and mine(lb)))
        out.append(_row(prov, len(types), n, *found, negatives, *tripped))
    return out


def misses(s: Score, labels: list[Label], limit: int = 40) -> list[str]:
    out = []
    for i, lb in enumerate(labels):
        if lb.role == "secret" and not s.found.get(i):
            out.append(f"  miss  {lb.type:<36} {lb.kind:<12} {lb.path}:{lb.line}")
    for h, lb in s.false_positives:
        out.append(f"  fp    {h.rule:<36} {(lb.kind if lb else 'unlabeled'):<12} {h.path}:{h.start}")
    return out[:limit] + ([f"  ... {len(out) - limit} more"] if len(out) > limit else [])


# ------------------------------------------------------------------------------------------------
# the real-code false-positive check

_TESTISH = re.compile(r"(?i)(?:^|/)(?:tests?|testing|test_?data|fixtures?)(?:/|$)|(?:^|/)test_[^/]*$|_tests?\.py$|(?:^|/)conftest\.py$")
_DOCISH = re.compile(r"(?i)(?:^|/)(?:examples?|samples?|docs?|demo)(?:/|$)|(?:^|/)examples?[-_.\w]*\.json$|\.(?:md|rst)$|/METADATA$")
# documentation context in the lines above a finding: a doctest prompt, an RST code block, "for example"
_DOC_CONTEXT = re.compile(r"(?im)^\s*>>> |^\s*\.\. code-block::|for example|e\.g\.|looks something like|such as:")


def classify(tree: Path, path: str, line: int) -> str:
    """Where a finding on real code sits: a test or fixture file, documentation (a docs path, an
    examples file, or a docstring example: doctest prompt, code block or "for example" in the 40
    lines above it), or ordinary code to review."""
    if _TESTISH.search(path):
        return "test/fixture"
    if _DOCISH.search(path):
        return "documentation"
    if "!" not in path:
        try:
            with open(tree / path, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return "review"
        if _DOC_CONTEXT.search("\n".join(lines[max(0, line - 41):line])):
            return "documentation"
    return "review"


# Why each finding on the real-code tree is reported: (rule id pattern, path pattern, explanation).
# A finding no row explains is listed as "unexplained": explain it here or fix what reports it.
EXPLAINED: tuple[tuple[str, str, str], ...] = (
    (r"^private-key-", r"(?:^|/)tests?/",
     "a real, structurally valid private key committed as a test fixture: usable wherever it is copied, so "
     "reported in test folders too"),
    (r"^generic-password$", r"botocore/data/iam/.*/examples-1\.json$",
     "IAM ChangePassword/CreateLoginProfile API examples: random-looking values with no placeholder spelling; "
     "the path alone is no evidence the value is fake"),
    (r"^generic-token$", r"kubernetes/.*_test\.py$",
     "a test's refresh token: a 32-character base64-looking value, no placeholder words; tests also leak real tokens"),
    (r"^azure-sas-token$", r"botocore/data/datasync/",
     "a SAS token example inside API documentation HTML (HTML-entity encoded): the signature is 44 base64 "
     "characters of the real shape"),
)


def explanation(rule: str, path: str) -> str:
    for rule_pattern, path_pattern, why in EXPLAINED:
        if re.search(rule_pattern, rule) and re.search(path_pattern, path):
            return why
    return "**unexplained**"


def fp_tree(tree: Path, jobs: int) -> list[str]:
    report = CACHE / "quality-fp-tree.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    hits, elapsed = run_credsprawl(tree, jobs, report)
    data = json.loads(report.read_text())
    summary = data["summary"]
    total_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(tree) for f in fs
                      if os.path.isfile(os.path.join(d, f)) and not os.path.islink(os.path.join(d, f)))
    rows = []
    where = Counter()
    for f in data["findings"]:
        cls = classify(tree, f["path"], int(f["start_line"]))
        where[cls] += 1
        rows.append(_row(f["rule_id"], f["path"], f["start_line"], cls if cls != "review" else "**review**",
                         f["line"][:90].replace("|", "\\|"), explanation(f["rule_id"], f["path"])))
    mb = total_bytes / 1e6
    review = where["review"]
    out = [f"Tree: `{tree}` ({mb:.0f} MB on disk, {summary['files_scanned']} files and {summary['bytes_scanned'] / 1e6:.0f} MB "
           f"of text scanned in {elapsed:.1f} s).", "",
           f"{len(rows)} findings: {where['test/fixture']} in test or fixture files, {where['documentation']} in documentation "
           f"(docs and example files, docstring examples), {review} in ordinary code to review: {review / (mb / 50):.2f} per "
           f"50 MB of tree ({review / (summary['bytes_scanned'] / 50e6):.2f} per 50 MB of text scanned).", "",
           "Documentation and test values credsprawl leaves out from evidence in the value and its context (not the path): "
           "placeholder words (`some_token_value`, `apples`, `S3CuR1Ty`), templates and references, masks, documented "
           "examples, and for generic rules values in a Python docstring or under a doctest prompt "
           "(`credsprawl explain PATH:LINE` names the step). What remains is listed with the reason it is reported.", "",
           _row("rule", "path", "line", "where", "context (secret redacted)", "why it is reported"), "|---|---|---|---|---|---|",
           *rows]
    return out


# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeats", type=int, default=4, help="plants of each credential type (default 4)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--no-peers", action="store_true", help="credsprawl only")
    p.add_argument("--fp-tree", type=Path, metavar="DIR", help="also list credsprawl's findings on a real source tree")
    p.add_argument("--fp-only", action="store_true", help="only the --fp-tree check")
    p.add_argument("--misses", action="store_true", help="print every miss and false positive")
    p.add_argument("--extra-seeds", default="", metavar="N,N", help="also score corpora of these seeds (held out from tuning)")
    a = p.parse_args(argv)
    lines: list[str] = []
    if not a.fp_only:
        tree, labels, corpus = materialise(a.seed, a.repeats)
        s = corpus.summary()
        scores, times, versions = [], {}, {"credsprawl": "(this checkout)"}
        hits, times["credsprawl"] = run_credsprawl(tree, a.jobs, CACHE / "quality-credsprawl.json")
        scores.append(score("credsprawl", hits, labels))
        for name in () if a.no_peers else PEERS:
            got = run_peer(name, tree, a.jobs, CACHE / f"quality-{name}.json")
            if got is None:
                print(f"quality: {name} not available (python bench/peers.py install {name}): left out", file=sys.stderr)
            else:
                phits, times[name], versions[name] = got
                scores.append(score(name, phits, labels))
        lines += ["# Detection quality", "",
                  f"Corpus: `fixtures/quality` seed {a.seed}, {a.repeats} plants per type, written to `{_shown(tree.parent)}`: "
                  f"{s['files']} files in {s['formats']} formats, {s['secrets']} planted secrets of {s['types']} types "
                  f"({sum(1 for lb in labels if lb.role == 'secret' and lb.kind != 'plain')} encoded or concatenated, "
                  f"{sum(1 for lb in labels if lb.role == 'secret' and 'utf16' in lb.format)} in UTF-16 files), "
                  f"{s['negatives']} hard negatives, {s['identifiers']} identifiers (neutral).",
                  f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared; load average {os.getloadavg()[0]:.1f} at the start), "
                  f"Python {platform.python_version()}; "
                  f"`--jobs {a.jobs}` for every tool. Generated by `python bench/quality.py {' '.join(argv or sys.argv[1:])}` "
                  f"on {time.strftime('%Y-%m-%d %H:%M')}.", "", "## Overall", ""]
        lines += quality_tables(scores, labels, times, versions)
        for sc in scores:
            print(f"\n{sc.tool}: misses and false positives")
            print("\n".join(misses(sc, labels, 10_000 if a.misses else 40)))
        extra = [int(x) for x in a.extra_seeds.split(",") if x.strip()]
        if extra:
            lines += ["", "## Other seeds", "", "The same generator with other seeds (corpora not used while writing the rules).", "",
                      "| seed | tool | planted found | recall | false positives | precision | F1 |", "|---|---|---|---|---|---|---|"]
            for seed in extra:
                xtree, xlabels, _ = materialise(seed, a.repeats)
                runs = [("credsprawl", run_credsprawl(xtree, a.jobs, CACHE / f"quality-credsprawl-s{seed}.json")[0])]
                for name in PEERS:
                    if name in versions:
                        got = run_peer(name, xtree, a.jobs, CACHE / f"quality-{name}-s{seed}.json")
                        if got is not None:
                            runs.append((name, got[0]))
                for tool, xhits in runs:
                    sc = score(tool, xhits, xlabels)
                    tp, n = sc.totals(xlabels)
                    lines.append(_row(seed, tool, f"{tp}/{n}", f"{sc.recall(xlabels):.3f}", len(sc.false_positives),
                                      f"{sc.precision(xlabels):.3f}", f"{sc.f1(xlabels):.3f}"))
    if a.fp_tree:
        fp = fp_tree(a.fp_tree, a.jobs)
        (RESULTS / "quality-fp.md").write_text("# Findings on real code\n\n" + "\n".join(fp) + "\n")
        lines += ["", "## Findings on real code (`--fp-tree`)", "", *fp[:3], "", "Every finding is listed in `bench/results/quality-fp.md`."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not a.fp_only:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "quality.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
