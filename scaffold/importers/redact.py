"""`--redact`: emails, API keys and phone numbers replaced by a placeholder before anything is written.

The patterns favour catching a secret over sparing an odd string: a long digit run that looks
like a phone number is redacted even when it was an order number.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
API_KEY = re.compile(
    r"""
    (?<![\w-])(?:
        sk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_-]{16,}   # OpenAI, Anthropic, Stripe
      | (?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}  # GitHub
      | xox[abprs]-[A-Za-z0-9-]{10,}                      # Slack
      | AKIA[0-9A-Z]{16}                                  # AWS access key id
      | AIza[0-9A-Za-z_-]{35}                             # Google
      | hf_[A-Za-z0-9]{30,}                               # Hugging Face
    )
    | (?<=Bearer\ )[A-Za-z0-9._~+/-]{16,}=*               # any bearer token
    """,
    re.VERBOSE,
)
PHONE = re.compile(
    r"""
    (?<![\w+])
    (?:\+\d{1,3}[\s.-]?)?                 # country code
    (?:
        (?:\(\d{1,4}\)[\s.-]?|\d{2,4}[\s.-])  # area code, then a separator
        \d{3,4}[\s.-]?\d{3,4}
      | \d{2}(?:[\s.-]\d{2}){4}             # 06 12 34 56 78
    )
    (?![\w])
    """,
    re.VERBOSE,
)
PLACEHOLDERS = (("[API_KEY]", API_KEY), ("[EMAIL]", EMAIL), ("[PHONE]", PHONE))
"""Applied in this order: a key can hold digit runs a phone pattern would take apart."""


def redact_text(text: str) -> str:
    """`text` with every email, API key and phone number replaced by `[EMAIL]`, `[API_KEY]`, `[PHONE]`."""
    for placeholder, pattern in PLACEHOLDERS:
        text = pattern.sub(placeholder, text)
    return text


def redact_value(value: Any) -> Any:
    """Every string inside `value` (lists and mappings walked, keys kept) redacted."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [redact_value(item) for item in value]
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    return value
