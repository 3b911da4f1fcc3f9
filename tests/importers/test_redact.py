"""`--redact`: what counts as an email, an API key and a phone number, and what does not."""

from __future__ import annotations

import pytest

from scaffold.importers.redact import redact_text, redact_value


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("write to ana.b+tag@mail.example.co.uk today", "write to [EMAIL] today"),
        ("key=sk-proj-abcdefghijklmnop0123", "key=[API_KEY]"),
        ("anthropic sk-ant-api03-abcdefghijklmnopqrst", "anthropic [API_KEY]"),
        ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "token [API_KEY]"),
        ("aws AKIAABCDEFGHIJKLMNOP here", "aws [API_KEY] here"),
        ("Authorization: Bearer abc.def-ghi_jkl012345", "Authorization: Bearer [API_KEY]"),
        ("call +1 415-555-0123 now", "call [PHONE] now"),
        ("or (020) 7946 0958", "or [PHONE]"),
        ("or 06 12 34 56 78", "or [PHONE]"),
    ],
)
def test_secrets_are_replaced(text: str, redacted: str) -> None:
    assert redact_text(text) == redacted


@pytest.mark.parametrize(
    "text", ["What is 12 + 345?", "shipped on 2024-01-05", "version 1.2.3", "order 12345678", "3.14159 and 2.71828"]
)
def test_ordinary_numbers_and_dates_are_kept(text: str) -> None:
    assert redact_text(text) == text


def test_nested_values_are_walked_and_keys_kept() -> None:
    value = {"history": [{"role": "user", "content": "I am x@y.io"}], "n": 3, "email": "plain"}
    assert redact_value(value) == {"history": [{"role": "user", "content": "I am [EMAIL]"}], "n": 3, "email": "plain"}
