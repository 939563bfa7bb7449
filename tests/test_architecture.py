"""The shape of the house: imports run one way. `motcua` (settings, atomic files) imports nothing
of ours; `connectors` never imports `bot`; the two domain packages, `procedures_kb` and
`dossiers`, import nothing else of ours but `motcua`, and `procedures_kb` no Rasa; and no
module imports, directly or through others, a module that imports it back
(imports inside functions count too: they hide a cycle, they do not remove it)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "connectors", "dossiers", "motcua", "procedures_kb")
# package -> the packages of ours it must not import
FORBIDDEN = {
    "connectors": {"bot"},
    "dossiers": {"bot", "connectors", "procedures_kb"},
    "procedures_kb": {"bot", "connectors", "dossiers"},
    "motcua": {"bot", "connectors", "dossiers", "procedures_kb"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_modules() -> Dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def imports_of(path: Path, modules: Dict[str, Path]) -> Set[str]:
    """The modules of ours that the file imports, anywhere in it."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: List[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            # `from bot import messages` imports the module bot.messages; `from bot.x import y`, bot.x
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and not (name + ".").startswith(target + "."):  # a package is its modules' parent
                found.add(target)
    return found


def graph() -> Dict[str, Set[str]]:
    modules = our_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def cycles(edges: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    groups: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_checker_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_run_one_way() -> None:
    wrong = [
        f"{source} imports {target}"
        for source, targets in graph().items()
        for target in targets
        if target.split(".")[0] in FORBIDDEN.get(source.split(".")[0], set())
    ]
    assert wrong == []


def test_the_knowledge_base_package_needs_no_rasa() -> None:
    for path in (ROOT / "procedures_kb").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] in ("rasa", "rasa_sdk") for n in names), path


def test_every_redis_client_is_made_in_one_place() -> None:
    """One factory, one timeout: no module but connectors/redis_clients.py makes a Redis client."""

    def makes_a_client(path: Path) -> bool:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("from_url", "Redis", "StrictRedis"):
                    return True
        return False

    makers = [
        str(p.relative_to(ROOT)) for package in PACKAGES for p in (ROOT / package).rglob("*.py") if makes_a_client(p)
    ]
    assert makers == ["connectors/redis_clients.py"]


def test_tests_do_not_import_the_benchmarks() -> None:
    wrong = []
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            wrong += [f"{path.relative_to(ROOT)} imports {n}" for n in names if n.split(".")[0] == "bench"]
    assert wrong == []


def test_each_platform_address_is_written_once() -> None:
    addresses = ("api.telegram.org", "openapi.zalo.me", "oauth.zaloapp.com")
    places = sorted(
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if any(address in path.read_text(encoding="utf-8") for address in addresses)
    )
    assert places == ["connectors/platforms.py"]


def settings_names() -> Set[str]:
    from motcua.settings import Settings

    return {name.upper() for field in Settings.__fields__.values() for name in field.field_info.extra["env_names"]}


def environment_reads(source: str, names: Set[str]) -> List[Tuple[int, str]]:
    """(line, name) of each `os.environ.get("NAME")`, `os.getenv("NAME")`, `env.get("NAME")`,
    `os.environ["NAME"]` in `source` whose NAME is one of `names`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        literal = None
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            if isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "getenv", "setdefault"):
                literal = node.args[0].value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            literal = node.slice.value
        if isinstance(literal, str) and literal in names:
            found.append((getattr(node, "lineno", 0), literal))
    return found


def test_every_setting_is_read_through_the_settings_object() -> None:
    """A variable that is a field of `motcua.settings.Settings` is read there only: no other
    module looks it up in an environment itself, with a default and a check of its own."""
    names = settings_names()
    wrong = [
        f"{path.relative_to(ROOT)}:{line} reads {name}"
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if path != ROOT / "motcua" / "settings.py"
        for line, name in environment_reads(path.read_text(encoding="utf-8"), names)
    ]
    assert wrong == []


def test_the_settings_check_sees_stray_reads() -> None:
    source = "\n".join(
        [
            "import os",
            'os.environ.get("REDIS_URL")',
            'os.getenv("PORTAL_URL", "x")',
            'env["MOTCUA_TODAY"]',
            'os.environ.get("HOME")',
        ]
    )
    assert environment_reads(source, settings_names()) == [(2, "REDIS_URL"), (3, "PORTAL_URL"), (4, "MOTCUA_TODAY")]


def calls_and_constants(path: Path) -> Tuple[Set[str], Set[str]]:
    """The attribute names called (`os.fsync(…)` gives "fsync") and the string constants used in
    code (docstrings excluded) of one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    called = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    strings = {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    }
    return called, strings


def our_files() -> List[Path]:
    return [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]


def test_the_time_zone_is_named_once() -> None:
    places = [str(p.relative_to(ROOT)) for p in our_files() if "Asia/Ho_Chi_Minh" in calls_and_constants(p)[1]]
    assert places == ["motcua/settings.py"]


def test_files_are_replaced_atomically_in_one_place() -> None:
    """One atomic, durable file replace (temporary file, fsync, rename, fsync of the directory);
    the audit log's append-and-fsync is the one other durable write."""
    places = sorted(str(p.relative_to(ROOT)) for p in our_files() if "fsync" in calls_and_constants(p)[0])
    assert places == ["motcua/atomic_file.py", "procedures_kb/audit.py"]
