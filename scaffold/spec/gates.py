"""The `gates:` of an experiment (DESIGN 1.2): conditions CI enforces on a finished run.

Apart from the rest of the experiment's shape so that reading a stored run's gates
(`scaffold report`, `scaffold diff`) does not build every check and scaffold model.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, TypeAdapter, model_validator

from scaffold.spec.base import Strict

Metric = Literal["pass_rate", "tokens_per_cell", "tokens_per_pass", "cost_usd", "errors", "latency_p50"]


class GateBase(Strict):
    """What every gate takes: the metric, and optionally one model or scaffold to look at."""

    metric: Metric = "pass_rate"
    model: str | None = None
    """Only this model's groups (by id); every model when unset."""
    scaffold: str | None = None
    """Only this scaffold's groups (by ref); every scaffold when unset."""


class VariantGate(GateBase):
    """Bounds one metric of every group of one variant."""

    variant: str
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounded(self) -> "VariantGate":
        if self.min is None and self.max is None:
            raise ValueError("a `variant` gate needs `min` or `max`")
        return self

    def variant_refs(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Each variant the gate names, with its key path inside the gate's mapping."""
        return [(("variant",), self.variant)]


class CompareGate(GateBase):
    """Bounds how much worse B may be than A on the cases both graded."""

    compare: tuple[str, str]
    """`[A, B]`: the variant refs, A the reference."""
    max_drop: float | None = Field(None, ge=0)
    """For `pass_rate` A's rate minus B's; for the other metrics B's relative increase (0.1 = 10%)."""
    significant: bool = False
    """Fail only when the drop is larger than `max_drop` *and* significant."""

    @model_validator(mode="after")
    def _bounded(self) -> "CompareGate":
        if self.max_drop is None:
            raise ValueError("a `compare` gate needs `max_drop`")
        return self

    def variant_refs(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Each variant the gate names, with its key path inside the gate's mapping."""
        return [(("compare", index), ref) for index, ref in enumerate(self.compare)]


def _gate_kind(data: Any) -> str | None:
    """Which kind of gate a YAML mapping is, by the key that names its subject."""
    if isinstance(data, GateBase):
        return type(data).__name__
    if not isinstance(data, dict):
        return VariantGate.__name__  # it fails there as "expected a mapping"
    kinds = [kind.__name__ for kind, key in _GATE_SUBJECTS if data.get(key) is not None]
    return kinds[0] if len(kinds) == 1 else None


_GATE_SUBJECTS: tuple[tuple[type[GateBase], str], ...] = ((VariantGate, "variant"), (CompareGate, "compare"))
"""Each kind of gate and the key that names its subject."""


Gate = Annotated[
    Union[Annotated[VariantGate, Tag("VariantGate")], Annotated[CompareGate, Tag("CompareGate")]],
    Discriminator(
        _gate_kind, custom_error_type="gate_kind", custom_error_message="a gate names either `variant` or `compare`"
    ),
]
"""A condition CI enforces: on one variant's metric, or on a drop from one variant to another."""


def parse_gate(data: Any) -> VariantGate | CompareGate:
    """A gate from its mapping as run.json stores it; raises ValidationError.

    run.json files written before gates had kinds carry `significant: false` on variant
    gates too; that key meant nothing there and is dropped."""
    if isinstance(data, dict) and "variant" in data and data.get("significant") is False:
        data = {key: value for key, value in data.items() if key != "significant"}
    return _GATE_ADAPTER.validate_python(data)


_GATE_ADAPTER: TypeAdapter[VariantGate | CompareGate] = TypeAdapter(Gate)
