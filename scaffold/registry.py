"""One registry for everything a library names by a bare word: check types, scaffold kinds,
tools, case generators and report formats (see docs/plugins.md).

A built-in registers where it is defined, with `register(KIND, NAME, target)` at the bottom
of its module (or `@registers(KIND, NAME)` on it); the modules of a kind's package are found
by discovery (`pkgutil`), never by a hand-written list, the first time that kind is looked
up. Installed packages add names through the entry point groups in `ENTRY_POINT_GROUPS`;
their metadata is read only when a name misses among the built-ins or when every name is
listed, and a plugin module is imported only when its name is used, so startup stays fast.

Nothing here imports the rest of scaffold: the spec layer, the engine and the shells all
look things up here, and each kind's package fills it.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, TypeVar

Kind = Literal["check", "scaffold", "tool", "generator", "report"]
"""What a registered name is."""

KINDS: tuple[Kind, ...] = ("check", "scaffold", "tool", "generator", "report")

BUILTIN_PACKAGES: dict[Kind, str] = {
    "check": "scaffold.checks",
    "scaffold": "scaffold.scaffolds",
    "tool": "scaffold.scaffolds.tools",
    "generator": "scaffold.generators",
    "report": "scaffold.report",
}
"""The package whose modules register each kind's built-ins."""

ENTRY_POINT_GROUPS: dict[Kind, str] = {
    "check": "scaffold.checks",
    "scaffold": "scaffold.scaffolds",
    "tool": "scaffold.tools",
    "generator": "scaffold.generators",
    "report": "scaffold.reports",
}
"""The entry point group through which an installed package adds names of each kind (DESIGN 8)."""

NOUNS: dict[Kind, str] = {
    "check": "check type",
    "scaffold": "scaffold kind",
    "tool": "tool",
    "generator": "generator",
    "report": "report format",
}
"""How messages name each kind."""

BUILTIN = "builtin"


class PluginError(Exception):
    """A plugin that cannot be used: it fails to import, or its name shadows a built-in.
    The message is one line naming the package."""


@dataclass
class Entry:
    """One registered name."""

    kind: Kind
    name: str
    target: Any
    """The thing itself, or `module:attribute` to import when it is first used."""
    source: str = BUILTIN
    """`builtin`, or the plugin's `PACKAGE==VERSION`."""
    spec: Any = None
    """For a check or scaffold kind, the pydantic model of its YAML (None for plugins, which
    all share the generic plugin spec)."""
    _loaded: Any = field(default=None, repr=False)

    @property
    def is_plugin(self) -> bool:
        """Whether an installed package, not scaffold, registered this name."""
        return self.source != BUILTIN

    def load(self) -> Any:
        """The registered object, imported on first use. Raises PluginError for a plugin
        that cannot be imported (one line naming its package)."""
        if self._loaded is None:
            if not isinstance(self.target, str):
                self._loaded = self.target
            else:
                try:
                    self._loaded = import_target(self.target)
                except Exception as error:  # a plugin's module may fail in any way while importing
                    if not self.is_plugin:
                        raise
                    raise PluginError(
                        f"{NOUNS[self.kind]} '{self.name}' from {self.source} cannot be loaded "
                        f"({self.target}): {type(error).__name__}: {error}"
                    ) from None
        return self._loaded


def import_target(target: str) -> Any:
    """The attribute `module:attribute` names, importing the module."""
    module_name, _, attribute = target.partition(":")
    value: Any = importlib.import_module(module_name)
    for part in attribute.split(".") if attribute else ():
        value = getattr(value, part)
    return value


