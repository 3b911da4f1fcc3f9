"""The Textual app (DESIGN 5): library, run setup, live run, results, diff, case and chart
screens. `scaffold.tui.app.ScaffoldApp` is the entry point; importing this package loads
nothing heavy (textual loads with `app`, litellm only when a run sends its first call).

The plain modules here (`overview`, `run_view`, `live_run`, `pareto`) hold
the data the screens show and import no textual, so they are tested without an app.
"""
