"""Resolves references inside one library: `FILE:VARIANT[@REV]` to a flat Variant (its
`extends` chain merged) and `FILE:NAME` or a bare kind to a Scaffold, loading each prompt file
once per revision and recording every problem met on the way instead of stopping at the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from scaffold.registry import REGISTRY
from scaffold.spec.base import ScaffoldBase, Setting
from scaffold.spec.errors import Position, Problem, did_you_mean, display_path
from scaffold.spec.git_source import GitError, files_at, read_at, resolve_revision
from scaffold.spec.params import merged_params
from scaffold.spec.prompt_file import ScaffoldSpec
from scaffold.spec.prompt_source import PromptSource, load_prompt_source
from scaffold.spec.refs import Ref, RefError, parse_ref
from scaffold.spec.resolved import MessageTemplate, Scaffold, Variant
from scaffold.spec.templates import PROMPTS_DIR, TemplateReport, TemplateSet
from scaffold.spec.yaml_source import MAX_YAML_BYTES, FileTooLarge, Loc, YamlDocument, read_bounded


class _Reported(Exception):
    """A reference could not be resolved; its problem is already recorded."""


@dataclass(frozen=True)
class _Flat:
    """A variant with its `extends` chain merged, before it gets the name it is used by."""

    system: MessageTemplate | None
    user: MessageTemplate | None
    messages: tuple[MessageTemplate, ...]
    params: dict[str, Any]
    description: str
    sources: tuple[tuple[str, str | None], ...]
    """(file, commit) of every prompt file of the chain."""


class Resolver:
    """Resolves references for one command; `problems` collects every problem found."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self._sources: dict[tuple[str, str | None], PromptSource] = {}
        self._flat: dict[tuple[str, str | None, str], _Flat | None] = {}
        self._template_sets: dict[str | None, TemplateSet] = {}
        self._labels: dict[str, str] = {}
        """commit -> the revision it was first written as, to show in problems."""
        self._commits: dict[str, str] = {}
        self._chains: dict[str, tuple[tuple[str, str | None], ...]] = {}

    def report(self, position: Position, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(position, message))

    def templates(self, commit: str | None) -> TemplateSet:
        """The templates of the library at `commit` (None: the work tree)."""
        if commit not in self._template_sets:
            label = self._labels.get(commit) if commit else None
            self._template_sets[commit] = TemplateSet(self.root, commit, label)
        return self._template_sets[commit]

    def prompt_file_names(self, commit: str | None = None) -> list[str]:
        """Every prompt file's name (`arith`, `agents/solver`), at `commit` or in the work tree."""
        if commit is not None:
            paths = [name for name in files_at(self.root, commit, PROMPTS_DIR) if name.endswith(".yaml")]
        else:
            prompts = self.root / PROMPTS_DIR
            paths = [path.relative_to(prompts).as_posix() for path in prompts.rglob("*.yaml") if path.is_file()]
        return sorted(path[: -len(".yaml")] for path in paths)

    def source(self, name: str, commit: str | None = None) -> PromptSource:
        """Prompt file `name` at `commit`, loaded once; its own problems are recorded then."""
        key = (name, commit)
        if key not in self._sources:
            path = f"{PROMPTS_DIR}/{name}.yaml"
            display = display_path(self.root / path)
            too_large: FileTooLarge | None = None
            if commit is None:
                try:
                    data: bytes | None = read_bounded(self.root / path, MAX_YAML_BYTES)
                except OSError:
                    data = None
                except FileTooLarge as error:
                    data, too_large = None, error
            else:
                data = read_at(self.root, commit, path)
                display = f"{display}@{self._labels.get(commit, commit[:12])}"
            if too_large is None:
                source = load_prompt_source(name, data, path, display, commit)
            else:
                problem = Problem(Position(display, 1, 1), too_large.message("this YAML file"))
                source = PromptSource(name, path, display, commit, True, problems=(problem,), readable=False)
            self._sources[key] = source
            self.problems.extend(source.problems)
            for scaffold_name, spec in source.scaffolds.items():
                self.check_scaffold(spec, source.doc, ("scaffolds", scaffold_name))
        return self._sources[key]

    def _commit(self, rev: str | None, at: Position) -> str | None:
        if rev is None:
            return None
        if rev not in self._commits:
            try:
                self._commits[rev] = resolve_revision(self.root, rev)
            except GitError as error:
                self.report(at, str(error))
                raise _Reported from error
        commit = self._commits[rev]
        self._labels.setdefault(commit, rev)
        return commit

    def _found_source(self, file: str, commit: str | None, at: Position) -> PromptSource:
        source = self.source(file, commit)
        if not source.found:
            where = f" at {self._labels.get(commit or '', '')}" if commit else ""
            hint = did_you_mean(file, self.prompt_file_names(commit))
            self.report(at, f"prompt file '{file}' not found{where}{hint}")
            raise _Reported
        return source

    def variant(self, ref: Ref, at: Position, *, renders: bool = True) -> Variant | None:
        """`ref` resolved and its templates checked; None when it cannot be used (the problems
        are recorded). `at` is where the reference was written. `renders`: it is to be
        rendered, so it must have a message (False for a base that only others extend)."""
        try:
            commit = self._commit(ref.rev, at)
            flat = self._flatten(ref.file, ref.name, commit, at, ())
        except _Reported:
            return None
        source = self.source(ref.file, commit)
        position = source.doc.position(("variants", ref.name), key=True)
        messages = tuple(
            message for message in (flat.system, *flat.messages, flat.user) if message is not None
        )
        if not messages and renders:
            self.report(position, f"variant '{ref}' renders no messages: give it system, user or messages")
            return None
        variant = Variant(str(ref), ref.file, ref.name, commit, messages, flat.params, position, flat.description)
        self._chains[variant.ref] = flat.sources
        for _, report in self.template_reports(variant):
            self.problems.extend(report.problems)
        return variant

    def _flatten(
        self, file: str, name: str, commit: str | None, at: Position, chain: tuple[tuple[str, str | None, str], ...]
    ) -> _Flat:
        key = (file, commit, name)
        if key in chain:
            self._report_cycle(chain[chain.index(key):])
            raise _Reported
        if key in self._flat:
            cached = self._flat[key]
            if cached is None:
                raise _Reported
            return cached
        source = self._found_source(file, commit, at)
        spec = source.variants.get(name)
        if spec is None:
            if name not in source.declared_variants and source.readable:
                choices = [f"{file}:{declared}" for declared in source.declared_variants]
                self.report(at, f"variant '{file}:{name}' not found{did_you_mean(f'{file}:{name}', choices)}")
            self._flat[key] = None
            raise _Reported
        try:
            parent = None
            if spec.extends is not None:
                extends_at = source.doc.position(("variants", name, "extends"))
                try:
                    parent_ref = parse_ref(spec.extends, in_file=file)
                except RefError as error:
                    self.report(extends_at, str(error))
                    raise _Reported from error
                parent_commit = self._commit(parent_ref.rev, extends_at) if parent_ref.rev else commit
                parent = self._flatten(parent_ref.file, parent_ref.name, parent_commit, extends_at, (*chain, key))
        except _Reported:
            self._flat[key] = None
            raise
        self._flat[key] = flat = _merge(parent, source, name)
        return flat

    def _report_cycle(self, cycle: tuple[tuple[str, str | None, str], ...]) -> None:
        """Report an extends cycle once, from its first member, however it was entered."""
        start = cycle.index(min(cycle))
        cycle = cycle[start:] + cycle[:start]
        one_file = len({(file, commit) for file, commit, _ in cycle}) == 1
        names = [name if one_file else f"{file}:{name}" for file, _, name in (*cycle, cycle[0])]
        file, commit, name = cycle[0]
        position = self.source(file, commit).doc.position(("variants", name, "extends"))
        self.report(position, f"extends cycle: {' -> '.join(names)}")

    def template_reports(self, variant: Variant) -> list[tuple[MessageTemplate, TemplateReport]]:
        """Each message template of `variant` with what the static checks found in it."""
        templates = self.templates(variant.rev)
        return [(message, templates.check_text(message.template, message.source)) for message in variant.messages]

    def prompt_hashes(self, variant: Variant) -> dict[str, str]:
        """sha256 of every prompt file and template `variant` is made of, keyed by path in the library."""
        hashes: dict[str, str] = {}
        suffix = f"@{variant.rev}" if variant.rev else ""
        for file, commit in self._chains.get(variant.ref, ()):
            source = self.source(file, commit)
            if source.digest:
                hashes[source.path + (f"@{commit}" if commit else "")] = source.digest
        templates = self.templates(variant.rev)
        for _, report in self.template_reports(variant):
            for name in report.included:
                digest = templates.digest(name)
                if digest:
                    hashes[f"{PROMPTS_DIR}/{name}{suffix}"] = digest
        return hashes

    def scaffold(self, entry: str | ScaffoldSpec, at: Position) -> Scaffold | None:
        """A scaffold named in an experiment: a bare built-in kind, `FILE:NAME`, or an inline spec
        (already validated, needing an `id`)."""
        if not isinstance(entry, str):
            if entry.id is None:
                self.report(at, "an inline scaffold needs an `id` (how results name it)")
                return None
            return Scaffold(entry.id, entry)
        if ":" not in entry:
            if REGISTRY.get("scaffold", entry) is None:
                self.report(at, f"unknown scaffold '{entry}'{did_you_mean(entry, REGISTRY.names('scaffold'))}")
                return None
            try:
                return Scaffold(entry, TypeAdapter(ScaffoldSpec).validate_python({"kind": entry}))
            except ValidationError as error:
                needed = ", ".join(f"`{item['loc'][-1]}:`" for item in error.errors() if item["type"] == "missing")
                self.report(at, f"a {entry} scaffold needs settings ({needed or 'see its kind'}): declare it with `kind: {entry}`")
                return None
        try:
            ref = parse_ref(entry, what="scaffold")
            source = self._found_source(ref.file, self._commit(ref.rev, at), at)
        except RefError as error:
            self.report(at, str(error))
            return None
        except _Reported:
            return None
        spec = source.scaffolds.get(ref.name)
        if spec is None:
            if ref.name not in source.declared_scaffolds and source.readable:
                choices = [f"{ref.file}:{name}" for name in source.declared_scaffolds]
                self.report(at, f"scaffold '{ref.file}:{ref.name}' not found{did_you_mean(f'{ref.file}:{ref.name}', choices)}")
            return None
        return Scaffold(str(ref), spec)

    def check_scaffold(self, spec: ScaffoldBase, doc: YamlDocument, loc: Loc) -> None:
        """Record what is wrong in a valid-shaped scaffold, as its kind's `problems()` finds it
        (tools and entries that cannot be imported or called), and the templates written on
        it (nudges, critique prompts) that cannot render."""
        for relative, message in spec.problems(Setting(self.root)):
            self.report(doc.position((*loc, *relative)), message)
        plain = TemplateSet(None)
        for relative, text in spec.template_texts():
            if doc.has((*loc, *relative)):
                self.problems.extend(plain.check_text(text, doc.position((*loc, *relative))).problems)


