"""A pattern compiled on its first use answers as the compiled pattern does, and costs nothing before."""

from __future__ import annotations

import re

import regex

from scanner.match.lazy import Lazy


def test_compiled_on_first_use_only() -> None:
    made: list[str] = []

    def compile(source: str, flags: int) -> re.Pattern[str]:
        made.append(source)
        return re.compile(source, flags)

    lazy = Lazy(compile, r"(\d+)-(\w+)", re.I)
    assert lazy.pattern == r"(\d+)-(\w+)" and made == []  # the source, without a compile
    assert lazy.search("x 12-ab")
    assert lazy.search("34-cd") and made == [r"(\d+)-(\w+)"]  # once


def test_every_method_answers_as_the_compiled_pattern() -> None:
    text = "a 12-ab b 34-CD c"
    for compile, flags in ((re.compile, re.I), (regex.compile, regex.I)):
        lazy, real = Lazy(compile, r"(\d+)-(\w+)", flags), compile(r"(\d+)-(\w+)", flags)
        assert lazy.search(text, 5).span() == real.search(text, 5).span()  # type: ignore[union-attr]
        assert lazy.match(text, 2).span() == real.match(text, 2).span()  # type: ignore[union-attr]
        assert lazy.fullmatch("56-ef").span() == real.fullmatch("56-ef").span()  # type: ignore[union-attr]
        assert [m.span() for m in lazy.finditer(text, 3)] == [m.span() for m in real.finditer(text, 3)]
        assert lazy.findall(text) == real.findall(text)
        assert lazy.sub("#", text, 1) == real.sub("#", text, 1)
        assert lazy.split(text) == real.split(text)
    assert Lazy(re.compile, rb"\d+").findall(b"1 22") == [b"1", b"22"]
