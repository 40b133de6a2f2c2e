"""Pieces of the matcher that decide from the value and its context: decoded runs located back at
their encoded text, placeholder words, docstring and doctest context."""

from __future__ import annotations

import random

import pytest

from scanner.match import decoders
from scanner.match.doccontext import documentation
from scanner.match.safelist import is_placeholder, is_word_placeholder


@pytest.mark.parametrize("how, text, secret, encoded", [
    ("percent", "postgres://u:p%40ss%21Tz8q@h/db", "p@ss!Tz8q", "p%40ss%21Tz8q"),
    ("json-escape", '"password": "ab\\u002bcd\\/Tr7#kLm9"', "ab+cd/Tr7#kLm9", "ab\\u002bcd\\/Tr7#kLm9"),
    ("json-escape", '{\\"password\\":\\"Hq3$zX8!vB5n\\"}', "Hq3$zX8!vB5n", "Hq3$zX8!vB5n"),
    ("html-entity", 'data-x="{&quot;token&quot;: &quot;Zx8&amp;kQ2m&quot;}"', "Zx8&kQ2m", "Zx8&amp;kQ2m"),
    ("concat", 'key = "sk_live_" + "4eC39HqLyj"', "sk_live_4eC39HqLyj", 'sk_live_" + "4eC39HqLyj'),
])
def test_a_decoded_secret_is_located_at_its_encoded_text(how: str, text: str, secret: str, encoded: str) -> None:
    run = decoders._mapped_run(how, text, (0, len(text)))
    assert run is not None
    start = run.text.index(secret)
    a, b = run.locate(start, start + len(secret))
    assert text[a:b] == encoded


def test_base64_runs_are_reported_whole() -> None:
    run = decoders.Run((10, 50), "base64", "token=abc")
    assert run.locate(6, 9) == (10, 50)


@pytest.mark.parametrize("value, wordy", [
    ("some_token_value", True), ("your_password_here", True), ("apples", True), ("S3CuR1Ty", True),
    ("somepassword", True), ("hunter2", True), ("token1", True),
    ("lsdajfh923874", False), ("Tr7#kLm9@pQ2!xZ", False), ("wQ6_j4N2dS8B_P7t", False), ("orders_app", False),
    ("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", False),
])
def test_placeholder_words(value: str, wordy: bool) -> None:
    assert is_word_placeholder(value) is wordy
    if wordy:
        assert is_placeholder(value)


def test_lower_case_double_underscores_are_no_template() -> None:
    assert is_placeholder("__API_TOKEN__") and is_placeholder("@DB_PASSWORD@")
    assert not is_placeholder("live__uk23Q4BwYBw7eGKG__Hr9LCcFFAC4BxypVF3MMP")


DOC = '''"""Module docs.

    password = "Xk9#mQ2!vL7p"
"""


class Session:
    """An OAuth session.

    >>> s.fetch()
    {
        'oauth_token_secret': 'lsdajfh923874',
    }
    """

    def run(self):
        """Example:"""
        secret_key = "Hq3$zX8!vB5nM1k2"


def f(
    a: int,
) -> None:
    """
    token = "Wq8!nR4#kT6yB2pZ"
    """
    api_key = "Pm4$wE9^uH2mQ7cZ"
    CONFIG = """
    password = "Lk4$wE9^uH2mQ7cZ"
    """
'''


@pytest.mark.parametrize("needle, why", [
    ("Xk9#", "docstring"), ("lsdajfh", "doctest"), ("Hq3$", None), ("Wq8!", "docstring"), ("Pm4$", None),
    ("Lk4$", None),  # a triple-quoted string assigned to a name is data, not a docstring
])
def test_documentation_context(needle: str, why: str | None) -> None:
    got = documentation(DOC, DOC.index(needle))
    assert (got is None) if why is None else (why in (got or ""))


def _random_base64(n: int, seed: int = 4) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWYZabcdefghijklmnopqrstuvwyz0123456789+/") for _ in range(n))


@pytest.mark.parametrize("value, masked", [
    ("sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", True), ("AKIAXXXXXXXXXXXXXXXX", True), ("xxxx-xxxx-xxxx", True),
    ("ghp_5kQ2xXxxR7bN0tLmW3yZ8pD1sF6gH9jK4vC2", False),  # x's of both cases: chance, not a mask
    (_random_base64(600)[:300] + "xxxx" + _random_base64(600)[300:], False),  # a long random value: 4 by chance
    (_random_base64(600)[:300] + "XXXXXXXXXXXX" + _random_base64(600)[300:], True),  # a long run is a mask
])
def test_x_runs_mark_a_mask(value: str, masked: bool) -> None:
    assert is_placeholder(value) is masked
