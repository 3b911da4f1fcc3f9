"""`scaffold validate`: check the prompt files, templates and experiments that paths name,
collecting every problem; no model is called and nothing here prints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scaffold.spec.errors import Position, Problem, display_path
from scaffold.spec.library import EXPERIMENTS_DIR, ExperimentLoader
from scaffold.spec.refs import Ref
from scaffold.spec.resolver import Resolver
from scaffold.spec.templates import PROMPTS_DIR


@dataclass(frozen=True)
class ValidationSummary:
    """What `validate` looked at."""

    prompt_files: int = 0
    variants: int = 0
    experiments: int = 0
    cases: int = 0

    def __add__(self, other: "ValidationSummary") -> "ValidationSummary":
        return ValidationSummary(
            self.prompt_files + other.prompt_files,
            self.variants + other.variants,
            self.experiments + other.experiments,
            self.cases + other.cases,
        )

    def __str__(self) -> str:
        def count(number: int, noun: str) -> str:
            return f"{number} {noun}{'' if number == 1 else 's'}"

        return (
            f"ok: {count(self.prompt_files, 'prompt file')} ({count(self.variants, 'variant')}), "
            f"{count(self.experiments, 'experiment')} ({count(self.cases, 'case')})"
        )


def validate(paths: list[Path], root: Path) -> tuple[list[Problem], ValidationSummary]:
    """Check prompt files, templates and experiments of the library at `root`: all of them when
    `paths` is empty, else those in the given files and folders. Returns every problem, sorted,
    and what was looked at. No model is called."""
    resolver = Resolver(root)
    selection = _Selection(root)
    for path in paths or [root]:
        selection.add(path.resolve())
    resolver.problems.extend(selection.problems)
    variants = 0
    for name in sorted(selection.prompt_files):
        source = resolver.source(name)
        variants += len(source.declared_variants)
        for variant_name in source.variants:
            position = source.doc.position(("variants", variant_name), key=True)
            resolver.variant(Ref(name, variant_name), position, renders=False)
    templates = resolver.templates(None)
    for name in sorted(selection.templates):
        resolver.problems.extend(templates.check_file(name).problems)
    cases = 0
    for path in sorted(selection.experiments):
        cases += ExperimentLoader(resolver, path).load()[1]
    summary = ValidationSummary(len(selection.prompt_files), variants, len(selection.experiments), cases)
    return sorted(set(resolver.problems)), summary


class _Selection:
    """The prompt files, templates and experiments that paths name."""

    def __init__(self, root: Path):
        self.root = root
        self.prompts = root / PROMPTS_DIR
        self.prompt_files: set[str] = set()
        self.templates: set[str] = set()
        self.experiments: set[Path] = set()
        self.problems: list[Problem] = []

    def add(self, path: Path) -> None:
        """Select `path`: a file, the library folder, or a folder below prompts/ or experiments/."""
        at = Position(display_path(path))
        if path.is_file():
            if not self._add_file(path, explicit=True):
                self.problems.append(Problem(at, "not a prompt file, template or experiment (.yaml, or .j2 below prompts/)"))
        elif path.is_dir():
            if path == self.root:
                folders = [self.prompts, self.root / EXPERIMENTS_DIR]
            elif self._below(path, self.prompts) or self._below(path, self.root / EXPERIMENTS_DIR):
                folders = [path]
            else:
                self.problems.append(Problem(at, "not a library folder: give the library, its prompts/ or its experiments/"))
                return
            for folder in folders:
                for file in sorted(folder.rglob("*")):
                    if file.is_file():
                        self._add_file(file, explicit=False)
        else:
            self.problems.append(Problem(at, "no such file or folder"))

    @staticmethod
    def _below(path: Path, folder: Path) -> bool:
        return path == folder or folder in path.parents

    def _add_file(self, path: Path, *, explicit: bool) -> bool:
        if self._below(path, self.prompts):
            name = path.relative_to(self.prompts).as_posix()
            if path.suffix == ".yaml":
                self.prompt_files.add(name[: -len(".yaml")])
                return True
            if path.suffix == ".j2":
                self.templates.add(name)
                return True
            return False
        if path.suffix in (".yaml", ".yml") and (explicit or self._below(path, self.root / EXPERIMENTS_DIR)):
            self.experiments.add(path)
            return True
        return False
