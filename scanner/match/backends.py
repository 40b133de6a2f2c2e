"""Which prefilter backend a matcher gets: Hyperscan (``hyperscan_backend``) where it is installed,
else the portable Aho-Corasick one (``prefilter``). Apart from both, so neither backend imports the other."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from scanner.match.prefilter import AhoCorasickPrefilter, AutomatonStore, Prefilter
from scanner.model import Rule

if TYPE_CHECKING:
    from scanner.match.hyperscan_backend import Prebuilt

ENGINES = ("auto", "hyperscan", "ahocorasick")


def hyperscan_available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def make_prefilter(engine: str, rules: Sequence[Rule], *, decode_base64: bool = True,
                   prebuilt: Callable[[], Prebuilt | None] | None = None,
                   automata: AutomatonStore | None = None) -> Prefilter:
    """The backend by name: ``auto`` takes Hyperscan where it is installed, else Aho-Corasick.
    ``prebuilt`` gives the Hyperscan backend its database compiled ahead (asked only for that backend);
    ``automata`` keeps the Aho-Corasick backend's automaton between processes."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    if engine == "hyperscan" or (engine == "auto" and hyperscan_available()):
        from scanner.match.hyperscan_backend import HyperscanPrefilter

        return HyperscanPrefilter(rules, decode_base64=decode_base64, prebuilt=prebuilt() if prebuilt else None)
    return AhoCorasickPrefilter(rules, decode_base64=decode_base64, store=automata)
