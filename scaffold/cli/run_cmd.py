"""`scaffold run EXPERIMENT`: run headless, progress on stderr, summary on stdout.

Exit codes (DESIGN 2): 0 done and every gate holds; 1 a gate failed; 2 bad input;
3 stopped early (auth error, budget spent, too many provider errors); 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

from scaffold.cli.errors import print_spec_error
from scaffold.spec.errors import Position, Problem, SpecError
from scaffold.spec.resolved import ResolvedExperiment

EXIT_GATE_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_STOPPED = 3
EXIT_INTERRUPTED = 130


def _selection(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "models": list(args.model),
        "variants": list(args.variant),
        "limit": args.limit,
        "repeats": args.repeats,
        "concurrency": args.concurrency,
    }


def _load(args: argparse.Namespace) -> tuple[ResolvedExperiment, dict[str, Any], Path | None]:
    """The experiment narrowed by the flags (or, on --resume, by the flags the run was started with)."""
    from scaffold.engine.plan import narrow
    from scaffold.spec.library import find_root, load_experiment
    from scaffold.store.run_dir import RunFolder, RunNotFound, resolve_run

    root = find_root(Path.cwd())
    resume_dir = None
    selection = _selection(args)
    if args.resume:
        try:
            resume_dir = resolve_run(root, args.resume)
        except RunNotFound as error:
            raise SpecError([Problem(Position("--resume"), str(error))]) from None
        manifest = RunFolder(resume_dir).read_manifest()
        selection = {**manifest.get("options", {})}
        selection["concurrency"] = args.concurrency or selection.get("concurrency")
        recorded = (manifest.get("resolved") or {}).get("sequential")
        experiment = load_experiment(args.experiment, root)
        return _with_sequential(narrow(experiment, **selection), recorded), selection, resume_dir
    experiment = _sequential_flags(args, narrow(load_experiment(args.experiment, root), **selection))
    return experiment, selection, resume_dir


def _sequential_flags(args: argparse.Namespace, experiment: ResolvedExperiment) -> ResolvedExperiment:
    """`--until-decided` with its settings; a flag given overrides the experiment's `sequential:`."""
    flags = {"alpha": args.alpha, "min_effect": args.min_effect, "min_cases": args.min_cases}
    given = {name: value for name, value in flags.items() if value is not None}
    if given and not args.until_decided:
        names = ", ".join("--" + name.replace("_", "-") for name in given)
        raise SpecError([Problem(Position("command line"), f"{names}: only with --until-decided")])
    if not args.until_decided:
        return experiment
    settings = experiment.sequential.model_dump() if experiment.sequential else {}
    return _with_sequential(experiment, {**settings, **given})


def _with_sequential(experiment: ResolvedExperiment, settings: dict[str, Any] | None) -> ResolvedExperiment:
    import dataclasses

    from pydantic import ValidationError

    from scaffold.spec.experiment import Sequential

    if settings is None:
        return experiment
    try:
        sequential = Sequential.model_validate(settings)
    except ValidationError as error:
        problems = [
            Problem(Position("--" + str(issue["loc"][0]).replace("_", "-")), issue["msg"]) for issue in error.errors()
        ]
        raise SpecError(problems) from None
    return dataclasses.replace(experiment, sequential=sequential)


def main(args: argparse.Namespace) -> int:
    try:
        if args.env_file:
            from scaffold.cli.env_file import load_env_file

            load_env_file(Path(args.env_file))
        experiment, selection, resume_dir = _load(args)
        from scaffold.engine.preflight import unavailable_models

        problems = unavailable_models(experiment)
        if problems:
            raise SpecError(problems)
    except SpecError as error:
        return print_spec_error(error)
    if args.dry_run:
        from scaffold.cli.dry_run import print_plan

        print_plan(experiment)
        return 0
    from scaffold.engine.runner import Run, RunOptions

    run = Run(experiment, RunOptions(use_cache=not args.no_cache, resume=resume_dir, selection=selection))
    finished = asyncio.run(_drive(run, quiet=args.quiet))
    return _report(args, experiment, finished)


async def _drive(run: Any, *, quiet: bool) -> Any:
    from scaffold.cli.progress import progress_for
    from scaffold.engine.events import RunFinished

    display = progress_for(quiet)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, run.stop)
    finished = None
    try:
        async for event in run.events():
            display.handle(event)
            if isinstance(event, RunFinished):
                finished = event
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        display.close()
    return finished


def _report(args: argparse.Namespace, experiment: ResolvedExperiment, finished: Any) -> int:
    from scaffold.cli.summary_table import print_summary, summary_json
    from scaffold.compare.gates import evaluate_gates
    from scaffold.store.run_dir import RunFolder

    folder = RunFolder(finished.run_dir)
    gates = evaluate_gates(experiment.gates, finished.summary, folder.read_results)
    sequential = folder.read_manifest().get("sequential") if experiment.sequential else None
    from scaffold.compare.discrimination import saturation_warnings

    warnings = saturation_warnings(finished.summary.groups)
    if args.json:
        shape = summary_json(
            finished.run_id, str(finished.run_dir), experiment.name, finished.status, finished.summary,
            [gate.to_json() for gate in gates],
        )
        shape["warnings"] = warnings
        if sequential is not None:
            shape["sequential"] = sequential
        print(json.dumps(shape, indent=2))
    else:
        print_summary(finished.summary, f"{experiment.name} · run {finished.run_id} · {finished.status}")
        if sequential is not None:
            from scaffold.cli.summary_table import print_sequential

            print_sequential(sequential)
        for gate in gates:
            print(f"gate {'ok  ' if gate.ok else 'FAIL'} {gate.gate}: {gate.detail}")
        for warning in warnings:
            print(f"warning: {warning}")
    if finished.reason and finished.status != "complete":
        print(f"{finished.status}: {finished.reason}", file=sys.stderr)
    if finished.status == "interrupted":
        print(f"resume with: scaffold run {args.experiment} --resume {finished.run_id}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if finished.status == "stopped":
        return EXIT_STOPPED
    return EXIT_GATE_FAILED if any(not gate.ok for gate in gates) else 0
