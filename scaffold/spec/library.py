"""A prompt library on disk: find it, load an experiment or a variant from it (checking the
whole library is `scaffold/spec/validation.py`).

Loading collects every problem in one pass (YAML, shapes, references, templates, cases) and
raises one SpecError holding them all, sorted; nothing here prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from scaffold.spec.base import CheckBase, Setting
from scaffold.spec.cases import load_cases
from scaffold.spec.checking import check_fields, check_value
from scaffold.spec.checks import OPTION_KEYS
from scaffold.spec.errors import Position, Problem, SpecError, did_you_mean, display_path
from scaffold.spec.experiment import Experiment, ModelSpec, deployment_names
from scaffold.spec.folders import EXPERIMENTS_DIR, find_root
from scaffold.spec.params import merged_params
from scaffold.spec.problems import field_default, show_value
from scaffold.spec.refs import RefError, parse_ref
from scaffold.spec.resolved import BATCH_PREFIX, Case, Deployment, Model, ResolvedExperiment, Scaffold, Variant
from scaffold.spec.resolver import Resolver
from scaffold.spec.templates import PROMPTS_DIR, TemplateSet
from scaffold.spec.yaml_source import Loc, YamlDocument, collection_paused, load_yaml

def load_variant(ref: str, root: Path) -> Variant:
    """Variant `FILE:VARIANT[@REV]` of the library at `root`, its templates checked; raises SpecError."""
    try:
        parsed = parse_ref(ref)
    except RefError as error:
        raise SpecError([Problem(Position(ref), str(error))]) from error
    resolver = Resolver(root)
    variant = resolver.variant(parsed, Position(display_path(root / PROMPTS_DIR / f"{parsed.file}.yaml")))
    if resolver.problems or variant is None:
        raise SpecError(resolver.problems)
    return variant


def experiment_path(ref: str | Path, root: Path | None = None) -> tuple[Path, Path]:
    """(experiment file, library root) for a name in experiments/ (`quickstart`) or a path."""
    text = str(ref)
    if isinstance(ref, Path) or text.endswith((".yaml", ".yml")) or Path(text).is_file():
        path = Path(text).resolve()
        return path, root or find_root(path.parent)
    root = root or find_root(Path.cwd())
    path = root / EXPERIMENTS_DIR / f"{text}.yaml"
    if not path.is_file():
        names = [file.stem for file in (root / EXPERIMENTS_DIR).glob("*.yaml")]
        raise SpecError([Problem(Position(display_path(path)), f"experiment '{text}' not found{did_you_mean(text, names)}")])
    return path, root


def load_experiment(ref: str | Path, root: Path | None = None) -> ResolvedExperiment:
    """Experiment `ref` (a name in experiments/ or a path) with every reference resolved and
    every case loaded; raises SpecError with all problems found."""
    path, root = experiment_path(ref, root)
    resolver = Resolver(root)
    experiment, _ = ExperimentLoader(resolver, path).load()
    if resolver.problems or experiment is None:
        raise SpecError(resolver.problems)
    return experiment


def _item_type(name: str) -> Any:
    return get_args(Experiment.model_fields[name].annotation)[0]


class ExperimentLoader:
    """Resolves one experiment file, recording problems in the resolver."""

    def __init__(self, resolver: Resolver, path: Path):
        self.resolver = resolver
        self.path = path
        self.doc = YamlDocument(display_path(path), None)
        self.check_texts = TemplateSet(None)
        """Check values render with no includes (render_string)."""

    def report(self, loc: Loc, message: str, *, key: bool = False) -> None:
        self.resolver.report(self.doc.position(loc, key=key), message)

    def load(self) -> tuple[ResolvedExperiment | None, int]:
        """The resolved experiment (None when it has problems) and how many cases it has."""
        with collection_paused():
            return self._load()

    def _load(self) -> tuple[ResolvedExperiment | None, int]:
        problems_before = len(self.resolver.problems)
        self.doc, problems = load_yaml(self.path, display_path(self.path))
        self.resolver.problems.extend(problems)
        data = self.doc.data
        if not isinstance(data, dict):
            if not problems:
                self.report((), f"an experiment is a mapping with variants: and cases:, got {show_value(data)}")
            return None, 0
        fields = check_fields(Experiment, data, self.doc)
        self.resolver.problems.extend(fields.problems)
        values = fields.values
        variants = self._variants()
        scaffolds = self._scaffolds()
        models = self._models()
        checks = self._checks()
        cases: list[Case] = []
        if "cases" in data:
            cases, case_problems = load_cases(data["cases"], values.get("cases"), self.doc, ("cases",), self.resolver.root)
            self.resolver.problems.extend(case_problems)
        if cases and values.get("exclude_cases"):
            cases = self._without_excluded(cases, values["exclude_cases"])
        if cases:
            self._check_variables(variants, checks, cases)
        self._check_problems(checks, Setting(self.resolver.root, tuple(cases), values.get("judge_model")))
        self._check_gates(variants, scaffolds, models)
        self._check_prices(models)
        if len(self.resolver.problems) > problems_before:
            return None, len(cases)
        hashes: dict[str, str] = {}
        for variant in variants:
            hashes.update(self.resolver.prompt_hashes(variant))
        experiment = ResolvedExperiment(
            name=self._name(),
            path=self.path,
            root=self.resolver.root,
            description=values["description"],
            variants=tuple(variants),
            scaffolds=tuple(scaffolds),
            models=tuple(models),
            cases=tuple(cases),
            checks=tuple(check for _, check in checks),
            threshold=values["threshold"],
            repeats=values["repeats"],
            concurrency=values["concurrency"],
            params=merged_params(values["params"], values["extra_params"]),
            limits=values["limits"],
            gates=tuple(values["gates"]),
            prices=values["prices"],
            judge_model=values["judge_model"],
            prompt_hashes=hashes,
            variant_revisions={variant.ref: variant.rev for variant in variants},
            check_positions=tuple(self.doc.position(loc) for loc, _ in checks),
            sequential=values.get("sequential"),
        )
        return experiment, len(cases)

    def _without_excluded(self, cases: list[Case], file: str) -> list[Case]:
        """The cases whose ids `exclude_cases:` does not list (blank lines and `#` lines skipped)."""
        path = self.resolver.root / file
        try:
            listed = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            self.report(("exclude_cases",), f"exclude_cases: cannot read {file}: {getattr(error, 'strerror', None) or error}")
            return cases
        excluded = {line.strip() for line in listed if line.strip() and not line.lstrip().startswith("#")}
        return [case for case in cases if case.id not in excluded]

    def _name(self) -> str:
        folder = self.resolver.root / EXPERIMENTS_DIR
        try:
            return self.path.relative_to(folder).with_suffix("").as_posix()
        except ValueError:
            return self.path.stem

    def _items(self, name: str) -> list[tuple[Loc, Any]]:
        """(loc, value) of each item of list field `name` that validates (its default when absent)."""
        data = self.doc.data
        if name not in data:
            return [((name,), item) for item in field_default(Experiment.model_fields[name])]
        if not isinstance(data[name], list):
            return []
        items: list[tuple[Loc, Any]] = []
        for index, raw in enumerate(data[name]):
            checked = check_value(_item_type(name), raw, self.doc, (name, index))
            if checked.ok:  # the problems of the others were reported with the whole field
                items.append(((name, index), checked.value))
        return items

    def _variants(self) -> list[Variant]:
        variants: list[Variant] = []
        for loc, text in self._items("variants"):
            at = self.doc.position(loc)
            try:
                ref = parse_ref(text)
            except RefError as error:
                self.report(loc, str(error))
                continue
            if any(variant.ref == str(ref) for variant in variants):
                self.report(loc, f"variant '{ref}' is listed twice")
                continue
            variant = self.resolver.variant(ref, at)
            if variant is not None:
                variants.append(variant)
        return variants

    def _scaffolds(self) -> list[Scaffold]:
        scaffolds: list[Scaffold] = []
        for loc, entry in self._items("scaffolds"):
            if not isinstance(entry, str):
                self.resolver.check_scaffold(entry, self.doc, loc)
            scaffold = self.resolver.scaffold(entry, self.doc.position(loc))
            if scaffold is None:
                continue
            if any(other.ref == scaffold.ref for other in scaffolds):
                self.report(loc, f"scaffold '{scaffold.ref}' is listed twice")
                continue
            scaffolds.append(scaffold)
        return scaffolds

    def _models(self) -> list[Model]:
        models: list[Model] = []
        for loc, entry in self._items("models"):
            spec = entry if isinstance(entry, ModelSpec) else ModelSpec.model_validate({"model": entry})
            deployments = spec.deployments or []
            strings = [(loc, spec.model)] if spec.model is not None else []
            strings += [(loc + ("deployments", index, "model"), each.model) for index, each in enumerate(deployments)]
            wrong = [(at, text) for at, text in strings if not text.strip() or any(char.isspace() for char in text)]
            for at, text in wrong:
                self.report(at, f"expected a litellm model such as openai/gpt-4.1-mini, got {show_value(text)}")
            if wrong:
                continue
            params = merged_params(spec.params, spec.extra_params)
            routed = tuple(
                Deployment(name, each.model, each.api_base, each.api_key_env, each.rpm, each.tpm)
                for name, each in zip(deployment_names(deployments), deployments)
            )
            litellm_model = spec.model or routed[0].model
            model = Model(
                spec.id or litellm_model, litellm_model, spec.api_base, spec.api_key_env, params, spec.concurrency,
                spec.batch, routed,
            )
            if model.batch and routed:
                self.report((*loc, "batch"), "batch: true is not for a model with `deployments` (a Router has no batch API)")
            elif model.batch and not model.supports_batch:
                self.report((*loc, "batch"), f"batch: true needs an {BATCH_PREFIX}... model, got {spec.model}")
            if any(other.name == model.name for other in models):
                self.report(loc, f"model '{model.name}' is listed twice (give one an `id`)")
                continue
            models.append(model)
        return models

    def _checks(self) -> list[tuple[Loc, Any]]:
        checks = self._items("checks")
        for loc, check in checks:
            for text, position in self._check_templates(check, loc):
                self.resolver.problems.extend(self.check_texts.check_text(text, position).problems)
        return checks

    def _check_problems(self, checks: list[tuple[Loc, CheckBase]], setting: Setting) -> None:
        """What each check type's own `problems()` finds (hooks, patterns, schemas)."""
        for loc, check in checks:
            for relative, message in check.problems(setting):
                self.report(self._written_at(loc, relative), message)

    def _written_at(self, loc: Loc, relative: Loc) -> Loc:
        """Where a key of a check was written: `value` stands for the check's value, which is
        under `value:` in the long form and under its type's key in the shorthand."""
        raw = self._raw_at(loc)
        path = list(loc)
        for element in relative:
            if element == "value" and isinstance(raw, dict) and "value" not in raw:
                named = [key for key in raw if key not in OPTION_KEYS and key not in CheckBase.model_fields]
                element = named[0] if named else element
            path.append(element)
            raw = raw.get(element) if isinstance(raw, dict) else None
        return tuple(path)

    def _raw_at(self, loc: Loc) -> Any:
        raw = self.doc.data
        for element in loc:
            if isinstance(raw, dict):
                raw = raw.get(element)
            elif isinstance(raw, list) and isinstance(element, int) and element < len(raw):
                raw = raw[element]
            else:
                raw = None
        return raw

    def _check_templates(self, check: CheckBase, loc: Loc) -> list[tuple[str, Position]]:
        """Every template text of a check (its string value, an inner check's), with its position."""
        return [(text, self.doc.position(self._written_at(loc, relative))) for relative, text in check.template_texts()]

    def _check_variables(self, variants: list[Variant], checks: list[tuple[Loc, Any]], cases: list[Case]) -> None:
        for variant in variants:
            uses: dict[str, Position] = {}
            for message, report in self.resolver.template_reports(variant):
                for name in sorted(report.variables):
                    uses.setdefault(name, message.source)
            for name, position in uses.items():
                missing = [case for case in cases if name not in case.vars]
                self._report_missing(name, variant.ref, position, missing, len(cases))
        for loc, check in checks:
            for text, position in self._check_templates(check, loc):
                report = self.check_texts.check_text(text, position)
                for name in sorted(report.variables - {"expected", "id"}):
                    missing = [case for case in cases if name not in case.vars]
                    self._report_missing(name, f"check '{check.name or check.type}'", position, missing, len(cases))

    def _report_missing(self, name: str, user: str, position: Position, missing: list[Case], total: int) -> None:
        if missing:
            self.resolver.report(
                position,
                f"variable '{name}' used by {user} is not provided by {len(missing)} of {total} "
                f"case{'' if total == 1 else 's'} (first: {missing[0].id})",
            )

    def _check_gates(self, variants: list[Variant], scaffolds: list[Scaffold], models: list[Model]) -> None:
        variant_refs = [variant.ref for variant in variants]
        for loc, gate in self._items("gates"):
            named = [((*loc, *where), ref) for where, ref in gate.variant_refs()]
            for ref_loc, ref in named:
                if ref not in variant_refs:
                    hint = did_you_mean(ref, variant_refs)
                    self.report(ref_loc, f"gate names variant '{ref}', which this experiment does not run{hint}")
            for key, value, choices in (
                ("model", gate.model, [model.name for model in models]),
                ("scaffold", gate.scaffold, [scaffold.ref for scaffold in scaffolds]),
            ):
                if value is not None and value not in choices:
                    self.report((*loc, key), f"gate names {key} '{value}', which this experiment does not run{did_you_mean(value, choices)}")

    def _check_prices(self, models: list[Model]) -> None:
        prices = self.doc.data.get("prices")
        if not isinstance(prices, dict):
            return
        names = {model.name for model in models} | {model.model for model in models}
        for key in prices:
            if key not in names:
                message = f"price for '{key}', which is not a model of this experiment{did_you_mean(str(key), names)}"
                self.report(("prices", key), message, key=True)
