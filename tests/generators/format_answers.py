"""Answers written to follow format constraints, built without the grader's rules."""

from __future__ import annotations

import json
from typing import Any


def compliant_output(constraints: list[dict[str, Any]]) -> str:
    """An answer written to follow every constraint, built without the grader's rules."""
    by_type = {constraint["type"]: constraint for constraint in constraints}
    keyword = by_type.get("keyword", {}).get("keyword", "")
    if "json_keys" in by_type:
        return json.dumps({key: f"a short note {keyword}".strip() for key in by_type["json_keys"]["keys"]})
    count = by_type.get("bullets", {}).get("count", 0)
    lines = [f"* point number {index} {keyword}".rstrip() for index in range(count)] or [f"a short note {keyword}"]
    if "ends_with" in by_type:
        lines.append(by_type["ends_with"]["phrase"])
    return "\n".join(lines)
