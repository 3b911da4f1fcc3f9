"""What the benchmark times, run in a child process of its own (the stub's CPU and the
benchmark's bookkeeping are not in it). Prints one JSON object on its last line.

    python -m benchmarks.workloads compare --root LIBRARY --repeats 5
    python -m benchmarks.workloads own-cost --root LIBRARY --repeats 3
    python -m benchmarks.workloads harness --root LIBRARY --profile out.prof
    python -m benchmarks.workloads bare --url URL --cells 400 --variants 2 --concurrency 32

`bare` is the bare loop as a whole process of its own, its `import litellm` included and
nothing of scaffold imported: what `scaffold run` is compared with when both start cold
(benchmarks/whole_process.py).

`compare` times a bare `litellm.acompletion` loop and scaffold's runner (`Run(...).events()`,
cache off) on the experiment `bench` at LIBRARY, in one process, rounds alternating ABBA so
a drift in the machine's load hits both alike. Both are warmed first (litellm imported, a
connection open, every harness code path run once): the comparison is of the loops.

`own-cost` swaps the provider for one that answers at once without I/O: what is timed is the
harness's own work per cell (render, call path, grading, results.jsonl, tallies, events),
a figure that other load on the machine barely moves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Awaitable, Callable

from benchmarks.library import EXPERIMENT, MODEL, expected_for, messages_for, variant_names
from benchmarks.stub import answer_to

API_KEY = "sk-no-key-configured"
"""What the harness sends to a custom api_base when no key is set (litellm needs one)."""
TIMEOUT_S = 60.0


def load_litellm() -> ModuleType:
    """litellm as the harness imports it (offline price map, no banner)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    return litellm


async def bare_loop(litellm: ModuleType, url: str, cells: int, concurrency: int, variants: int = 1) -> int:
    """`concurrency` workers sending `cells` calls with `litellm.acompletion` (`cells / variants`
    cases times `variants` variants), nothing else; returns how many answers hold the expected sum."""
    pending = ((index, name) for name in variant_names(variants) for index in range(cells // variants))
    passed = 0

    async def worker() -> None:
        nonlocal passed
        for index, variant in pending:
            response = await litellm.acompletion(
                model=MODEL,
                messages=messages_for(index, variant),
                api_base=url,
                api_key=API_KEY,
                timeout=TIMEOUT_S,
                max_retries=0,
            )
            passed += expected_for(index) in (response.choices[0].message.content or "")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return passed


class InstantProvider:
    """A provider with no model behind it: the stub's answer, at once, without I/O."""

    async def complete(self, request: Any) -> Any:
        from scaffold.cells import Completion, Usage

        question = request.messages[-1]["content"]
        answer = answer_to(question)
        return Completion(answer, usage=Usage(len(question.split()), len(answer.split())), finish_reason="stop")


async def harness_run(experiment: Any, *, instant: bool = False) -> int:
    """One run of `experiment` through the Run API, cache off; returns the cells passed."""
    from scaffold.engine.events import RunFinished
    from scaffold.engine.runner import Run, RunOptions

    options: dict[str, Any] = {}
    if instant:
        provider = InstantProvider()
        options["provider_for_model"] = lambda model: provider
    passed = -1
    async for event in Run(experiment, RunOptions(use_cache=False), **options).events():
        if isinstance(event, RunFinished):
            passed = event.summary.passed
    return passed


async def _timed(loop: Callable[[], Awaitable[int]]) -> dict[str, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    passed = await loop()
    return {"wall_s": time.perf_counter() - started, "cpu_s": time.process_time() - cpu_started, "passed": passed}


def _load_bench(root: Path) -> Any:
    from scaffold.spec.library import load_experiment

    return load_experiment(EXPERIMENT, root)


async def compare(root: Path, repeats: int) -> dict[str, Any]:
    """Bare loop and harness, warmed, then `repeats` rounds each in ABBA order."""
    experiment = _load_bench(root)
    url, cells, concurrency = str(experiment.models[0].api_base), len(experiment.cases), experiment.concurrency
    litellm = load_litellm()
    loops: dict[str, Callable[[], Awaitable[int]]] = {
        "bare": lambda: bare_loop(litellm, url, cells, concurrency),
        "harness": lambda: harness_run(experiment),
    }
    for name in loops:  # warm-up: imports, connections, first-call paths
        await (bare_loop(litellm, url, concurrency, concurrency) if name == "bare" else loops[name]())
    times: dict[str, list[dict[str, float]]] = {"bare": [], "harness": []}
    for round_ in range(repeats):
        order = ("bare", "harness") if round_ % 2 == 0 else ("harness", "bare")
        for name in order:
            times[name].append(await _timed(loops[name]))
    return {"cells": cells, "concurrency": concurrency, **times}


async def own_cost(root: Path, repeats: int) -> dict[str, Any]:
    """The harness with an instant provider, warmed once, then timed `repeats` times."""
    experiment = _load_bench(root)
    await harness_run(experiment, instant=True)
    runs = [await _timed(lambda: harness_run(experiment, instant=True)) for _ in range(repeats)]
    return {"cells": len(experiment.cases), "harness": runs}


async def profile_harness(root: Path, out: Path) -> dict[str, Any]:
    """One warmed harness run under cProfile, written to `out` (for finding what to fix)."""
    import cProfile

    experiment = _load_bench(root)
    await harness_run(experiment)
    profiler = cProfile.Profile()
    profiler.enable()
    timed = await _timed(lambda: harness_run(experiment))
    profiler.disable()
    profiler.dump_stats(out)
    return timed


async def bare_process(url: str, cells: int, variants: int, concurrency: int) -> dict[str, Any]:
    """The bare loop, cold: litellm is imported here, so the parent's wall time of this process
    includes it, as a user's script would."""
    litellm = load_litellm()
    timed = await _timed(lambda: bare_loop(litellm, url, cells, concurrency, variants))
    return {"cells": cells, "bare": [timed]}


def main() -> None:
    parser = argparse.ArgumentParser(description="timed benchmark workloads")
    parser.add_argument("workload", choices=["compare", "own-cost", "harness", "bare"])
    parser.add_argument("--root", type=Path, help="a library written by benchmarks.library (not for `bare`)")
    parser.add_argument("--url", help="`bare`: the stub's base URL")
    parser.add_argument("--cells", type=int, default=400, help="`bare`: calls to send")
    parser.add_argument("--variants", type=int, default=2, help="`bare`: variants the cells are split over")
    parser.add_argument("--concurrency", type=int, default=32, help="`bare`: calls in flight")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", type=Path, default=Path("harness.prof"), help="where `harness` writes its profile")
    args = parser.parse_args()
    if (args.workload == "bare") != (args.root is None):
        parser.error("`bare` takes --url (and no --root); every other workload needs --root")
    if args.workload == "compare":
        result = asyncio.run(compare(args.root, args.repeats))
    elif args.workload == "own-cost":
        result = asyncio.run(own_cost(args.root, args.repeats))
    elif args.workload == "bare":
        result = asyncio.run(bare_process(args.url, args.cells, args.variants, args.concurrency))
    else:
        result = asyncio.run(profile_harness(args.root, args.profile))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
