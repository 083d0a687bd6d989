"""The layering of docs/architecture.md, checked on the source: no import points upward, no
import cycle (imports inside functions count), services write no cells, one error family."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

import xinao_xl
from xinao_xl.policy.errors import XinaoError

PACKAGE = Path(xinao_xl.__file__).parent
LAYERS = {"policy": 0, "books": 1, "history": 1, "services": 2, "excel": 3, "cli": 3}
# What writes cells: services hand workbooks between books' builders and savers, never write in them.
WRITERS = ("openpyxl", "xlsxwriter", "xinao_xl.books.cells", "xinao_xl.books.writer", "xinao_xl.books.style")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path, *, type_checking: bool = False) -> list[tuple[str, int]]:
    """(module imported, line) for every import in the file, at any depth; the names inside
    ``if TYPE_CHECKING:`` only when asked (they are not run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    if not type_checking:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                skip |= {id(n) for child in node.body for n in ast.walk(child)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            head = ".".join([*base, *([node.module] if node.module else [])])
            for a in node.names:
                full = f"{head}.{a.name}"
                out.append((full if full in MODULES else head, node.lineno))
    return out


def _graph() -> dict[str, set[str]]:
    return {m: {t for t, _ in _imports(m, p, type_checking=True) if t in MODULES and t != m} for m, p in MODULES.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_no_import_points_upward() -> None:
    upward = []
    for module, path in MODULES.items():
        mine = _layer(module)
        for target, line in _imports(module, path, type_checking=True):
            theirs = _layer(target) if target.startswith("xinao_xl.") else None
            if mine is not None and theirs is not None and theirs > mine:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert upward == []


def test_no_import_cycle() -> None:
    graph = _graph()

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    cycles = [f"{m} -> {t}" for m in sorted(graph) for t in sorted(graph[m])
              if m in reach(t) and not (t.startswith(m + ".") or m.startswith(t + "."))]
    assert cycles == []


def test_the_cycle_check_sees_a_cycle() -> None:
    """The check above finds what it looks for: integrity importing close again would be one."""
    graph = _graph()
    assert "xinao_xl.services.integrity" in graph["xinao_xl.services.close"]
    graph["xinao_xl.services.integrity"].add("xinao_xl.services.close")
    reach, todo = set(), ["xinao_xl.services.close"]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in reach:
                reach.add(nxt)
                todo.append(nxt)
    assert "xinao_xl.services.close" in reach


def test_services_import_no_workbook_writer() -> None:
    found = []
    for module, path in MODULES.items():
        if not module.startswith("xinao_xl.services"):
            continue
        for target, line in _imports(module, path):
            if target.startswith(WRITERS) and not target.startswith("openpyxl.utils"):
                found.append(f"{path.name}:{line} {target}")
            if target.endswith(".load_workbook"):
                found.append(f"{path.name}:{line} {target}")
    assert found == []


def test_every_error_of_the_package_is_a_xinao_error() -> None:
    """One family (policy/errors.py): a Chinese message for staff and an exit code."""
    for info in pkgutil.walk_packages(xinao_xl.__path__, "xinao_xl."):
        if not info.name.endswith("__main__"):  # (that one runs the command line)
            importlib.import_module(info.name)
    classes = set()
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("xinao_xl."):
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, BaseException) and cls.__module__.startswith("xinao_xl."):
                    classes.add(cls)
    assert len(classes) >= 20  # the 18 the issue counted, MonthError and XinaoError itself
    assert [c.__qualname__ for c in classes if not issubclass(c, XinaoError)] == []
