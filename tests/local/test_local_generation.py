"""Real generations by SmolLM2-135M through `litellm.acompletion(model="local/smollm2")`.

The model loads once per test session (one engine per process); answers are kept to 16
tokens (about 0.3 s each at SmolLM2's speed on 2 cores)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("llama_cpp", reason="the local extra is not installed (pip install -e '.[local]')")

from scaffold.providers.local import KNOWN_LOCAL_MODELS, ensure_registered, unavailable_reason  # noqa: E402
from scaffold.providers.local_llama import LocalEngine, engine_for  # noqa: E402
from scaffold.providers.local_request import ChatMessage, chat_request_from_openai  # noqa: E402

if (reason := unavailable_reason("local/smollm2")) is not None:
    pytest.skip(reason, allow_module_level=True)

import litellm  # noqa: E402  (after the skip: litellm is only needed when the model runs)

MODEL = "local/smollm2"
SMOLLM2 = KNOWN_LOCAL_MODELS["smollm2"]
ADDITION = [{"role": "user", "content": "What is 2 + 3?"}]
STORY = [{"role": "user", "content": "Write a long story about a dragon who learns to bake bread."}]
COUNTING = [{"role": "user", "content": "Count from 1 to 10, separated by commas."}]
SMOLLM2_DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    """The registered provider's engine for SmolLM2 (the model itself loads at its first call)."""
    ensure_registered()
    return engine_for(SMOLLM2)


async def ask(messages: list[dict[str, Any]], **params: Any) -> Any:
    """One call the way the runner makes it."""
    return await litellm.acompletion(model=MODEL, messages=messages, max_retries=0, timeout=60, **params)


async def test_an_answer_carries_text_and_llamas_own_token_counts(engine: LocalEngine) -> None:
    response = await ask(ADDITION, temperature=0, max_tokens=16)
    direct = engine.generate(chat_request_from_openai(SMOLLM2, ADDITION, {"temperature": 0, "max_tokens": 16}), None)

    assert response.model == MODEL
    assert response.choices[0].message.content.strip()
    assert response.choices[0].message.content == direct.content
    assert response.choices[0].finish_reason == direct.finish_reason
    assert response.usage.prompt_tokens == direct.prompt_tokens > 0
    assert response.usage.completion_tokens == direct.completion_tokens > 0
    assert response.usage.total_tokens == direct.prompt_tokens + direct.completion_tokens


async def test_the_gguf_chat_template_renders_the_prompt(engine: LocalEngine) -> None:
    expected_prompt = (
        f"<|im_start|>system\n{SMOLLM2_DEFAULT_SYSTEM}<|im_end|>\n"
        "<|im_start|>user\nWhat is 2 + 3?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )

    response = await ask(ADDITION, temperature=0, max_tokens=1)

    assert engine.render_prompt([ChatMessage("user", "What is 2 + 3?")]) == expected_prompt
    assert response.usage.prompt_tokens == engine.count_tokens(expected_prompt)
    with_system = engine.render_prompt([ChatMessage("system", "Be brief."), ChatMessage("user", "Hi")])
    assert with_system.startswith("<|im_start|>system\nBe brief.<|im_end|>\n") and SMOLLM2_DEFAULT_SYSTEM not in with_system


async def test_max_tokens_cuts_the_answer(engine: LocalEngine) -> None:
    response = await ask(STORY, temperature=0, max_tokens=5)

    assert 0 < response.usage.completion_tokens <= 5
    assert response.choices[0].finish_reason == "length"


async def test_temperature_zero_gives_the_same_answer_every_time_sync_or_async(engine: LocalEngine) -> None:
    first = await ask(STORY, temperature=0, max_tokens=16)
    second = await ask(STORY, temperature=0, max_tokens=16)
    blocking = await asyncio.to_thread(
        litellm.completion, model=MODEL, messages=STORY, temperature=0, max_tokens=16, max_retries=0
    )

    assert first.choices[0].message.content == second.choices[0].message.content
    assert blocking.choices[0].message.content == first.choices[0].message.content


async def test_a_seed_makes_sampling_repeatable(engine: LocalEngine) -> None:
    answers = [(await ask(STORY, temperature=1.0, seed=7, max_tokens=16)).choices[0].message.content for _ in range(2)]

    assert answers[0] == answers[1]


async def test_stop_strings_end_the_answer(engine: LocalEngine) -> None:
    unstopped = await ask(COUNTING, temperature=0, max_tokens=16)
    stopped = await ask(COUNTING, temperature=0, max_tokens=16, stop=[","])

    assert "," in unstopped.choices[0].message.content  # else this test proves nothing
    assert "," not in stopped.choices[0].message.content
    assert stopped.usage.completion_tokens < unstopped.usage.completion_tokens


async def test_concurrent_calls_take_turns_while_the_event_loop_runs(engine: LocalEngine) -> None:
    alone = [(await ask(prompt, temperature=0, max_tokens=16)).choices[0].message.content for prompt in (ADDITION, STORY)]
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    together = await asyncio.gather(ask(ADDITION, temperature=0, max_tokens=16), ask(STORY, temperature=0, max_tokens=16))
    ticking.cancel()

    assert [response.choices[0].message.content for response in together] == alone
    assert ticks >= 5  # a blocked event loop would not tick while the model generates


async def test_a_call_past_its_timeout_stops_and_the_model_keeps_working(engine: LocalEngine) -> None:
    with pytest.raises(litellm.Timeout, match="did not finish within"):
        await litellm.acompletion(model=MODEL, messages=STORY, max_tokens=200, timeout=1e-6, max_retries=0)

    after = await ask(ADDITION, temperature=0, max_tokens=16)
    assert after.choices[0].message.content.strip()


async def test_a_cancelled_call_leaves_the_model_working(engine: LocalEngine) -> None:
    expected = (await ask(ADDITION, temperature=0, max_tokens=16)).choices[0].message.content
    abandoned = asyncio.create_task(ask(STORY, temperature=0, max_tokens=200))
    await asyncio.sleep(0.05)
    abandoned.cancel()

    after = await ask(ADDITION, temperature=0, max_tokens=16)

    assert abandoned.cancelled()
    assert after.choices[0].message.content == expected


async def test_tools_and_unknown_parameters_are_bad_requests(engine: LocalEngine) -> None:
    calculator = {"type": "function", "function": {"name": "calculator", "parameters": {"type": "object"}}}

    with pytest.raises(litellm.BadRequestError, match="local/smollm2 does not support tool calls"):
        await ask(ADDITION, tools=[calculator])
    with pytest.raises(litellm.BadRequestError, match=r"does not support parameter\(s\): n_ctx"):
        await ask(ADDITION, n_ctx=4096)


async def test_a_prompt_longer_than_the_context_window_is_reported_as_such(engine: LocalEngine) -> None:
    too_long = [{"role": "user", "content": "word " * 3000}]

    with pytest.raises(litellm.ContextWindowExceededError, match="exceed context window"):
        await ask(too_long, max_tokens=16)
