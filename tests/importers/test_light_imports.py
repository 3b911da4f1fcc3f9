"""The import and export commands load only when they run, and never load litellm or textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def loaded_after(code: str, cwd: Path) -> list[str]:
    probe = (
        f"import sys\n{code}\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('litellm', 'textual', 'llama_cpp')"
        " or name.startswith(('scaffold.importers', 'scaffold.export'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True)
    return eval(done.stdout.strip().splitlines()[-1])  # noqa: S307 - a printed list of names


def test_building_the_command_line_loads_neither_importers_nor_exporters(tmp_path):
    assert loaded_after("from scaffold.cli.main import _parser; _parser()", tmp_path) == []


def test_an_import_loads_no_model_client(tmp_path):
    code = f"from scaffold.cli.main import main; main(['import', 'chat-jsonl', {str(FIXTURES / 'chat.jsonl')!r}, '-o', 'c.jsonl'])"
    loaded = loaded_after(code, tmp_path)
    assert "scaffold.importers.chat_jsonl" in loaded
    assert not [name for name in loaded if name.split(".")[0] in ("litellm", "textual", "llama_cpp")]
