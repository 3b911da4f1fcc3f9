"""The JUnit XML report, for CI test views: one test case per cell, one suite per group.

A cell's classname is its group (`variant/scaffold/model`) and its name `case_id#repeat`;
a failed cell carries the reasons of the checks it failed, an errored cell (a provider
failure, neither pass nor fail) is an `<error>`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import Counter

from scaffold.cells import CellResult, GroupKey
from scaffold.report.data import RunReport
from scaffold.text_format import snippet
from scaffold.registry import registers

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot hold (a model's output may have them)."""
    return _NOT_XML.sub("\ufffd", value)


def _testcase(result: CellResult, classname: str) -> ElementTree.Element:
    case = ElementTree.Element(
        "testcase",
        classname=classname,
        name=_xml_text(f"{result.key.case_id}#{result.key.repeat}"),
        time=f"{result.latency_s:.3f}",
    )
    if result.status == "failed":
        failed = [check for check in result.checks if not check.passed and check.weight > 0] or [
            check for check in result.checks if not check.passed
        ]
        message = "; ".join(f"{check.name}: {check.reason}" for check in failed) or "below the threshold"
        failure = ElementTree.SubElement(case, "failure", message=_xml_text(message), type="check")
        details = [f"output: {snippet(result.output, 400)}"]
        details += [f"{'pass' if check.passed else 'FAIL'} {check.name}: {check.reason}" for check in result.checks]
        failure.text = _xml_text("\n".join(details))
    elif result.status == "error":
        message = _xml_text(result.error or "error")
        error = ElementTree.SubElement(case, "error", message=message, type=result.error_type or "error")
        error.text = message
    return case


@registers("report", "junit")
def render(report: RunReport) -> str:
    """The report as a JUnit XML document."""
    run = report.run
    by_group: dict[GroupKey, list[CellResult]] = {}
    for result in run.results:
        by_group.setdefault(result.key.group, []).append(result)
    statuses = Counter(result.status for result in run.results)
    suites = ElementTree.Element(
        "testsuites",
        name=f"scaffold {run.experiment} {run.run_id}",
        tests=str(len(run.results)),
        failures=str(statuses["failed"]),
        errors=str(statuses["error"]),
        time=f"{sum(result.latency_s for result in run.results):.3f}",
    )
    for group, results in by_group.items():
        classname = "/".join(group)
        counts = Counter(result.status for result in results)
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=classname,
            tests=str(len(results)),
            failures=str(counts["failed"]),
            errors=str(counts["error"]),
            skipped="0",
            time=f"{sum(result.latency_s for result in results):.3f}",
        )
        suite.extend(_testcase(result, classname) for result in results)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
