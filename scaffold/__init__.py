"""scaffold: A/B test prompts and agent scaffolds.

The public API is re-exported here as it lands; heavy parts load lazily.
"""

from scaffold._version import __version__

__all__ = ["__version__"]
