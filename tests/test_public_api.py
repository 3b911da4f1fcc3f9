import shutil
import subprocess
import sys


def test_public_names_resolve_lazily_without_heavy_imports():
    probe = (
        "import sys, scaffold\n"
        "assert 'scaffold.engine.runner' not in sys.modules\n"
        "for name in scaffold.__all__: getattr(scaffold, name)\n"
        "print(sorted(m for m in ('litellm', 'textual', 'llama_cpp') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_export_is_listed():
    import scaffold

    assert set(scaffold.__all__) == {"__version__", *scaffold._EXPORTS}


def test_the_one_call_api_loads_litellm_only_to_send_a_request(tmp_path):
    """Reading, diffing and refusing bad input send nothing, so they never import litellm."""
    from tests.engine.library import write_library
    from tests.tui.library_copy import FIXTURES

    write_library(tmp_path, "http://127.0.0.1:9/v1")
    shutil.copytree(FIXTURES / "runs", tmp_path / ".scaffold" / "runs")
    probe = (
        "import sys, scaffold\n"
        "record = scaffold.read_run('last'); cells = sum(1 for _ in record.cells())\n"
        "verdicts = [c.verdict for c in scaffold.diff('last')]\n"
        "try:\n"
        "    scaffold.run('arith', limit=0)\n"
        "except scaffold.SpecError as error:\n"
        "    refused = str(error)\n"
        "print(record.manifest.status, cells, len(verdicts), refused)\n"
        "print(sorted(m for m in ('litellm', 'textual', 'llama_cpp') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    summary, heavy = done.stdout.strip().splitlines()
    assert summary.startswith("interrupted ") and summary.endswith("command line: --limit must be at least 1")
    assert heavy == "[]"


def test_the_runner_loads_the_batch_machinery_only_for_batch_cells():
    """Batch mode (its client, ledger and retry policy) is imported when a run has batch
    cells; a live or fully cached run does without it."""
    probe = (
        "import sys, scaffold.engine.runner\n"
        "print(sorted(m for m in ('scaffold.engine.batch', 'scaffold.store.batches', 'tenacity') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
