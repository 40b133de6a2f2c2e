"""Regular expressions compiled on their first use.

A module-level pattern costs its compile at import (a ``regex`` pattern, parsed in Python, up to a
millisecond), whether the run ever uses it or not: the pre-commit hook imports the validators and the
facts of every provider and meets few of them. :class:`Lazy` holds the pattern's source and compiles
it the first time it is used, with the same compile function and flags; it answers the methods the
scanner calls on a compiled pattern, so a use reads as it would with the compiled one. A cache may
hand it the compiled pattern ahead (:meth:`Lazy.give`: ``rules.regexcache`` keeps the matcher's own
``regex`` patterns, listed in each module's ``PATTERNS``, beside the rules').
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Iterator, Match, Pattern, TypeVar

AnyStr = TypeVar("AnyStr", str, bytes)


class Lazy(Generic[AnyStr]):
    """``compile(source, flags)`` (``re.compile`` or ``regex.compile``), made on first use."""

    __slots__ = ("_compile", "pattern", "flags", "_compiled")

    def __init__(self, compile: Callable[[AnyStr, int], Pattern[AnyStr]], pattern: AnyStr, flags: int = 0) -> None:
        self._compile = compile
        self.pattern = pattern  # the source, as a compiled pattern's ``pattern`` (no compile needed)
        self.flags = flags
        self._compiled: Pattern[AnyStr] | None = None

    def give(self, compiled: Pattern[AnyStr]) -> None:
        """Take the compiled pattern from elsewhere (a cache that compiled this same source with these
        same flags), unless it is compiled already."""
        if self._compiled is None:
            self._compiled = compiled

    @property
    def compiled(self) -> Pattern[AnyStr]:
        if self._compiled is None:
            self._compiled = self._compile(self.pattern, self.flags)
        return self._compiled

    def search(self, string: AnyStr, *args: Any) -> Match[AnyStr] | None:
        return self.compiled.search(string, *args)

    def match(self, string: AnyStr, *args: Any) -> Match[AnyStr] | None:
        return self.compiled.match(string, *args)

    def fullmatch(self, string: AnyStr, *args: Any) -> Match[AnyStr] | None:
        return self.compiled.fullmatch(string, *args)

    def finditer(self, string: AnyStr, *args: Any) -> Iterator[Match[AnyStr]]:
        return self.compiled.finditer(string, *args)

    def findall(self, string: AnyStr, *args: Any) -> list[Any]:
        return self.compiled.findall(string, *args)

    def sub(self, repl: Any, string: AnyStr, count: int = 0) -> AnyStr:
        return self.compiled.sub(repl, string, count)

    def split(self, string: AnyStr, maxsplit: int = 0) -> list[AnyStr | Any]:
        return self.compiled.split(string, maxsplit)
