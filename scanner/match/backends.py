"""Which prefilter backend a matcher gets: Hyperscan (``hyperscan_backend``) where it is installed,
else the portable Aho-Corasick one (``prefilter``). Apart from both, so neither backend imports the other."""

from __future__ import annotations

from typing import Sequence

from scanner.match.prefilter import AhoCorasickPrefilter, Prefilter
from scanner.model import Rule

ENGINES = ("auto", "hyperscan", "ahocorasick")


def hyperscan_available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def make_prefilter(engine: str, rules: Sequence[Rule], *, decode_base64: bool = True) -> Prefilter:
    """The backend by name: ``auto`` takes Hyperscan where it is installed, else Aho-Corasick."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    if engine == "hyperscan" or (engine == "auto" and hyperscan_available()):
        from scanner.match.hyperscan_backend import HyperscanPrefilter

        return HyperscanPrefilter(rules, decode_base64=decode_base64)
    return AhoCorasickPrefilter(rules, decode_base64=decode_base64)
