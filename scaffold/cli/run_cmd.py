"""`scaffold run EXPERIMENT`: run headless, progress on stderr, summary on stdout.

Exit codes (DESIGN 2): 0 done and every gate holds; 1 a gate failed; 2 bad input, including
a check that cannot run (stopped after five cells); 3 stopped early (auth error, budget spent,
a dead endpoint, too many provider errors); 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from scaffold.cli.errors import print_spec_error
from scaffold.cli.progress import progress_for
from scaffold.cli.summary_table import print_summary
from scaffold.compare.run_result import run_result
from scaffold.engine.events import RunFinished
from scaffold.engine.session import RunSession, new_session, resume_session
from scaffold.engine.shards import refuse_sequential, shard_from_environment
from scaffold.engine.workers import WorkerPool, route, workers_for
from scaffold.providers.base import HarnessFault
from scaffold.spec.errors import Position, Problem, SpecError
from scaffold.spec.folders import find_root
from scaffold.spec.resolved import ResolvedExperiment
from scaffold.store.run_manifest import RunSelection

EXIT_GATE_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_STOPPED = 3
EXIT_INTERRUPTED = 130


def _session(args: argparse.Namespace) -> RunSession:
    """The run the flags ask for: a new one narrowed by them, or (`--resume`) the missing cells
    of a run, with the selection it was started with."""
    root = find_root(Path.cwd())
    if args.resume:
        if args.shard:
            raise SpecError([Problem(Position("--shard"), "not with --resume: a resume keeps the run's own shard")])
        return resume_session(
            args.resume, root=root, experiment=args.experiment, concurrency=args.concurrency,
            use_cache=not args.no_cache,
        )
    selection = RunSelection(
        models=list(args.model), variants=list(args.variant), limit=args.limit,
        repeats=args.repeats, concurrency=args.concurrency, tag=args.tag, shard=_shard_flag(args),
        batch=args.batch,
    )
    session = new_session(args.experiment, selection, root=root, use_cache=not args.no_cache)
    experiment = _sequential_flags(args, session.experiment)
    refuse_sequential(experiment)
    return dataclasses.replace(session, experiment=experiment)


def _shard_flag(args: argparse.Namespace) -> str | None:
    """`--shard`, else `SCAFFOLD_SHARD=I/N` from the environment."""
    return args.shard or shard_from_environment(os.environ)


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
    pool: WorkerPool | None = None
    try:
        if args.workers is not None and args.workers < 0:
            raise SpecError([Problem(Position("--workers"), f"must be 0 or more, not {args.workers}")])
        if args.env_file:  # before the workers start: they inherit the keys
            from scaffold.cli.env_file import load_env_file

            load_env_file(Path(args.env_file))
        session = _session(args)
    except SpecError as error:
        return print_spec_error(error)
    try:
        if args.dry_run:
            from scaffold.cli.dry_run import print_plan

            print_plan(session.experiment)
            return 0
        provider_for_model = None
        count = workers_for(session.experiment, session.pending_cells, args.workers)
        if count:
            pool = WorkerPool(count)
            provider_for_model = route(pool)
        finished = asyncio.run(_drive(session.start(provider_for_model), quiet=args.quiet, pool=pool))
    except HarnessFault as error:  # run.json says `stopped` with this reason too
        print(f"scaffold run: stopped: {error}", file=sys.stderr)
        return EXIT_STOPPED
    finally:
        if pool is not None:
            pool.close()
    return _report(args, session.experiment, finished)


async def _drive(run: Any, *, quiet: bool, pool: WorkerPool | None = None) -> Any:
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
        if pool is not None:
            await pool.aclose()
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
    result = run_result(experiment, finished)
    gates = result.gates
    slices = _tag_slices(args, experiment, finished)
    if args.json:
        shape = result.to_json()
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
        if result.sequential is not None:
            from scaffold.cli.summary_table import print_sequential

            print_sequential(result.sequential)
        for gate in gates:
            print(f"gate {'ok  ' if gate.ok else 'FAIL'} {gate.gate}: {gate.detail}")
        if experiment.shard is not None and experiment.gates:
            print(f"gates: not checked on shard {experiment.shard}; `scaffold merge` checks them on the merged run")
        for warning in result.warnings:
            print(f"warning: {warning}")
    if finished.cause == "check_errors":  # the reason starts with the check's file:line:col
        print(finished.reason, file=sys.stderr)
        return EXIT_BAD_INPUT
    if finished.reason and finished.status != "complete":
        print(f"{finished.status}: {finished.reason}", file=sys.stderr)
    if finished.status == "interrupted":
        print(f"resume with: scaffold run {args.experiment} --resume {finished.run_id}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if finished.status == "stopped":
        return EXIT_STOPPED
    return EXIT_GATE_FAILED if any(not gate.ok for gate in gates) else 0
