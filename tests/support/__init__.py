"""Test support: the OpenAI-compatible test server and its scripting API."""

from tests.support.openai_server import OpenAIServer, ReceivedRequest, completion_body
from tests.support.rate_limited import RequestWindow
from tests.support.script import (
    ChatRequest,
    Fault,
    Reply,
    Rule,
    Script,
    ToolCallReply,
    completion_tokens_for,
    count_words,
    prompt_tokens_for,
)

__all__ = [
    "ChatRequest",
    "Fault",
    "OpenAIServer",
    "ReceivedRequest",
    "RequestWindow",
    "Reply",
    "Rule",
    "Script",
    "ToolCallReply",
    "completion_body",
    "completion_tokens_for",
    "count_words",
    "prompt_tokens_for",
]
