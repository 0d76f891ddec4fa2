"""The import graph of the project's packages: no circles, and no arrow pointing upward."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "flows", "storage", "knowledge_base")
# The desk and what the composition builds know nothing of Telegram's transport.
BELOW_TELEGRAM = (
    "bot.agents",
    "bot.live_queue",
    "bot.two_factor",
    "bot.app",
    "bot.pushes",
    "bot.clock_alarms",
    "bot.user_turn",
)


def modules() -> dict[str, Path]:
    """Every module of the packages by dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `path` imports (at any depth, outside `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                # `from pkg import sub` needs the submodule; `from pkg import name`, the package.
                sub = f"{node.module}.{alias.name}"
                targets.add(sub if sub in known else node.module)
    return {t for t in targets if t in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_through_others() -> None:
    assert circles(graph()) == []


def test_the_desk_and_the_composition_never_import_the_telegram_transport() -> None:
    upward = sorted(
        (module, target)
        for module, targets in graph().items()
        if module.startswith(BELOW_TELEGRAM)
        for target in targets
        if target.startswith("bot.telegram")
    )
    assert upward == []


def test_flows_storage_and_knowledge_base_never_import_the_bot() -> None:
    upward = sorted(
        (module, target)
        for module, targets in graph().items()
        if not module.startswith("bot")
        for target in targets
        if target == "bot" or target.startswith("bot.")
    )
    assert upward == []


def test_no_two_modules_share_a_file_name() -> None:
    # A file name says what the module holds, wherever it sits: `errors.py` in three places
    # says nothing (issue 11). Packages' `__init__.py` and `__main__.py` are exempt.
    places: dict[str, list[str]] = {}
    for name, path in modules().items():
        if path.name not in ("__init__.py", "__main__.py"):
            places.setdefault(path.name, []).append(name)
    shared = {file: sorted(names) for file, names in places.items() if len(names) > 1}
    assert shared == {}


def test_a_circle_is_found() -> None:
    # The check itself: two modules importing each other are reported.
    assert circles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
