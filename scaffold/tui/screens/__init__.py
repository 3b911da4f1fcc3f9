"""One screen per file: library, messages, run_setup, run, results, diff, case, chart."""
