"""The HTML report: one self-contained file (inline CSS, no scripts, no external assets) with
the summary table, each comparison with its prompt diff and flipped cases, and the gates."""

from __future__ import annotations

from html import escape

from scaffold.engine.summary import GroupSummary
from scaffold import text_format as text
from scaffold.report.data import ComparedPair, RunReport
from scaffold.registry import registers

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1d2330; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #dde1e8; padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child, table.flips td { text-align: left; }
code, pre { font: 12.5px ui-monospace, monospace; }
pre { background: #f5f6f8; padding: .6rem; overflow-x: auto; }
.better { color: #16794a; font-weight: 600; } .worse { color: #b42318; font-weight: 600; }
.unsure { color: #8a6100; } .meta { color: #5b6473; }
.add { color: #16794a; } .del { color: #b42318; } .hunk { color: #2a6db0; }
section.comparison { border-top: 2px solid #dde1e8; }
"""


def _row(cells: list[str], header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in cells) + "</tr>"


def _table(header: list[str], rows: list[list[str]], css: str = "") -> str:
    """A table of already-escaped cells."""
    opening = f'<table class="{css}">' if css else "<table>"
    return opening + _row(header, header=True) + "".join(_row(row) for row in rows) + "</table>"


def _summary(groups: list[GroupSummary]) -> str:
    header = ["variant", "scaffold", "model", "n", "pass rate", "95% CI", "errors",
              "tokens/cell", "tokens/pass", "cost", "p50"]
    rows = [
        [f"<code>{escape(group.variant)}</code>", escape(group.scaffold), escape(group.model), str(group.n),
         text.percent(group.pass_rate), text.wilson(group.ci95), str(group.errors),
         text.number(group.mean_tokens_per_cell), text.number(group.tokens_per_pass),
         escape(text.cost(group.cost_usd)), text.seconds(group.latency_p50)]
        for group in groups
    ]
    return _table(header, rows)


def _diff_html(diff: str) -> str:
    classes = {"+++": "meta", "---": "meta", "@@": "hunk", "+": "add", "-": "del"}
    lines = []
    for line in diff.splitlines():
        css = next((name for prefix, name in classes.items() if line.startswith(prefix)), "")
        lines.append(f'<span class="{css}">{escape(line)}</span>' if css else escape(line))
    return "<pre>" + "\n".join(lines) + "</pre>"


def _comparison(pair: ComparedPair) -> str:
    c = pair.comparison
    tone = "unsure" if not c.significant or not c.delta else ("better" if c.delta > 0 else "worse")
    p_value = f"p={text.format_p(c.p_value)}" + (
        f" (Holm {text.format_p(c.p_value_holm)})" if c.p_value_holm is not None else ""
    )
    change = f'<span class="{tone}">{text.points(c.delta)}</span> {text.points_interval(c.ci95)} {p_value}'
    rows = [[label, escape(a), escape(b), change] for label, a, b, change in text.comparison_rows(c, change)]
    a_label, b_label, _ = text.pair_labels(c)
    parts = [
        '<section class="comparison">',
        f"<h3>{escape(text.pair_title(c))}</h3>",
        f'<p class="meta">{c.paired_n} paired cases · fixed {len(c.b_only)} · broke {len(c.a_only)}</p>',
        _table(["", f"a: {escape(a_label)}", f"b: {escape(b_label)}", "change"], rows),
        f'<p><strong>Verdict:</strong> <span class="{tone}">{escape(c.verdict)}</span></p>',
    ]
    if pair.prompt_diff:
        parts.append("<h4>Prompt diff</h4>" + _diff_html(pair.prompt_diff))
    if pair.flips:
        flips = [
            ["✓ fixed" if flip.better == "b" else "✗ broke", f"<code>{escape(flip.case_id)}</code>",
             escape(text.snippet(flip.example_a.output if flip.example_a else None, 80)),
             escape(text.snippet(flip.example_b.output if flip.example_b else None, 80))]
            for flip in pair.flips
        ]
        parts.append("<h4>Flipped cases</h4>" + _table(["", "case", "a's output", "b's output"], flips, css="flips"))
    parts.append("</section>")
    return "\n".join(parts)


@registers("report", "html")
def render(report: RunReport) -> str:
    """The report as one HTML document."""
    run, summary = report.run, report.summary
    title = f"scaffold · {run.experiment} · run {run.run_id}"
    git = run.manifest.get("git") or {}
    commit = f" · git {git['commit'][:7]}{' (dirty)' if git.get('dirty') else ''}" if git.get("commit") else ""
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(str(run.manifest.get("status", "unknown")))} · {summary.total} cells: '
        f"{summary.passed} passed, {summary.failed} failed, {summary.errors} errors{escape(commit)}</p>",
        "<h2>Summary</h2>",
        _summary(summary.groups),
    ]
    if report.comparisons:
        body += ["<h2>Comparisons</h2>", *(_comparison(pair) for pair in report.comparisons)]
    if report.gates:
        gates = [
            [f'<span class="{"better" if gate.ok else "worse"}">{"ok" if gate.ok else "FAIL"}</span>',
             f"<code>{escape(gate.gate)}</code>", escape(gate.detail)]
            for gate in report.gates
        ]
        body += ["<h2>Gates</h2>", _table(["", "gate", "detail"], gates)]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
