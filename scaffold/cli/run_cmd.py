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
        "tag": args.tag,
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
        selection = {**RunFolder(resume_dir).read_manifest().get("options", {})}
        selection["concurrency"] = args.concurrency or selection.get("concurrency")
    experiment = load_experiment(args.experiment, root)
    return narrow(experiment, **selection), selection, resume_dir


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


def _tag_slices(args: argparse.Namespace, experiment: ResolvedExperiment, finished: Any) -> list[tuple[str, Any]]:
    """One summary per tag for `--by tag` (empty otherwise)."""
    if args.by != "tag":
        return []
    from scaffold.compare.slices import tag_summaries
    from scaffold.store.run_dir import RunFolder

    case_tags = {case.id: case.tags for case in experiment.cases}
    groups = [(group.variant, group.scaffold, group.model) for group in finished.summary.groups]
    results = list(RunFolder(finished.run_dir).read_results())
    return tag_summaries(results, case_tags, groups, experiment.repeats)


def _report(args: argparse.Namespace, experiment: ResolvedExperiment, finished: Any) -> int:
    from scaffold.cli.summary_table import print_summary, summary_json
    from scaffold.compare.gates import evaluate_gates
    from scaffold.store.run_dir import RunFolder

    gates = evaluate_gates(experiment.gates, finished.summary, RunFolder(finished.run_dir).read_results)
    slices = _tag_slices(args, experiment, finished)
    if args.json:
        shape = summary_json(
            finished.run_id, str(finished.run_dir), experiment.name, finished.status, finished.summary,
            [gate.to_json() for gate in gates],
        )
        if args.by == "tag":
            shape["slices"] = [
                {"tag": tag, "groups": [group.to_json() for group in summary.groups]} for tag, summary in slices
            ]
        print(json.dumps(shape, indent=2))
    else:
        title = f"{experiment.name} · run {finished.run_id} · {finished.status}"
        print_summary(finished.summary, title + (f" · tag {args.tag}" if args.tag else ""))
        for tag, summary in slices:
            print_summary(summary, f"tag {tag}")
        for gate in gates:
            print(f"gate {'ok  ' if gate.ok else 'FAIL'} {gate.gate}: {gate.detail}")
    if finished.reason and finished.status != "complete":
        print(f"{finished.status}: {finished.reason}", file=sys.stderr)
    if finished.status == "interrupted":
        print(f"resume with: scaffold run {args.experiment} --resume {finished.run_id}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if finished.status == "stopped":
        return EXIT_STOPPED
    return EXIT_GATE_FAILED if any(not gate.ok for gate in gates) else 0
