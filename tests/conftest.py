"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

# Nothing may reach the network: litellm reads its bundled price map, Hugging Face stays offline.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# `tests.support` is imported by its package name, whether pytest runs as `python -m pytest`
# (the repository is on sys.path) or as the `pytest` script (it is not).
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.openai_server import OpenAIServer  # noqa: E402


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A fresh OpenAI-compatible test server (default reply "ok"); script it through `.script`
    or `.reset(Script(...))`, point models at `.url`. Starting one takes about a millisecond."""
    with OpenAIServer() as server:
        yield server
