"""Runs one `scaffold` command in-process and reports which heavy packages it imported.

    python -m benchmarks.probe OUT.json -- run bench --quiet

Writes {"exit": code, "imported": [...]} to OUT.json (stdout belongs to the command). The
benchmark uses it to check that `--help`, `validate` and a fully cached re-run never load
litellm (DESIGN 3 and 7); it is a separate run from the timed one, so the check costs nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HEAVY_PACKAGES = ("litellm", "openai", "httpx", "aiohttp", "textual", "rich", "scipy", "statsmodels", "tenacity")
"""Packages whose import a start-up or a cached run should not pay for."""


def main() -> None:
    out = Path(sys.argv[1])
    argv = sys.argv[3:] if sys.argv[2:3] == ["--"] else sys.argv[2:]
    from scaffold.cli.main import main as scaffold_main

    try:
        code = scaffold_main(argv)
    except SystemExit as exit_:  # argparse exits after --help
        code = exit_.code if isinstance(exit_.code, int) else 0
    imported = sorted(name for name in HEAVY_PACKAGES if name in sys.modules)
    out.write_text(json.dumps({"exit": code, "imported": imported}))


if __name__ == "__main__":
    main()
