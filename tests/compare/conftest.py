"""The stored runs every compare test reads (see runs.py)."""

from tests.compare.runs import arith_server, library, scaffolds_run, variants_run

__all__ = ["arith_server", "library", "scaffolds_run", "variants_run"]
