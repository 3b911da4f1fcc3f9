"""Reports of a stored run: one renderer per format over the same data (`RunReport`).

`render_report(report, "md")` gives the text of the Markdown report; likewise `json`,
`junit`, `html` and any format an installed package adds (`scaffold.reports`). Each
format's module registers its `render(report) -> str` with `@registers("report", NAME)`.
"""

from __future__ import annotations

from scaffold.registry import REGISTRY
from scaffold.report.data import ComparedPair, RunReport, build_report


def report_formats() -> list[str]:
    """Every format `render_report` knows: the built-ins, then the installed plugins'."""
    return REGISTRY.names("report")


def render_report(report: RunReport, format_name: str) -> str:
    """The report in one of `report_formats()`; KeyError for another name, PluginError for a
    plugin format that cannot be imported."""
    entry = REGISTRY.get("report", format_name)
    if entry is None:
        raise KeyError(format_name)
    return str(entry.load()(report))


__all__ = ["ComparedPair", "RunReport", "build_report", "render_report", "report_formats"]
