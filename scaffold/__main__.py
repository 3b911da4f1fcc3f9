"""`python -m scaffold`."""

import sys

from scaffold.cli.main import main

sys.exit(main())
