"""The import graph of ``scanner/``: no circle between modules, and imports between packages only
along the flow (``ALLOWED``), read with ``ast`` (nothing is imported).

What counts: every import that runs, at module level or inside a function (a function-level import
is still a dependency, only a later one). What does not: imports under ``if TYPE_CHECKING:``, which
never run and only name types for annotations.

A "package" is the first name under ``scanner`` (``scanner.pipeline.route`` is in ``pipeline``; a loose
module such as ``scanner.model`` is its own). ``scanner`` itself (``scanner/__init__.py``: the version)
is ``version`` here.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Mapping

ROOT = Path(__file__).resolve().parent.parent / "scanner"

_BASE = {"errors", "model", "version"}  # leaves anyone may import

# package -> the packages it may import (besides itself and _BASE). The flow: cli -> api -> settings ->
# pipeline, history, sweep -> sources, match, identity, rules, filters -> results, model; cli, sweep -> triage
# -> store, identity, filters, report; api and settings -> verify (opt-in: after the findings are
# filtered) -> httpclient.
ALLOWED: dict[str, set[str]] = {
    "__main__": {"cli"},
    "cli": {"api", "settings", "config", "rules", "pipeline", "history", "sweep", "sources", "identity", "filters",
            "report", "store", "results", "restapi", "match", "triage", "serve"},
    # the Python API: what the CLI's scanning commands run, and embedders call
    "api": {"settings", "pipeline", "history", "sources", "identity", "filters", "report", "results", "verify"},
    "settings": {"config", "rules", "pipeline", "match", "filters", "verify"},  # verify: the [verify] endpoints
    "sweep": {"pipeline", "history", "sources", "identity", "rules", "config", "store", "results", "restapi",
              "httpclient", "cachefile", "triage",  # triage: the reopen rules, run at the end of a sweep
              "verify"},  # sweep --verify: the swept credentials asked about, as scan --verify does
    # triage state over a sweep's datastore: the data layer under the triage command (and a web app)
    "triage": {"store", "identity", "filters", "report", "results"},
    # the triage web app (credsprawl serve): reads and writes through triage, over the datastore
    "serve": {"triage", "store", "report", "identity", "results", "filters"},
    "history": {"pipeline", "sources", "match", "rules", "config", "results"},
    "pipeline": {"sources", "match", "identity", "rules", "filters", "config", "results"},
    "sources": {"match", "results", "restapi", "httpclient"},
    "identity": {"match", "results"},
    "rules": {"match", "cachefile"},  # rules compile and check their patterns with the matcher's pieces
    "match": set(),  # the pure matcher imports only the model
    "filters": {"results"},
    "report": {"results", "store"},  # reporters read findings (a sweep's, out of its datastore)
    "store": {"results"},
    "config": set(),
    "results": set(),
    "restapi": {"httpclient"},
    "verify": {"httpclient"},  # per-provider verifiers (opt-in network): the HTTP client, errors and model only
    "httpclient": set(),  # the one HTTP client (bounded in time and bytes; credentials pinned to their host)
    "cachefile": set(),  # authenticated cache files: nothing in them can run code
    "errors": set(),
    "model": set(),
    "version": set(),
}

# Imports against the flow that remain, module by module (a new one fails even in a package that has
# some), each to be removed: none remain.
KNOWN_BACK_EDGES: dict[tuple[str, str], str] = {}


def package_of(module: str) -> str:
    parts = module.split(".")
    return "version" if len(parts) == 1 else parts[1]


def modules(root: Path = ROOT) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except what sits under ``if TYPE_CHECKING:`` (its ``else`` still runs)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imports_of(module: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """The scanner modules ``module`` imports at run time (module level and inside functions)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from scanner.pipeline import route``: the submodule, when it is one
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:  # ``import scanner.x.y`` names the deepest module there is
                name = name.rpartition(".")[0]
            if name.startswith("scanner") and name != module:
                out.add(name)
    return out


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    known = modules(root)
    return {m: imports_of(m, p, known) for m, p in known.items()}


def circles(g: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def against_flow(g: Mapping[str, set[str]], allowed: Mapping[str, set[str]] = ALLOWED,
                 known: Mapping[tuple[str, str], str] = KNOWN_BACK_EDGES) -> list[str]:
    """``module -> module`` lines for every import between packages the table does not allow."""
    out = []
    for m, targets in sorted(g.items()):
        a = package_of(m)
        for t in sorted(targets):
            b = package_of(t)
            if a == b or b in _BASE or b in allowed.get(a, set()) or (m, t) in known:
                continue
            out.append(f"{m} -> {t} ({a} may not import {b})")
    return out


def test_the_graph_is_read() -> None:
    g = graph()
    assert "scanner.pipeline.route" in g and "scanner.sources.archives" in g["scanner.pipeline.route"]
    # a function-level import counts; one under TYPE_CHECKING does not
    assert "scanner.api" in g["scanner.cli.app"]
    assert set(map(package_of, g)) <= set(ALLOWED), "a new package: give it a line in ALLOWED"


def test_no_circles_between_modules() -> None:
    assert circles(graph()) == []


def test_imports_follow_the_flow() -> None:
    assert against_flow(graph()) == []


def test_known_back_edges_still_exist() -> None:
    """An exception that is gone must leave the table, so it cannot come back unnoticed."""
    g = graph()
    present = {(m, t) for m, ts in g.items() for t in ts}
    assert set(KNOWN_BACK_EDGES) <= present, set(KNOWN_BACK_EDGES) - present


def test_a_planted_back_edge_and_circle_fail(tmp_path: Path) -> None:
    # a copy of the real tree, with the pure matcher made to call the pipeline's engine from a function
    import shutil

    tree = tmp_path / "scanner"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns("__pycache__"))
    assert against_flow(graph(tree)) == [] and circles(graph(tree)) == []
    with open(tree / "match" / "entropy.py", "a", encoding="utf-8") as fh:
        fh.write("\n\ndef _planted() -> None:\n    from scanner.pipeline import engine  # noqa: F401\n")
    g = graph(tree)
    assert against_flow(g) == ["scanner.match.entropy -> scanner.pipeline.engine (match may not import pipeline)"]
    # a known exception covers its own module only: the same back-edge from another source module fails
    with open(tree / "sources" / "filesystem.py", "a", encoding="utf-8") as fh:
        fh.write("\n\ndef _planted() -> None:\n    from scanner.pipeline import engine  # noqa: F401\n")
    assert "scanner.sources.filesystem -> scanner.pipeline.engine (sources may not import pipeline)" in against_flow(graph(tree))
    assert any("scanner.match.entropy" in c and "scanner.pipeline.engine" in c for c in circles(g))
    # under TYPE_CHECKING it is no dependency
    text = (tree / "match" / "entropy.py").read_text()
    (tree / "match" / "entropy.py").write_text(text.replace(
        "def _planted() -> None:\n    from scanner.pipeline import engine  # noqa: F401\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from scanner.pipeline import engine  # noqa: F401\n"))
    assert not any(line.startswith("scanner.match.entropy") for line in against_flow(graph(tree)))


def test_an_injected_graph_with_a_circle_fails() -> None:
    fake = {"scanner.sources.a": {"scanner.pipeline.b"}, "scanner.pipeline.b": {"scanner.sources.a"},
            "scanner.store.c": {"scanner.report.d"}}
    assert circles(fake) == [["scanner.pipeline.b", "scanner.sources.a"]]
    assert against_flow(fake, known={}) == [
        "scanner.sources.a -> scanner.pipeline.b (sources may not import pipeline)",
        "scanner.store.c -> scanner.report.d (store may not import report)"]
