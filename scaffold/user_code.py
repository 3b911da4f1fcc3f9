"""Importing the user's own Python (`python` checks and scaffolds, user tools) from the library folder.

A hook is named `module:function`; `module` is imported with the library folder first on
`sys.path` (added once), so `hooks.py` next to `prompts/` is `hooks:function` and
`agents/solver.py` is `agents.solver:function`. Each (folder, name) is imported once per
process, failures included, so a broken module is reported on every cell without being
re-executed each time. Modules are cached by Python under their dotted name: two libraries
in one process cannot both have a module called `hooks`.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any, Callable

UserFunction = Callable[..., Any]


class UserCodeError(Exception):
    """A `module:function` reference that cannot be imported or used; the message says why."""


_loaded: dict[tuple[Path, str], UserFunction | UserCodeError] = {}
"""Imported functions, or why they could not be imported, by (library folder, reference)."""


def _put_on_path(root: Path) -> None:
    folder = str(root.resolve())
    if folder not in sys.path:
        sys.path.insert(0, folder)


def _import(root: Path, ref: str) -> UserFunction:
    module_name, separator, function_name = ref.partition(":")
    if not separator or not module_name or not function_name:
        raise UserCodeError(f"'{ref}' is not a reference of the form module:function")
    _put_on_path(root)
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # the user's module may fail in any way while importing
        raise UserCodeError(f"cannot import {ref}: {type(error).__name__}: {error}") from error
    function = getattr(module, function_name, None)
    if function is None:
        raise UserCodeError(
            f"cannot import {ref}: AttributeError: module '{module_name}' has no attribute '{function_name}'"
        )
    if not callable(function):
        raise UserCodeError(f"cannot import {ref}: TypeError: {function_name} is not a function")
    return function


def load_function(root: Path, ref: str) -> UserFunction:
    """The callable `module:function` from the library at `root`, imported once.

    Raises UserCodeError naming the reference and the cause when it cannot be loaded."""
    key = (root.resolve(), ref)
    if key not in _loaded:
        try:
            _loaded[key] = _import(root, ref)
        except UserCodeError as error:
            _loaded[key] = error
    loaded = _loaded[key]
    if isinstance(loaded, UserCodeError):
        raise UserCodeError(str(loaded))
    return loaded
