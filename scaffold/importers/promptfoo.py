"""A promptfoo config as a scaffold library: `prompts/`, `experiments/` and `data/` in one folder.

prompts -> the variants of `prompts/NAME.yaml`; providers -> models; tests (with
`defaultTest`'s vars under their own) -> the cases of `data/NAME.jsonl`; assertions ->
checks (see `promptfoo_asserts`). `defaultTest`'s assertions become the experiment's checks as
written. A test's own assertions hold values that differ from test to test, so their values
go into the case (the first as `expected`, the next as vars `expected_2`, `expected_3`, ...)
and the experiment's check reads them (`contains: "{{ expected }}"`). Tests whose own
assertions differ in kind cannot share one check list: each such set gets its own experiment
(`NAME_2`, ...) and case file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaffold.importers.case_file import WrittenCases, prepare, write_case_file
from scaffold.importers.redact import redact_value
from scaffold.importers.promptfoo_asserts import CheckDict, map_assertion, value_key
from scaffold.importers.promptfoo_config import PromptfooConfig, PromptSource, TestSource
from scaffold.spec.errors import Problem
from scaffold.spec.experiment import CaseSpec

PROVIDER_PREFIXES = {
    "openai": "openai", "azure": "azure", "azureopenai": "azure", "anthropic": "anthropic", "bedrock": "bedrock",
    "vertex": "vertex_ai", "google": "gemini", "gemini": "gemini", "mistral": "mistral", "groq": "groq",
    "ollama": "ollama_chat", "openrouter": "openrouter", "togetherai": "together_ai", "deepseek": "deepseek",
    "fireworks": "fireworks_ai", "perplexity": "perplexity", "cohere": "cohere", "xai": "xai",
    "huggingface": "huggingface", "cerebras": "cerebras",
}
"""promptfoo provider prefix -> litellm provider prefix."""
API_TYPES = ("chat", "messages", "completion")
PARAM_KEYS = ("temperature", "max_tokens", "max_completion_tokens", "top_p", "frequency_penalty",
              "presence_penalty", "seed", "stop", "response_format", "reasoning_effort")
"""Provider `config` keys that are model parameters, carried into the model's `params`."""


@dataclass
class PromptfooImport:
    """What an import wrote, what it could not carry over, and what is wrong."""

    name: str
    written: list[Path] = field(default_factory=list)
    cases: list[WrittenCases] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def library_name(config_path: Path) -> str:
    """`promptfooconfig.yaml` is named after its folder; any other config after its file."""
    stem = config_path.stem if config_path.stem != "promptfooconfig" else config_path.resolve().parent.name
    return re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_") or "imported"


def provider_model(entry: Any, config: PromptfooConfig, loc: tuple[Any, ...]) -> str | dict[str, Any] | None:
    """A provider as an experiment's model (a litellm string or `{id, model, ...}`), or None with a note."""
    options: dict[str, Any] = {}
    if isinstance(entry, dict):
        options, entry = entry, entry.get("id")
    if not isinstance(entry, str):
        config.note(loc, "a provider without an id")
        return None
    prefix, _, rest = entry.partition(":")
    parts = rest.split(":")
    if len(parts) > 1 and parts[0] in API_TYPES:
        parts = parts[1:]
    if prefix not in PROVIDER_PREFIXES or not rest or parts[0] in ("embedding", "embeddings"):
        config.note(loc, f"provider `{entry}` has no litellm equivalent")
        return None
    model = f"{PROVIDER_PREFIXES[prefix]}/{':'.join(parts)}"
    settings = options.get("config") or {}
    spec: dict[str, Any] = {}
    if options.get("label"):
        spec["id"] = str(options["label"])
    base = settings.get("apiBaseUrl") or settings.get("apiHost")
    if base:
        spec["api_base"] = base if "://" in base else f"https://{base}"
    if settings.get("apiKeyEnvar"):
        spec["api_key_env"] = settings["apiKeyEnvar"]
    params = {key: settings[key] for key in PARAM_KEYS if key in settings}
    if params:
        spec["params"] = params
    for key in settings:
        if key not in (*PARAM_KEYS, "apiBaseUrl", "apiHost", "apiKeyEnvar"):
            reason = "an API key is never copied into a library; use apiKeyEnvar" if key == "apiKey" else "provider setting"
            config.note((*loc, "config", key), f"`{key}`: {reason}")
    if not spec:
        return model
    return {key: value for key, value in (("id", spec.pop("id", None)), ("model", model), *spec.items()) if value is not None}


def _variant(prompt: PromptSource) -> dict[str, Any]:
    roles = [role for role, _ in prompt.messages]
    if roles == ["user"]:
        return {"user": prompt.messages[0][1]}
    if roles == ["system", "user"]:
        return {"system": prompt.messages[0][1], "user": prompt.messages[1][1]}
    return {"messages": [{"role": role, "content": text} for role, text in prompt.messages]}


