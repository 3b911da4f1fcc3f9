"""Every report format over the same data: a run of three prompts with known flips and gates."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ElementTree

import pytest

from scaffold.cells import CellKey, CellResult
from scaffold.compare.selection import StoredRun
from scaffold.registry import REGISTRY
from scaffold.report import RunReport, build_report, render_report
from tests.compare.runs import PLAIN_WRONG, TERSE_WRONG


@pytest.fixture(scope="module")
def report(variants_run: StoredRun) -> RunReport:
    return build_report(variants_run)


def test_the_report_holds_the_default_comparisons_and_evaluated_gates(report: RunReport) -> None:
    pairs = [(pair.comparison.a.variant, pair.comparison.b.variant) for pair in report.comparisons]
    assert pairs == [("arith:plain", "arith:xml"), ("arith:plain", "arith:terse")]
    assert all(pair.comparison.p_value_holm is not None for pair in report.comparisons)
    assert [(gate.gate, gate.ok) for gate in report.gates] == [
        ("arith:xml pass_rate >= 0.9", True),
        ("arith:plain -> arith:terse pass_rate drop <= 0", False),
    ]
    assert not report.gates_ok


def test_markdown_has_the_summary_each_comparison_its_verdict_and_the_gates(report: RunReport) -> None:
    markdown = render_report(report, "md")
    assert markdown.startswith(f"## scaffold · variants · run `{report.run.run_id}`")
    assert "| `arith:plain` | single | test | 9 | 66.7% |" in markdown
    assert "| `arith:xml` | single | test | 9 | 100.0% |" in markdown
    for pair in report.comparisons:
        assert f"> **Verdict:** {pair.comparison.verdict}" in markdown
    assert "#### arith:plain → arith:xml · single · test" in markdown
    assert "Flipped: fixed 3 (`c3`, `c6`, `c9`) · broke 0" in markdown
    assert "-user: What is 1 + 10?" in markdown and "```diff" in markdown
    assert "| ✅ | `arith:xml pass_rate >= 0.9` |" in markdown
    assert "| ❌ | `arith:plain -> arith:terse pass_rate drop <= 0` |" in markdown


def test_json_is_the_run_summary_with_comparisons_in_the_diff_shape_and_gates(report: RunReport) -> None:
    data = json.loads(render_report(report, "json"))
    assert data["cells"] == {"total": 27, "passed": 20, "failed": 7, "errors": 0}
    assert [group["variant"] for group in data["groups"]] == ["arith:plain", "arith:xml", "arith:terse"]
    first = data["comparisons"][0]
    assert first["flips"] == {"b_only": PLAIN_WRONG, "a_only": []}
    assert first["pass_rate"]["p_value_holm"] == pytest.approx(report.comparisons[0].comparison.p_value_holm, abs=1e-6)
    assert first["prompt_diff"] == report.comparisons[0].prompt_diff
    assert [gate["ok"] for gate in data["gates"]] == [True, False]


def _with_an_error(run: StoredRun) -> StoredRun:
    errored = CellResult(CellKey("arith:xml", "single", "test", "c10", 0), "error", None, None,
                         error="HTTP 503 after 6 attempts", error_type="retryable")
    return dataclasses.replace(run, results=(*run.results, errored))


def test_junit_has_one_case_per_cell_failures_with_check_reasons_and_errors(variants_run: StoredRun) -> None:
    document = render_report(build_report(_with_an_error(variants_run)), "junit")
    suites = ElementTree.fromstring(document.split("\n", 1)[1])
    cases = suites.findall("./testsuite/testcase")
    assert len(cases) == 28
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("28", "7", "1")
    failed = {(case.get("classname"), case.get("name")) for case in cases if case.find("failure") is not None}
    expected = {("arith:plain/single/test", f"{case}#0") for case in PLAIN_WRONG}
    expected |= {("arith:terse/single/test", f"{case}#0") for case in TERSE_WRONG}
    assert failed == expected
    c3 = next(case for case in cases if case.get("name") == "c3#0" and case.get("classname").startswith("arith:plain"))
    assert 'expected "33" in output' in c3.find("failure").get("message")
    assert '"The answer is 34."' in c3.find("failure").text
    [error] = [case.find("error") for case in cases if case.find("error") is not None]
    assert error.get("message") == "HTTP 503 after 6 attempts" and error.get("type") == "retryable"
    suite_failures = {suite.get("name"): suite.get("failures") for suite in suites.findall("testsuite")}
    assert suite_failures == {"arith:plain/single/test": "3", "arith:xml/single/test": "0", "arith:terse/single/test": "4"}


def test_junit_survives_control_characters_in_an_output(variants_run: StoredRun) -> None:
    [first] = [r for r in variants_run.results if r.key.case_id == "c3" and r.key.variant == "arith:plain"]
    garbled = dataclasses.replace(first, output="The answer\x00 is\x1b 34.")
    run = dataclasses.replace(variants_run, results=(garbled,))
    document = render_report(build_report(run), "junit")
    failure = ElementTree.fromstring(document.split("\n", 1)[1]).find(".//failure")
    assert "The answer\ufffd is\ufffd 34." in failure.text


def test_html_is_one_self_contained_file_with_summary_comparisons_and_flips(report: RunReport) -> None:
    page = render_report(report, "html")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert not re.search(r"https?://|<link|<script|<img|@import|url\(", page)
    assert "<h2>Summary</h2>" in page and "<h2>Comparisons</h2>" in page and "<h2>Gates</h2>" in page
    assert "<h3>arith:plain → arith:xml · single · test</h3>" in page
    assert "<code>c6</code>" in page and "&quot;The answer is 67.&quot;" in page
    assert "&lt;task&gt;Add the numbers.&lt;/task&gt;" in page
    assert "<task>" not in page


def test_every_format_renders_a_scaffold_comparison_with_turns(scaffolds_run: StoredRun) -> None:
    report = build_report(scaffolds_run)
    rendered = {name: render_report(report, name) for name in REGISTRY.builtins("report")}
    assert "| turns/cell | 1.00 | 2.00 |" in rendered["md"]
    assert "<td>tool calls/cell</td><td>0.00</td><td>2.00</td>" in rendered["html"]
    assert json.loads(rendered["json"])["comparisons"][0]["turns"] == {"a_per_cell": 1.0, "b_per_cell": 2.0}
    assert ElementTree.fromstring(rendered["junit"].split("\n", 1)[1]).get("failures") == "3"
