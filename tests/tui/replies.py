"""How the test server answers the fixture library's arithmetic, so every variant and model
has its own pass rate and token cost.

- `arith:plain` gets a sum wrong when a is a multiple of 3;
- `arith:xml` is right, except that `test-mini` gets it wrong when a is a multiple of 4;
- `arith:keep_going` thinks aloud (more tokens) and gets it wrong when a is a multiple of 5.
"""

from __future__ import annotations

import re

from tests.support.script import ChatRequest, Reply


def arith_reply(request: ChatRequest) -> Reply:
    """The reply to one arithmetic prompt of the fixture library."""
    match = re.search(r"(\d+) \+ (\d+)", request.last_user_text)
    if not match:
        return Reply(content="I cannot tell.")
    a, b = int(match.group(1)), int(match.group(2))
    xml = "<task>" in request.last_user_text
    keep_going = "Keep going" in request.all_text
    if xml:
        wrong = request.model == "test-mini" and a % 4 == 0
        return Reply(content=f"<answer>{a + b + wrong}</answer>")
    if keep_going:
        wrong = a % 5 == 0
        thinking = f"Let me add {a} and {b} carefully, digit by digit, and check it twice."
        return Reply(content=f"{thinking} The answer is {a + b + wrong}.")
    return Reply(content=f"The answer is {a + b + (a % 3 == 0)}.")