class Registry:
    """Names of every kind: the built-ins, then (read on demand) the installed plugins."""

    def __init__(self) -> None:
        self._builtins: dict[Kind, dict[str, Entry]] = {kind: {} for kind in KINDS}
        self._entry_points: Any = None
        """Every installed entry point, read once per process when a plugin is first looked for."""
        self._plugins: dict[Kind, dict[str, Entry]] = {}
        self._discovered: set[Kind] = set()
        self.plugin_problems: list[str] = []
        """One line per installed plugin that cannot be registered (e.g. it shadows a built-in)."""

    def register(self, kind: Kind, name: str, target: Any, *, spec: Any = None) -> Entry:
        """Register a built-in `name` of `kind`; `target` is the object or `module:attribute`."""
        entry = Entry(kind, name, target, BUILTIN, spec)
        known = self._builtins[kind].get(name)
        if known is not None and known.target is not target and known.target != target:
            raise ValueError(f"built-in {NOUNS[kind]} '{name}' is registered twice")
        self._builtins[kind][name] = entry
        return entry

    def discover(self, kind: Kind) -> None:
        """Import every module of `kind`'s built-in package once, so each registers itself."""
        if kind in self._discovered:
            return
        self._discovered.add(kind)
        package = importlib.import_module(BUILTIN_PACKAGES[kind])
        for module in pkgutil.iter_modules(package.__path__):
            if not module.ispkg:
                importlib.import_module(f"{package.__name__}.{module.name}")

    def builtins(self, kind: Kind) -> dict[str, Entry]:
        """The built-in names of `kind`, discovered on first use."""
        self.discover(kind)
        return self._builtins[kind]

    def plugins(self, kind: Kind) -> dict[str, Entry]:
        """The names installed packages add to `kind` (entry points are read once per process;
        only `kind`'s built-ins are discovered to check that no plugin shadows one)."""
        if kind not in self._plugins:
            self._plugins[kind] = self._read_plugins(kind)
        return self._plugins[kind]

    @property
    def plugins_read(self) -> bool:
        """Whether the installed packages' entry points have been read in this process."""
        return self._entry_points is not None

    def get(self, kind: Kind, name: str) -> Entry | None:
        """The entry registered as `name`: a built-in, else a plugin, else None."""
        entry = self.builtins(kind).get(name)
        return entry if entry is not None else self.plugins(kind).get(name)

    def load(self, kind: Kind, name: str) -> Any:
        """The object registered as `name`, imported on first use. Raises PluginError (one
        line) when no one registered it or its plugin cannot be imported."""
        entry = self.get(kind, name)
        if entry is None:
            raise PluginError(f"no built-in or installed plugin adds {NOUNS[kind]} '{name}'")
        return entry.load()

    def names(self, kind: Kind) -> list[str]:
        """Every name of `kind`, built-ins first; for did-you-mean hints and listings."""
        return [*self.builtins(kind), *self.plugins(kind)]

    def entries(self) -> list[Entry]:
        """Every registered entry, kind by kind, built-ins then plugins, each by name."""
        found: list[Entry] = []
        for kind in KINDS:
            found.extend(sorted(self.builtins(kind).values(), key=lambda entry: entry.name))
            found.extend(sorted(self.plugins(kind).values(), key=lambda entry: entry.name))
        return found

    def _read_plugins(self, kind: Kind) -> dict[str, Entry]:
        if self._entry_points is None:
            from importlib.metadata import entry_points

            self._entry_points = entry_points()
        builtins = self.builtins(kind)
        plugins: dict[str, Entry] = {}
        for point in sorted(self._entry_points.select(group=ENTRY_POINT_GROUPS[kind]), key=lambda point: point.name):
            dist = point.dist
            source = f"{dist.name}=={dist.version}" if dist is not None else f"entry point {point.value}"
            if point.name in builtins:
                self.plugin_problems.append(
                    f"plugin {source} may not shadow the built-in {NOUNS[kind]} '{point.name}': ignored"
                )
                continue
            if point.name in plugins:
                other = plugins[point.name].source
                self.plugin_problems.append(
                    f"plugin {source} adds {NOUNS[kind]} '{point.name}', which {other} adds too: ignored"
                )
                continue
            plugins[point.name] = Entry(kind, point.name, point.value, source)
        return plugins


REGISTRY = Registry()
"""The process's registry."""

T = TypeVar("T")


def register(kind: Kind, name: str, target: Any, *, spec: Any = None) -> Entry:
    """Register a built-in in the process's registry (see `Registry.register`)."""
    return REGISTRY.register(kind, name, target, spec=spec)


def registers(kind: Kind, name: str, *, spec: Any = None) -> Callable[[T], T]:
    """Decorator form of `register`: `@registers("report", "md")` above the function."""

    def decorate(target: T) -> T:
        REGISTRY.register(kind, name, target, spec=spec)
        return target

    return decorate
