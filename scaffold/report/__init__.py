"""Reports of a stored run: one renderer per format over the same data (`RunReport`).

`render_report(report, "md")` gives the text of the Markdown report; likewise `json`,
`junit` and `html`. Renderers are imported when used.
"""

from __future__ import annotations

import importlib

from scaffold.report.data import ComparedPair, RunReport, build_report

FORMATS: dict[str, str] = {
    "md": "scaffold.report.md",
    "json": "scaffold.report.json",
    "junit": "scaffold.report.junit",
    "html": "scaffold.report.html",
}
"""Each format and the module whose `render(report) -> str` writes it."""


def render_report(report: RunReport, format_name: str) -> str:
    """The report in one of FORMATS."""
    return str(importlib.import_module(FORMATS[format_name]).render(report))


__all__ = ["FORMATS", "ComparedPair", "RunReport", "build_report", "render_report"]
