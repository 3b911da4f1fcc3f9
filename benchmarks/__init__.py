"""The speed benchmark (issue 8): `.venv/bin/python -m benchmarks.run`; not collected by pytest."""
