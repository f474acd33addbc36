"""An assignment's own Python modules as a package: its reference solution (``solution.py``)
and its grader-only helpers (``grading.py``, any other top-level ``*.py`` of the folder).

Hidden tests import them under one fixed name, whatever the assignment::

    from assignment import solution as ref
    from assignment.grading import student_model

The build copies the modules into the bundle (``assignment/<name>.py`` in ``autograder.zip``);
the trusted side makes them importable as ``assignment`` only while it loads and runs that
bundle's tests (``Bundle.modules``), from memory: they are never written where a sandbox could
read them. Modules of one package import each other relatively (``from .solution import X``).

The project's own tests beside ``solution.py`` (``test_<id>.py``) load their folder under a
name of its own with ``own_module(__file__, "solution")``, so every assignment's package can be
loaded in one process.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import linecache
import re
import sys
from pathlib import Path
from types import ModuleType

PACKAGE = "assignment"
"""The name hidden tests import their assignment's modules under."""


def folder_sources(folder: Path) -> dict[str, str]:
    """The modules of an assignment folder, module name -> source: its top-level ``*.py`` files
    except the project's tests (``test_*.py``, ``conftest.py``)."""
    return {
        p.stem: p.read_text()
        for p in sorted(Path(folder).glob("*.py"))
        if not p.name.startswith("test_") and p.name != "conftest.py"
    }


class ModulePackage(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """A package named ``name`` whose submodules are the given sources, imported lazily and
    each executed once (the module objects are kept here, so reinstalling is free).

    ``origin``: the folder (or ``autograder.zip/assignment``) the sources come from; it names
    their files in tracebacks and, for a real folder, lets ``inspect.getsource`` read them.
    """

    def __init__(self, name: str, sources: dict[str, str], origin: str):
        self.name, self.sources, self.origin = name, dict(sources), origin
        package = ModuleType(name, f"{name}: modules from {origin}")
        package.__path__, package.__package__ = [], name
        package.__spec__ = importlib.util.spec_from_loader(name, self, is_package=True)
        self.modules: dict[str, ModuleType] = {name: package}

    def find_spec(self, fullname, path=None, target=None):
        prefix, _, module = fullname.rpartition(".")
        if prefix != self.name or module not in self.sources:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=f"{self.origin}/{module}.py")

    def create_module(self, spec):
        return None

    def exec_module(self, module: ModuleType) -> None:
        source = self.sources[module.__name__.rpartition(".")[2]]
        filename = module.__spec__.origin
        if not Path(filename).is_file():  # from a bundle: register the source for tracebacks
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        module.__file__ = filename
        exec(compile(source, filename, "exec"), module.__dict__)
        self.modules[module.__name__] = module

    @contextlib.contextmanager
    def installed(self):
        """Make the package importable under its name for the duration, restoring whatever
        ``sys.modules`` held under that name before."""
        saved = {k: v for k, v in sys.modules.items() if k == self.name or k.startswith(self.name + ".")}
        for key in saved:
            del sys.modules[key]
        sys.modules.update(self.modules)
        sys.meta_path.insert(0, self)
        try:
            yield self.modules[self.name]
        finally:
            sys.meta_path.remove(self)
            for key in [k for k in sys.modules if k == self.name or k.startswith(self.name + ".")]:
                del sys.modules[key]
            sys.modules.update(saved)


_FOLDERS: dict[Path, ModulePackage] = {}


def load_folder(folder: Path) -> ModuleType:
    """The modules of an assignment folder as a package that stays importable, under a name
    made from the folder's name (``numpy-cnn`` -> ``assignment_numpy_cnn``)."""
    folder = Path(folder).resolve()
    if folder not in _FOLDERS:
        name = f"{PACKAGE}_{re.sub(r'[^0-9A-Za-z_]', '_', folder.name)}"
        if name in sys.modules:  # another folder of that name (a copy under a temp folder)
            name += f"_{len(_FOLDERS)}"
        package = ModulePackage(name, folder_sources(folder), str(folder))
        sys.modules[name] = package.modules[name]
        sys.meta_path.append(package)
        _FOLDERS[folder] = package
    return _FOLDERS[folder].modules[_FOLDERS[folder].name]


def own_module(test_file: str, module: str) -> ModuleType:
    """Module ``module`` of the assignment folder holding ``test_file`` (pass ``__file__``)."""
    package = load_folder(Path(test_file).parent)
    return importlib.import_module(f"{package.__name__}.{module}")
