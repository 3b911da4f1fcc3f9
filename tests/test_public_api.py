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
