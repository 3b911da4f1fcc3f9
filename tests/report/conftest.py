"""The stored runs the report tests render (see tests/compare/runs.py)."""

from tests.compare.runs import arith_server, library, scaffolds_run, variants_run

__all__ = ["arith_server", "library", "scaffolds_run", "variants_run"]