@dataclass
class _Group:
    """Tests whose own assertions have the same kinds: one experiment."""

    checks: list[CheckDict]
    cases: list[CaseSpec] = field(default_factory=list)


def _slot(index: int) -> str:
    return "expected" if index == 0 else f"expected_{index + 1}"


def _test_checks(test: TestSource, case_vars: dict[str, Any], config: PromptfooConfig) -> tuple[list[CheckDict], list[str]]:
    """The test's own checks with their text values moved into slots, and the slot values."""
    from jinja2 import TemplateError

    from scaffold.render import render_string

    checks: list[CheckDict] = []
    values: list[str] = []
    for assertion, where in test.asserts:
        mapped = map_assertion(assertion)
        if mapped.reason:
            config.note(where, mapped.reason)
        for check in mapped.checks:
            key = value_key(check)
            if key is None:
                checks.append(check)
                continue
            try:
                value = render_string(str(check[key]), case_vars)
            except TemplateError as error:
                config.note(where, f"assertion value does not render with the test's vars: {error}")
                continue
            checks.append({**check, key: f"{{{{ {_slot(len(values))} }}}}"})
            values.append(value)
    return checks, values


def _groups(config: PromptfooConfig) -> tuple[list[CheckDict], list[_Group]]:
    default_vars, default_asserts = config.default_test()
    default_checks: list[CheckDict] = []
    for assertion, where in default_asserts:
        mapped = map_assertion(assertion)
        if mapped.reason:
            config.note(where, mapped.reason)
        default_checks.extend(mapped.checks)
    groups: dict[str, _Group] = {}
    for test in config.tests():
        case_vars = {**default_vars, **test.vars}
        checks, values = _test_checks(test, case_vars, config)
        extra = {_slot(index): value for index, value in enumerate(values) if index > 0}
        case = CaseSpec(vars={**case_vars, **extra}, expected=values[0] if values else None)
        signature = json.dumps(checks, sort_keys=True)
        groups.setdefault(signature, _Group(checks)).cases.append(case)
    return default_checks, list(groups.values())


class _LiteralDumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, so prompts read as they were written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and not value.endswith(" ") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _text)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


def import_promptfoo(config_path: Path, out_dir: Path, *, redact: bool, added: str) -> PromptfooImport:
    """Write the library of the promptfoo config at `config_path` into `out_dir` (see the module docstring)."""
    config = PromptfooConfig(config_path)
    result = PromptfooImport(library_name(config_path))
    result.notes, result.problems = config.notes, config.problems
    if result.problems:  # not YAML, or not a mapping: nothing else to read
        return result
    prompts = config.prompts()
    models = [provider_model(entry, config, loc) for entry, loc in config.providers()]
    default_checks, groups = _groups(config)
    if result.problems:
        return result
    if not prompts:
        result.problems.append(Problem(config.at(("prompts",)), "no prompt could be carried over"))
        return result
    name = result.name
    variants = {prompt.name: _variant(prompt) for prompt in prompts}
    prompt_file = {"description": str(config.data.get("description") or ""),
                   "variants": redact_value(variants) if redact else variants}
    result.written.append(_write(out_dir / "prompts" / f"{name}.yaml", _dump(prompt_file)))
    carried = [model for model in models if model is not None]
    if not carried:
        config.note(("providers",), "no provider: the experiment runs on the default model, local/smollm2")
    options = config.data.get("evaluateOptions") or {}
    for index, group in enumerate(groups):
        experiment_name = name if index == 0 else f"{name}_{index + 1}"
        experiment: dict[str, Any] = {
            "description": str(config.data.get("description") or f"Imported from {config_path.name}"),
            "variants": [f"{name}:{prompt.name}" for prompt in prompts],
        }
        if carried:
            experiment["models"] = carried
        experiment["cases"] = f"data/{experiment_name}.jsonl"
        experiment["checks"] = default_checks + group.checks
        if not experiment["checks"]:
            message = f"experiments/{experiment_name}.yaml has no checks: its tests assert nothing verifiable"
            result.notes.append(Problem(config.at(("tests",)), message))
        if isinstance(options.get("repeat"), int) and options["repeat"] > 1:
            experiment["repeats"] = options["repeat"]
        if isinstance(options.get("maxConcurrency"), int):
            experiment["concurrency"] = options["maxConcurrency"]
        written = write_case_file(out_dir / "data" / f"{experiment_name}.jsonl", prepare(group.cases, redact=redact, added=added))
        result.cases.append(written)
        result.problems.extend(written.problems)
        result.written.append(_write(out_dir / "experiments" / f"{experiment_name}.yaml", _dump(experiment)))
    if len(groups) > 1:
        message = f"tests assert in {len(groups)} different ways: one experiment each ({name}, {name}_2, ...)"
        result.notes.append(Problem(config.at(("tests",)), message))
    return result


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
