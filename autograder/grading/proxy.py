"""The student's namespace as the trusted test code sees it.

A test function asks for names (``def test_relu(relu, np)``); ``StudentNamespace.get``
resolves each one (docs/ARCHITECTURE.md, "The trust boundary"):

- a trusted fixture (``rng``, ``mnist``, ...) -> the grader's own value;
- a module the student imported -> the trusted side's own import of it when its name is
  exactly one of ``TRUSTED_MODULES``; any other module resolves to an ``UntrustedModule``,
  whose use leaves the test not graded, saying why (``StudentNamespace.not_carried``). The trusted side
  never imports a name a submission chose: a module object's ``__name__`` is whatever the
  student set (``types.ModuleType("torch.utils.model_dump.__main__")`` names a submodule that
  calls ``sys.exit`` at import), so only names on the fixed list are ever imported;
- a data value -> a copy of the value;
- a function, class or object -> a ``Remote`` proxy whose calls run in the sandbox.

Otter's ``test_case.call_func(env)`` only calls ``env.get(name)``, so this object is the
``env`` handed to it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

from autograder.grading.session import SandboxSession
from autograder.protocol import Handle

TRUSTED_MODULES = frozenset({
    "numpy", "numpy.linalg", "numpy.random", "math", "random", "statistics",
    "torch", "torch.nn", "torch.nn.functional", "torch.optim", "torch.utils.data",
    "scipy", "pandas", "sklearn",
})
"""Exact module names whose student-side imports resolve to the grader's own import of that
module. Exact names, not prefixes: a prefix rule would import any submodule a student names."""


class Remote:
    """A function, class or object that lives in the sandbox.

    Calling it, or calling a method on it, sends the arguments (data, or other Remotes) to the
    sandbox and returns the result as data or as another Remote. Only public attribute names
    are forwarded: dunder probes such as ``__array_interface__`` never reach student code, so a
    Remote cannot masquerade as an array, a number or a container on the trusted side.
    """

    __slots__ = ("_session", "_handle", "_timeout", "_name")

    def __init__(self, session: SandboxSession, handle: Handle, timeout: float | None = None, name: str | None = None):
        self._session, self._handle, self._timeout, self._name = session, handle, timeout, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._session.running = self._name  # named in a timeout's message
        value = self._session.request(
            "call", timeout=self._timeout, target=self._handle, args=list(unwrap(args)), kwargs=unwrap(kwargs)
        )
        return wrap(self._session, value)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        value = self._session.request("getattr", target=self._handle, attr=attr)
        return wrap(self._session, value, f"{self._name}.{attr}" if self._name else None)

    def __repr__(self) -> str:
        return f"<student's {self._handle.type_name}>"


def with_timeout(remote: Remote, seconds: float) -> Remote:
    """The same Remote, with ``seconds`` as its per-call limit instead of the default.

    Raises TypeError when ``remote`` is not a Remote (for example None, a missing function).
    """
    if not isinstance(remote, Remote):
        raise TypeError(f"expected a student function, got {type(remote).__name__}")
    return Remote(remote._session, remote._handle, seconds, remote._name)


def wrap(session: SandboxSession, value: Any, name: str | None = None) -> Any:
    """Turn Handles inside a decoded value into Remotes (a Handle that is the whole value is
    named ``name``, the notebook's name for it)."""
    if isinstance(value, Handle):
        return Remote(session, value, name=name)
    if type(value) in (list, tuple):
        return type(value)(wrap(session, v) for v in value)
    if type(value) is dict:
        return {k: wrap(session, v) for k, v in value.items()}
    return value


def unwrap(value: Any) -> Any:
    """Turn Remotes inside an argument back into Handles for the wire."""
    if isinstance(value, Remote):
        return value._handle
    if type(value) in (list, tuple):
        return type(value)(unwrap(v) for v in value)
    if type(value) is dict:
        return {k: unwrap(v) for k, v in value.items()}
    return value


class StudentNamespace(Mapping):
    """The ``env`` passed to Otter test cases: fixtures first, then the sandbox's globals.
    A read-only mapping, as Otter's ``env`` (a dict of the notebook's globals) is read by tests:
    ``env["f"]``, ``"f" in env``, ``env.keys()``, ``env.items()``, ``len(env)``.

    - session: the sandbox holding the executed notebook.
    - fixtures: name -> value, or name -> zero-argument callable marked by ``Lazy`` (computed
      on first use).
    """

    def __init__(self, session: SandboxSession, fixtures: dict[str, Any]):
        self.session = session
        self.fixtures = fixtures
        self.looked_up: dict[str, bool] = {}
        """Names asked of the notebook (not fixtures) -> whether the notebook defines them."""
        self.not_carried: list[str] = []
        """Why the test could not use something it read (an ``UntrustedModule`` it used)."""

    def get(self, name: str, default: Any = None) -> Any:
        """The value for ``name`` (see the module docstring), or ``default`` when the notebook
        does not define it (Otter's semantics; recorded in ``looked_up``)."""
        if name in self.fixtures:
            value = self.fixtures[name]
            return value() if isinstance(value, Lazy) else value
        info = self.session.request("lookup", name=name)
        kind = info.get("kind") if type(info) is dict else None
        self.looked_up[name] = self.looked_up.get(name, False) or kind != "missing"
        if kind == "module":
            module = trusted_module(info.get("module"), None)
            return module if module is not None else UntrustedModule(name, info.get("module"), self.not_carried)
        if kind == "callable":
            return wrap(self.session, info.get("handle"), name)
        if kind == "data":
            return wrap(self.session, info.get("value"))
        return default

    def __getitem__(self, name: str) -> Any:
        sentinel = object()
        value = self.get(name, sentinel)
        if value is sentinel:
            raise KeyError(name)
        return value

    def __contains__(self, name: str) -> bool:
        sentinel = object()
        return self.get(name, sentinel) is not sentinel

    def __iter__(self) -> Iterator[str]:
        """The notebook's global names (as Otter's env holds); fixtures are read by name only,
        so listing ``env`` never loads a dataset."""
        names = self.session.request("names")
        return iter([n for n in names if type(n) is str] if type(names) is list else [])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def items(self) -> list[tuple[str, Any]]:
        """(name, value) for every name, as ``get`` gives them."""
        return [(name, self.get(name)) for name in self]

    def values(self) -> list[Any]:
        return [value for _, value in self.items()]


def trusted_module(name: Any, default: Any = None) -> Any:
    """The grader's own import of ``name`` when it is exactly one of ``TRUSTED_MODULES`` (a
    name this module chose, so importing it runs no code a submission picked), else
    ``default``; also ``default`` when that package is not installed on the grader."""
    if type(name) is not str or name not in TRUSTED_MODULES:
        return default
    try:
        return importlib.import_module(name)
    except ImportError:
        return default


class UntrustedModule:
    """Stands, on the trusted side, for a module the notebook imported that is not one of
    ``TRUSTED_MODULES`` (``units``, submitted with the notebook): the trusted side never imports
    it, since that would run code the submission chose. Using it (an attribute, a call) records
    why in ``not_carried`` (the test is then not graded, with that sentence) and raises
    AttributeError; calling it raises TypeError as calling a module does (a test that wanted a
    function got a module: a plain failure, as under Otter).
    """

    def __init__(self, name: str, module: Any, not_carried: list[str]):
        self._name, self._module, self._not_carried = name, str(module)[:100], not_carried

    def _used(self) -> str:
        reason = (
            f"`{self._name}` is the module `{self._module}` your notebook imported, and dlgrade's secure mode hands tests "
            "only its own imports of a fixed list of libraries (numpy, torch, pandas, ...), never code a submission "
            "chose. Otter zips can be graded with `dlgrade grade --tests-in-sandbox` (Otter's runner, inside the sandbox)."
        )
        if reason not in self._not_carried:
            self._not_carried.append(reason)
        return reason

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise AttributeError(self._used())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"`{self._name}` is a module, not a function: 'module' object is not callable")

    def __repr__(self) -> str:
        return f"<module {self._module!r} of your notebook>"


class Lazy:
    """Marks a fixture computed on first request: ``Lazy(lambda: load_mnist(...))``."""

    def __init__(self, factory):
        self.factory = factory
        self._value, self._done = None, False

    def __call__(self) -> Any:
        if not self._done:
            self._value, self._done = self.factory(), True
        return self._value
