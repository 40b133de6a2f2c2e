"""Decoders: find encoded runs in text and decode them so they can be scanned again.

A run is decoded only where there is a reason, and no decoder makes a pass of its own over the
content:

- base64, hex and backslash escapes where the prefilter saw an encoded form of a keyword (the
  automaton holds the base64 forms of every keyword at each alignment, and the hex, ``\\xNN`` and
  ``\\u00NN`` forms of the longer ones);
- percent-encoding and JSON/unicode/``\\xNN`` escapes in the run of text around a plain keyword
  hit, when the run holds ``%XX`` (one is enough) or a backslash escape (and such a character is
  near the hit); the raw run is scanned too, and a match found both ways is reported once;
- on the line of a plain keyword hit: string concatenation (``"sk_live_" + "4eC3…"``), the quoted
  pieces joined; escaped quotes (``\\"token\\": \\"…\\"``, JSON inside a JSON string) and HTML
  character references (``&quot;``, ``&#x67;``) resolved; unicode, ``\\xNN`` and ``\\/`` escapes in a
  JSON value beside its name (``"password": "p\\u002b…"``) resolved around the keyword.

Besides encoded keywords, the encoded forms of a few hints start a decode: URL schemes (``https://``
in base64 and hex, ``://`` in hex and percent-encoded), ``eyJ`` (a JWT) in base64, and keywords
percent-encoded or with JSON-escaped slashes (a percent-encoded scheme is looked for only in a text
that holds a percent escape).

Each decode is a ``Run``. A finding in text decoded by substitution (percent, escapes, entities,
concatenation) is reported at its own encoded text; in base64 or hex, at the whole encoded run.
Depth is bounded by the caller.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import re
from dataclasses import dataclass
from typing import Callable, Iterator, Protocol
from urllib.parse import unquote

from scanner.match.lazy import Lazy

_MAX_RUN = 65536
_MIN_RUN = 16
# an escaped URL delimiter or punctuation: %20-%2F, %3A-%40, %5B-%60, %7B-%7E (not "%02d")
_PERCENT = Lazy(re.compile, r"%(?:2[0-9A-Fa-f]|3[A-Fa-f]|40|5[B-Fb-f]|60|7[B-Eb-e])")
# one escape is enough: a single "%3D" glued to a token ("state=token%3Dghp_…") takes the word
# boundary the token's rule needs, and only the decoded run shows the token again
_MIN_PERCENT_ESCAPES = 1
# a URL scheme's "://" percent-encoded: the rules' keyword is hidden, the run is decoded all the same
_ENCODED_SCHEME = Lazy(re.compile, r"%3[aA]%2[fF]%2[fF]")
_JSON_ESCAPE = Lazy(re.compile, r"\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|/)")
_MIN_HEX_RUN = 16
_MIN_HEX_VARIANT = 4  # keyword bytes: shorter keywords have hex forms too common in digests
# "piece" + "piece", 'a' . 'b' (PHP), "a" & "b" (VB), 'a' || 'b' (SQL): the same quote on both sides
_CONCAT = Lazy(re.compile, r"""(["'])[ \t]*(?:\+|\.|&|\|\|)[ \t]*\1""")
_MAX_LINE = 4096
_MAX_KEYWORD = 24  # how far back from an encoded keyword's end a "%" marks it percent-encoded
_LINE_REACH = 512  # a line decode covers the line of a keyword, at most this far either side of it
_PRINTABLE = frozenset(range(32, 127)) | {9, 10, 13}
_PRINTABLE_BYTES = bytes(sorted(_PRINTABLE))  # for ``bytes.translate``: deleting them leaves the others

Span = tuple[int, int]


@dataclass(frozen=True)
class Run:
    """An encoded run of the scanned text and its decoded text.

    ``anchors`` maps the decoded text back to the encoded one for the decoders that substitute
    escapes in readable text (percent, JSON and string escapes, HTML entities, concatenation): pairs
    ``(decoded offset, text offset)``, ascending, one on each side of every substitution; between
    them the two texts run in step. A match is then reported at its own encoded text. Without
    anchors (base64, hex: nothing in the run is readable) a match is reported at the whole run."""

    span: Span
    name: str
    text: str
    anchors: tuple[tuple[int, int], ...] = ()

    def locate(self, start: int, end: int) -> Span:
        """The span of the scanned text that ``text[start:end]`` was decoded from."""
        if not self.anchors:
            return self.span
        return self._at(start), max(self._at(end), self._at(start) + 1)

    def _at(self, pos: int) -> int:
        anchors = self.anchors
        i = bisect.bisect_right(anchors, (pos, 1 << 62)) - 1
        if i < 0:
            return self.span[0] + pos
        d, e = anchors[i]
        mapped = e + (pos - d)
        if i + 1 < len(anchors):
            mapped = min(mapped, anchors[i + 1][1])
        return min(mapped, self.span[1])


def _sub_mapped(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str], text: str,
                start: int, end: int) -> tuple[str, tuple[tuple[int, int], ...]] | None:
    """``pattern.sub(repl)`` over ``text[start:end]``, with the anchors of ``Run``; None when
    nothing changed."""
    parts: list[str] = []
    anchors: list[tuple[int, int]] = []
    pos, size = start, 0
    for m in pattern.finditer(text, start, end):
        a, b = m.span()
        piece = repl(m)
        if piece == m.group(0):
            continue
        parts.append(text[pos:a])
        size += a - pos
        anchors.append((size, a))
        parts.append(piece)
        size += len(piece)
        anchors.append((size, b))
        pos = b
    if not anchors:
        return None
    parts.append(text[pos:end])
    return "".join(parts), tuple(anchors)