def _merge(parent: _Flat | None, source: PromptSource, name: str) -> _Flat:
    """`name`'s fields over its parent's: a field given (even as null) replaces the parent's;
    params merge key by key. One variant may not give both `messages` and `system`/`user`
    (prompt_source reports it), but a child's `messages` over a parent's system and user are
    few-shot turns between the two: the conversation is system, messages, user."""
    spec = source.variants[name]
    given = spec.model_fields_set
    base: Loc = ("variants", name)

    def single(role: str, text: str | None, inherited: MessageTemplate | None) -> MessageTemplate | None:
        if role not in given:
            return inherited
        return None if text is None else MessageTemplate(role, text, source.template_source((*base, role)))

    messages = parent.messages if parent else ()
    if "messages" in given:
        messages = tuple(
            MessageTemplate(message.role, message.content, source.template_source((*base, "messages", index, "content")))
            for index, message in enumerate(spec.messages or ())
        )
    own = (source.name, source.commit)
    sources = parent.sources if parent else ()
    return _Flat(
        system=single("system", spec.system, parent.system if parent else None),
        user=single("user", spec.user, parent.user if parent else None),
        messages=messages,
        params={**(parent.params if parent else {}), **merged_params(spec.params, spec.extra_params)},
        description=spec.description if "description" in given or parent is None else parent.description,
        sources=sources if own in sources else (*sources, own),
    )
