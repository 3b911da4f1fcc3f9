"""`scaffold plan EXPERIMENT [--from RUN | --pilot N] [--effect 0.05] [--json]`: the cases, cells,
tokens and cost a decision needs, before any call (DESIGN 11). The numbers come from `--from
RUN`, else from the experiment's latest run, else from a pilot of N cases run now (the only
way this command calls a model), else from conservative defaults (tokens then unknown)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scaffold.spec.resolved import ResolvedExperiment


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`plan`'s flags."""
    plan = commands.add_parser("plan", help="cases, cells, tokens and cost a decision needs (no call)")
    plan.add_argument("experiment", metavar="EXPERIMENT")
    source = plan.add_mutually_exclusive_group()
    source.add_argument("--from", dest="from_run", metavar="RUN", help="measure discordance and tokens in RUN")
    source.add_argument("--pilot", type=int, metavar="N", help="run the first N cases now and measure them")
    plan.add_argument("--effect", type=float, default=0.05, metavar="D", help="the difference to detect (0.05)")
    plan.add_argument("--json", action="store_true")


def _latest_run_of(root: Path, experiment: str) -> Path | None:
    from scaffold.store.run_dir import RunFolder, list_run_dirs

    for path in reversed(list_run_dirs(root)):
        try:
            if RunFolder(path).read_manifest().experiment == experiment:
                return path
        except (OSError, ValueError):
            continue
    return None


def _pilot(experiment: "ResolvedExperiment", cases: int) -> Path:
    """Run the first `cases` cases now (a normal run, kept like any other) and return its folder."""
    import asyncio

    from scaffold.engine.plan import narrow
    from scaffold.engine.runner import Run, RunOptions

    pilot = narrow(experiment, limit=cases)

    async def drain() -> Path:
        run_dir = None
        async for event in Run(pilot, RunOptions(selection={"limit": cases})).events():
            run_dir = getattr(event, "run_dir", run_dir)
        assert run_dir is not None
        return Path(run_dir)

    return asyncio.run(drain())


def main(args: argparse.Namespace) -> int:
    import json

    from scaffold.cli.errors import print_spec_error, print_usage_error
    from scaffold.spec.errors import Position, Problem, SpecError
    from scaffold.compare.planning import PlanInputs, inputs_from_run, plan
    from scaffold.compare.selection import SelectionError, load_run
    from scaffold.spec.library import find_root, load_experiment

    if not 0.0 < args.effect < 1.0:
        return print_usage_error("plan", f"--effect must lie in (0, 1), got {args.effect}")
    if args.pilot is not None and args.pilot < 2:
        return print_usage_error("plan", "--pilot needs at least 2 cases")
    try:
        root = find_root(Path.cwd())
        experiment = load_experiment(args.experiment, root)
        if args.pilot is not None:
            from scaffold.engine.preflight import unavailable_models

            problems = unavailable_models(experiment)
            if problems:
                raise SpecError(problems)
    except SpecError as error:
        return print_spec_error(error)
    run_dir: Path | None = None
    if args.pilot is not None:
        run_dir = _pilot(experiment, args.pilot)
    elif args.from_run is None:
        run_dir = _latest_run_of(root, experiment.name)
    try:
        if args.from_run is not None:
            inputs = inputs_from_run(load_run(args.from_run, root))
        elif run_dir is not None:
            inputs = inputs_from_run(load_run(str(run_dir), root))
        else:
            inputs = PlanInputs(None, None, None, None)
    except SelectionError as error:
        return print_spec_error(SpecError([Problem(Position("--from"), str(error))]))
    shape = plan(experiment, inputs, effect=args.effect)
    if args.json:
        print(json.dumps(shape, indent=2))
    else:
        _print(experiment.name, shape, piloted=args.pilot is not None)
    return 0


def _print(name: str, shape: dict[str, Any], *, piloted: bool) -> None:
    from scaffold.text_format import cost, number, percent

    source = f"from run {shape['from_run']}" if shape["from_run"] else "no run yet: conservative discordance, tokens unknown"
    print(f"plan: {name} ({source})")
    print(f"  discordant cases: {percent(shape['discordant_rate'])} · tokens/cell: {number(shape['tokens_per_cell'])}")
    print(
        f"  to detect {shape['effect'] * 100:+.1f} pts with {shape['power']:.0%} power at alpha {shape['alpha']}: "
        f"{shape['paired_cases']:,} paired cases ({shape['cases_available']:,} available)"
    )
    tokens = "unknown" if shape["tokens"] is None else f"{shape['tokens']:,}"
    print(f"  cells: {shape['cells']:,} · tokens: {tokens} · cost: {cost(shape['cost_usd'])}")
    expected = shape["sequential_expected_cases"]
    saved = shape["paired_cases"] - expected
    share = saved / shape["paired_cases"] if shape["paired_cases"] else 0.0
    change = f"{share:.0%} fewer" if saved >= 0 else f"{-share:.0%} more: at this effect, monitoring costs cases"
    print(f"  with --until-decided: about {expected:,} paired cases at the median ({change})")
    print(f"pilot run: {shape['from_run']}" if piloted else "nothing was sent")
