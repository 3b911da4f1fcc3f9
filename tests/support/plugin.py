"""The test plugin package (tests/fixtures/plugin_pkg) must be installed for the plugin tests."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import pytest

PLUGIN_DISTRIBUTION = "scaffold-test-plugin"


def require_test_plugin() -> None:
    """Fail with the command to run when the test plugin is not installed (`.ci/run` installs it)."""
    try:
        version(PLUGIN_DISTRIBUTION)
    except PackageNotFoundError:
        pytest.fail(
            f"{PLUGIN_DISTRIBUTION} is not installed: run `.venv/bin/pip install ./tests/fixtures/plugin_pkg` "
            "(as .ci/run does)",
            pytrace=False,
        )
