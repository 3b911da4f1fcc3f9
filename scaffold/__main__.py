"""`python -m scaffold`."""

from scaffold.cli.main import entry

entry()
