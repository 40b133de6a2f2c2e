"""Loopback cases of the verifiers in scanner/verify/catalogue/ai_data.py: each reproduces the documented
answers of its provider (the page in ``doc``)."""

from __future__ import annotations

from verifyfakes import Case

CASES: list[Case] = []