def _printable(raw: bytes) -> bool:
    if len(raw) < 8:
        return False
    bad = len(raw.translate(None, _PRINTABLE_BYTES))
    return len(raw) - bad >= 0.9 * len(raw)


def b64decode_text(value: str) -> str | None:
    """Decode standard or URL-safe base64 (padding optional) into printable text, else None."""
    compact = value.strip().rstrip("=")
    if len(compact) % 4 == 1:
        compact = compact[:-1]
    compact += "=" * (-len(compact) % 4)
    altchars = b"-_" if ("-" in compact or "_" in compact) else None
    try:
        raw = base64.b64decode(compact.encode("latin-1"), altchars=altchars, validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return raw.decode("latin-1") if _printable(raw) else None


_PERCENT_ANY = Lazy(re.compile, r"%[0-9A-Fa-f]{2}")


def _percent_one(m: re.Match[str]) -> str:
    return chr(int(m.group(0)[1:], 16))


def _html_one(m: re.Match[str]) -> str:
    import html  # its entity table loads only when an entity is met

    return html.unescape(m.group(0)).encode("utf-8", errors="replace").decode("latin-1")


_HTML_REFERENCE = Lazy(re.compile, r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _mapped_run(how: str, text: str, span: Span, name: str | None = None) -> Run | None:
    """The decode ``how`` of ``text[span]`` as a ``Run`` named ``name`` (``how`` by default) that
    locates matches in it; None: nothing changed."""
    pattern, repl = _MAPPED[how]
    done = _sub_mapped(pattern, repl, text, span[0], span[1])
    return None if done is None else Run(span, name or how, done[0], done[1])


def percent_decode(value: str) -> str | None:
    decoded = unquote(value, encoding="latin-1")
    return decoded if decoded != value else None


def encoded_variants(keyword: str, exact: bool = False) -> set[str]:
    """Lowercase forms of a keyword (as written in lower and in upper case, or only as written:
    ``exact``) in hex and in ``\\xNN`` and ``\\u00NN`` escapes, for keywords long enough that their
    hex form does not turn up in digests. The prefilter looks for them beside the keyword itself."""
    raw_forms = ({keyword.encode("utf-8")} if exact
                 else {keyword.lower().encode("utf-8"), keyword.upper().encode("utf-8")})
    if len(next(iter(raw_forms))) < _MIN_HEX_VARIANT:
        return set()
    out: set[str] = set()
    for raw in raw_forms:
        out.add(raw.hex())
        out.add("".join(f"\\x{b:02x}" for b in raw))
        if raw.isascii():
            out.add("".join(f"\\u00{b:02x}" for b in raw))
    return out


def _escape_ends_at(text: str, hit: int) -> bool:
    """Whether the encoded keyword ending at ``hit`` is written in backslash escapes."""
    return (hit >= 4 and text[hit - 4] == "\\") or (hit >= 6 and text[hit - 6] == "\\")


def hex_decode_text(value: str) -> str | None:
    """Decode a run of hex digits (an even number of them) into printable text, else None."""
    if len(value) % 2:
        return None
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        return None
    return raw.decode("latin-1") if _printable(raw) else None


def html_unescape(value: str) -> str | None:
    """Resolve HTML/XML character references, keeping the latin-1 view (UTF-8 bytes per character)."""
    import html  # its entity table loads only when an entity is met

    decoded = html.unescape(value)
    if decoded == value:
        return None
    return decoded.encode("utf-8", errors="replace").decode("latin-1")


def _json_unescape_one(m: re.Match[str]) -> str:
    token = m.group(0)
    if token == "\\/":
        return "/"
    if token[1] == "x":
        return chr(int(token[2:], 16)).encode("utf-8", errors="replace").decode("latin-1")
    # keep the latin-1 view: a character becomes the bytes of its UTF-8 encoding
    return chr(int(token[2:], 16)).encode("utf-8", errors="replace").decode("latin-1")


def json_unescape(value: str) -> str | None:
    decoded = _JSON_ESCAPE.sub(_json_unescape_one, value)
    return decoded if decoded != value else None


VALUE_DECODERS: dict[str, Callable[[str], str | None]] = {
    "base64": b64decode_text,
    "percent": lambda v: percent_decode(v) or v,
    "json": lambda v: json_unescape(v) or v,
    "html": lambda v: html_unescape(v) or v,
}


def decode_value(kind: str, value: str) -> str | None:
    """A rule's ``decode``: the secret group is reported decoded (None: not decodable, no match)."""
    return VALUE_DECODERS[kind](value)


class _RunClass:
    """Expands a position to the run of characters of one class around it, in C: a forward match of
    the class, and backwards the last character outside it in growing slices."""

    def __init__(self, allowed: str, stop: str) -> None:
        self._forward = re.compile(f"[{allowed}]*")
        self._last_stop = re.compile(f"(?s:.*)[{stop}]")

    def span(self, text: str, pos: int) -> Span:
        lo = max(0, pos - _MAX_RUN // 2)
        hi = min(len(text), pos + _MAX_RUN // 2)
        end = self._forward.match(text, pos, hi).end()  # type: ignore[union-attr]
        start, step = pos, 128
        while start > lo:
            a = max(lo, start - step)
            m = self._last_stop.match(text, a, start)
            if m is not None:
                return m.end(), end
            start, step = a, step * 4
        return lo, end


_B64_RUN = _RunClass("A-Za-z0-9+/_-", "^A-Za-z0-9+/_-")
_HEX_RUN = _RunClass("0-9a-fA-F", "^0-9a-fA-F")
_TEXT_RUN = _RunClass("^ \t\r\n\"'<>`", " \t\r\n\"'<>`")  # blanks, quotes and angle brackets end a run


def _base64_runs(text: str, hits: list[int]) -> Iterator[Span]:
    last_end = -1
    for hit in sorted(hits):
        if hit < last_end:
            continue  # inside the run already found: one decode per run
        start, end = _B64_RUN.span(text, max(0, min(hit, len(text)) - 1))
        while end < len(text) and end - start > 0 and text[end] == "=" and text[end - 2:end] != "==":
            end += 1
        last_end = end
        if end - start >= _MIN_RUN:
            yield start, end


def _keyword_runs(text: str, keyword_hits: list[int]) -> Iterator[tuple[Span, str]]:
    """The runs of text around plain keywords (one per run)."""
    last_end = -1
    for hit in sorted(keyword_hits):
        if hit <= last_end:
            continue
        span = _TEXT_RUN.span(text, max(0, hit - 1))
        last_end = span[1]
        yield span, text[span[0]:span[1]]


def _hex_run(text: str, hit: int) -> Span | None:
    """The run of hex digits holding the encoded keyword that ends at ``hit``, when there is one."""
    start, end = _HEX_RUN.span(text, max(0, min(hit, len(text)) - 1))
    return (start, end) if end - start >= _MIN_HEX_RUN else None


def _encoded(text: str, span: Span, hit: int) -> tuple[Span, str, str] | None:
    """Decode the run holding an encoded keyword: hex when the keyword sits in a run of hex
    digits, else base64 (the keyword may sit anywhere in the run: each alignment is tried)."""
    hex_span = _hex_run(text, hit)
    if hex_span is not None:
        run = text[hex_span[0]:hex_span[1]]
        for shift in range(2):
            decoded = hex_decode_text(run[shift:len(run) - (len(run) - shift) % 2])
            if decoded is not None:
                return hex_span, "hex", decoded
    run = text[span[0]:span[1]]
    for shift in range(4):
        decoded = b64decode_text(run[shift:])
        if decoded is not None:
            return span, "base64", decoded
    return None


_LOCAL = 512  # a run around a keyword is decoded only when an escape character is this close to it


def _near(text: str, hits: list[int], percent: bool, backslash: bool, ampersand: bool) -> list[int]:
    """The keyword hits with a %, a backslash or an & (those the text holds at all) close by:
    the only runs the escape decoders can change. Checked in C, before any run is expanded: hits
    come in order, so the next occurrence of each character is searched once per stretch of text."""
    wanted = [c for c, on in (("%", percent), ("\\", backslash), ("&", ampersand)) if on]
    nxt = {c: -1 for c in wanted}
    out = []
    for hit in sorted(hits):
        a, b = max(0, hit - _LOCAL), hit + _LOCAL
        for c in wanted:
            pos = nxt[c]
            if pos < a and pos != -2:
                pos = text.find(c, a)
                nxt[c] = pos if pos >= 0 else -2  # -2: none left in the text
            if 0 <= pos < b:
                out.append(hit)
                break
    return out


_STRING_ESCAPE = Lazy(re.compile, r"""\\(?:["'\\/bfnrt]|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2})""")
_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _string_unescape_one(m: re.Match[str]) -> str:
    token = m.group(0)
    c = token[1]
    if c in "ux":
        return chr(int(token[2:], 16)).encode("utf-8", errors="replace").decode("latin-1")
    return _SIMPLE_ESCAPES.get(c, c)


_MAPPED: dict[str, tuple[Lazy[str], Callable[[re.Match[str]], str]]] = {
    "percent": (_PERCENT_ANY, _percent_one),
    "json-escape": (_STRING_ESCAPE, _string_unescape_one),
    "html-entity": (_HTML_REFERENCE, _html_one),
    "concat": (_CONCAT, lambda m: ""),
    "json-run": (_JSON_ESCAPE, _json_unescape_one),  # a run around a keyword: unicode, \\xNN and \\/ only
}


def string_unescape(value: str) -> str | None:
    """Resolve the escapes of a JSON (or C-like) string body: ``\\"`` ``\\\\`` ``\\n`` ``\\u00XX``…"""
    decoded = _STRING_ESCAPE.sub(_string_unescape_one, value)
    return decoded if decoded != value else None


# A line is worth a decode only when it holds one of these: quoted pieces concatenated (_CONCAT), an
# escaped quote beside an assignment operator, or an encoded quote (or &amp;) of HTML/XML.
# a name and a value, one of them in escaped quotes: \"key\": \"value\", KEY = \"value\", \"NAME\", \"value\"
_ESCAPE_TRIGGER = Lazy(re.compile, r"""\w\\["'][ \t]*(?::|=>?|,)[ \t]*\\?["']|\w[ \t]*(?::|=>?)[ \t]*\\["']""")
_ENTITY_TRIGGER = Lazy(re.compile, r"&(?:quot|apos|amp|#0*(?:34|39)|#[xX]0*2[27]);")

# What a prefilter may search for beside keywords, so that decoding costs nothing where it cannot
# change anything (Hyperscan syntax, bytes). Each matches at least what its regex above matches, on any
# text: ``\w`` of a ``str`` pattern is Unicode-aware, so here it also takes every byte above 0x7f.
_W = rb"[0-9A-Za-z_\x80-\xff]"
TRIGGER_PATTERNS: dict[str, tuple[bytes, ...]] = {
    # reported once (Hyperscan's single-match): the text has a percent escape, a JSON escape
    "percent": (_PERCENT.pattern.encode(),),
    "json": (rb"\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|/)",),
    # the line decodes: a concatenation (the back-reference widened; each operator with its own
    # blanks, which Hyperscan runs a third faster), an escaped quote, an entity. The entities as the
    # literals their matches end with (``&#0*34;`` ends in ``#34;`` or ``034;``): the same ends, and
    # literals cost the pass nothing where the pattern cost it as much as a whole rule
    "line": (rb"[\x22\x27](?:[ \t]*\+|[ \t]*\.|[ \t]*&|[ \t]*\|\|)[ \t]*[\x22\x27]"
             + rb"|" + _W + rb"\\[\x22\x27][ \t]*(?::|=>?|,)[ \t]*\\?[\x22\x27]"
             + rb"|" + _W + rb"[ \t]*(?::|=>?)[ \t]*\\[\x22\x27]",
             b"&quot;", b"&apos;", b"&amp;", b"#34;", b"034;", b"#39;", b"039;",
             b"x22;", b"X22;", b"022;", b"x27;", b"X27;", b"027;"),
}


class Triggers(Protocol):
    """What a prefilter saw of the decoders' needs, and the plain keyword hits on demand: with it, the
    escape and line decodes look only where a decode can change the text (results are the same as
    with every keyword hit at hand)."""

    percent: bool  # TRIGGER_PATTERNS["percent"] matches: the text has a percent escape
    json: bool  # TRIGGER_PATTERNS["json"] matches: the text has a JSON/unicode/``\\xNN`` escape
    lines: list[int]  # ends of the matches of TRIGGER_PATTERNS["line"] (any of them), in order

    def keyword_ends(self) -> list[int]:
        """Every plain keyword hit of the text."""
        ...

    def first_keyword_end(self, start: int, end: int) -> int | None:
        """The first plain keyword hit ending in ``(start, end]`` (keywords within ``text[start:end]``)."""
        ...


def _line_decode(text: str, hit: int) -> tuple[int, Iterator[Run]]:
    """The decodes of the line of ``hit`` (at most ``_LINE_REACH`` either side of it), and where the
    line ends."""
    find = text.find
    start = text.rfind("\n", 0, hit) + 1
    end = find("\n", hit)
    end = len(text) if end < 0 else end
    if end - start > _MAX_LINE:  # minified code and data: no line to speak of
        return end, iter(())
    start, end_ = max(start, hit - _LINE_REACH), min(end, hit + _LINE_REACH)
    return end, _window_decodes(text, start, end_)


def _window_decodes(text: str, start: int, end: int) -> Iterator[Run]:
    # each decode needs a character most lines lack: looked for in C before any regex runs
    if _CONCAT.search(text, start, end):
        run = _mapped_run("concat", text, (start, end))
        if run is not None:
            yield run
    if text.find("\\", start, end) >= 0 and _ESCAPE_TRIGGER.search(text, start, end):
        run = _mapped_run("json-escape", text, (start, end))
        if run is not None:
            yield run
    if text.find("&", start, end) >= 0 and _ENTITY_TRIGGER.search(text, start, end):
        run = _mapped_run("html-entity", text, (start, end))
        if run is not None:
            yield run


def _escaped_lines(text: str, hits: list[int]) -> Iterator[Run]:
    """The lines of keyword hits holding unicode, ``\\xNN`` or ``\\/`` escapes, decoded as string
    bodies: the value of a JSON string sits in its own quotes beside its name (``"password":
    "p\\u002b…"``), outside the keyword's run. At most ``_LINE_REACH`` either side of the hit, so a
    minified bundle's one line is decoded only around its keywords."""
    last_end = -1
    for hit in sorted(hits):
        if hit <= last_end:
            continue
        start = max(text.rfind("\n", 0, hit) + 1, hit - _LINE_REACH)
        end = text.find("\n", hit)
        end = min(len(text) if end < 0 else end, hit + _LINE_REACH)
        last_end = end
        if _JSON_ESCAPE.search(text, start, end):
            run = _mapped_run("json-escape", text, (start, end))
            if run is not None:
                yield run


def _line_decodes(text: str, keyword_hits: list[int]) -> Iterator[Run]:
    """Decodes of the lines of plain keyword hits, each line once, around its first hit: quoted
    pieces concatenated on the line joined (``"sk_live_" + "4eC3…"``), escaped quotes resolved (JSON
    inside a JSON string, notebook sources, ``\\"password\\": \\"…\\"`` in logs), and HTML/XML
    character references resolved (``data-config="{&quot;token&quot;: &quot;…&quot;}"``). The escape
    and entity decodes run their trigger regex only on a line that holds the character it needs."""
    last_end = -1
    for hit in sorted(keyword_hits):
        if hit <= last_end:
            continue
        last_end, decodes = _line_decode(text, hit)
        yield from decodes


def _triggered_line_decodes(text: str, triggers: Triggers) -> Iterator[Run]:
    """The same decodes as ``_line_decodes`` over every keyword hit, found from the other side: a line
    decodes only when it holds a trigger match, so only lines with one are looked at, each around
    its first keyword hit."""
    last_end = -1
    for pos in triggers.lines:
        if pos <= last_end:
            continue  # this line was looked at
        start = text.rfind("\n", 0, pos - 1) + 1
        end = text.find("\n", pos - 1)
        end = len(text) if end < 0 else end
        last_end = end
        first = triggers.first_keyword_end(start, end)
        if first is not None:
            yield from _line_decode(text, first)[1]


def candidates(text: str, base64_hits: list[int], keyword_hits: list[int],
               triggers: Triggers | None = None) -> Iterator[Run]:
    """Encoded runs worth decoding, each a ``Run`` (span, decoder name, decoded text).

    Base64 and hex runs are found by the encoded forms of keywords (``base64_hits``). Percent-encoded,
    escaped and entity-encoded runs are decoded only around a plain keyword: escapes hide the
    delimiters around a secret (``%22``, ``\\u0022``, ``\\/``, ``&quot;``), rarely the letters of its
    keyword. Concatenated string pieces are joined on the line of a plain keyword.

    With ``triggers`` (from a prefilter that searched for them), ``keyword_hits`` is not used: the
    plain keyword hits are asked of ``triggers`` where a decode is possible at all.
    """
    if triggers is not None and not base64_hits and not triggers.lines and not (triggers.percent or triggers.json):
        return  # no encoded keyword, no escape, no line that decodes: nothing to decode (most texts)
    ordered = sorted(base64_hits)
    # a keyword percent-encoded (``%3aapa91b``): a base64 or hex run holds no "%", a percent run does
    percented = [h for h in ordered if text.find("%", max(0, h - _MAX_KEYWORD), h) >= 0]
    if percented:
        ordered = [h for h in ordered if text.find("%", max(0, h - _MAX_KEYWORD), h) < 0]
    escaped = [h for h in ordered if _escape_ends_at(text, h) or text.find("\\/", max(0, h - _MAX_KEYWORD), h) >= 0]
    if escaped:
        ordered = [h for h in ordered if not (_escape_ends_at(text, h) or text.find("\\/", max(0, h - _MAX_KEYWORD), h) >= 0)]
        for span, _ in _keyword_runs(text, escaped):
            found_run = _mapped_run("json-run", text, span, "json-escape")
            if found_run is not None:
                yield found_run
    for span in _base64_runs(text, ordered):
        i = bisect.bisect_right(ordered, span[0])
        found = _encoded(text, span, ordered[i] if i < len(ordered) and ordered[i] <= span[1] else span[1])
        if found is not None:
            yield Run(*found)
    if triggers is not None:
        # percent and escape decodes need an escape in a run: none in the text, none anywhere
        if triggers.percent or triggers.json:
            keyword_hits = triggers.keyword_ends()
        else:
            keyword_hits = []
    if not keyword_hits and triggers is None:
        return
    percent, backslash = "%" in text, "\\" in text
    if percent and (triggers is None or triggers.percent):
        # "%2F%2F" looked for in C first: most texts with a "%" hold no encoded URL
        encoded = "%2F%2F" in text or "%2f%2f" in text
        schemes = ([m.end() for m in _ENCODED_SCHEME.finditer(text)] if encoded else []) + percented
        if schemes:
            keyword_hits = sorted([*keyword_hits, *schemes])
    if keyword_hits and (percent or backslash):
        near = _near(text, keyword_hits, percent, backslash, False)
        for span, run in _keyword_runs(text, near):
            if percent and "%" in run and len(_PERCENT.findall(run)) >= _MIN_PERCENT_ESCAPES:
                found_run = _mapped_run("percent", text, span)
                if found_run is not None:
                    yield found_run
            if backslash and "\\" in run and _JSON_ESCAPE.search(run):
                found_run = _mapped_run("json-run", text, span, "json-escape")
                if found_run is not None:
                    yield found_run
        if backslash:
            yield from _escaped_lines(text, near)
    if "'" in text or '"' in text:
        if triggers is not None:
            yield from _triggered_line_decodes(text, triggers)
        else:
            yield from _line_decodes(text, keyword_hits)
