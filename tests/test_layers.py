"""The package's folders are its layers: a module imports only from lower layers or its own
package, and no two modules import each other, even lazily (issue 16). The layer order is the
one stated in `simulation/__init__.py`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "simulation"

# lower number = lower layer; packages with the same number may not import each other
LAYERS = {
    "errors": 0, "files": 0, "data": 0,
    "scenario": 1,
    "model": 2,
    "tables": 3,
    "money": 4, "forecast": 4,
    "experiments": 5,
    "calibration": 6, "report": 6,
    "api": 7,
    "cli": 8, "__init__": 9, "__main__": 9,
    "app": 10,   # the scenario page sits on the public API: `import simulation as ts`
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every simulation module `path` imports, at the top or inside a function."""
    mod = _module(path)
    pkg = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("simulation"):
                continue
            for alias in node.names:  # `from . import x` may name a submodule
                sub = f"{target}.{alias.name}"
                out.add(sub if _exists(sub) else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("simulation"))
    out.discard(mod)
    return out


def _exists(mod: str) -> bool:
    p = PKG.parent / mod.replace(".", "/")
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def _layer(mod: str) -> tuple[str, int]:
    parts = mod.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return top, LAYERS[top]


FILES = sorted(PKG.rglob("*.py"))


def test_every_top_level_name_has_a_layer():
    tops = {_layer(_module(f))[0] for f in FILES if _module(f) != "simulation"}
    assert tops <= set(LAYERS), tops - set(LAYERS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PKG)))
def test_no_import_runs_upward_or_sideways(path):
    mod = _module(path)
    top, level = _layer(mod) if mod != "simulation" else ("__init__", 9)
    bad = []
    for target in sorted(_imports(path)):
        if target == "simulation":
            if level <= LAYERS["__init__"]:
                bad.append(target)
            continue
        t_top, t_level = _layer(target)
        if t_top != top and t_level >= level:
            bad.append(target)
    assert not bad, f"{mod} imports a layer at or above its own: {bad}"


def test_no_two_modules_import_each_other():
    graph = {_module(f): _imports(f) for f in FILES}
    circles = sorted({tuple(sorted((a, b))) for a, deps in graph.items() for b in deps
                      if a in graph.get(b, ()) and not (a == "simulation" or b == "simulation")
                      and not (b.startswith(a + ".") or a.startswith(b + "."))})
    assert not circles, circles


def test_help_and_validate_load_no_heavy_library():
    """`tyosim --help` and `tyosim validate` start at once: no pandas, statsmodels or scipy."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from simulation.cli import main\n"
            "rc = main(['validate', 'scenarios/baseline.toml'])\n"
            "heavy = [m for m in ('pandas', 'statsmodels', 'scipy', 'simpy', 'matplotlib') if m in sys.modules]\n"
            "print(rc, heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=PKG.parent, capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "0 []", out.stdout + out.stderr


def test_a_long_module_says_why():
    """No module over about 400 lines without the reason in its docstring (issue 16)."""
    long = []
    for f in FILES:
        text = f.read_text()
        if text.count("\n") > 420:
            doc = ast.get_docstring(ast.parse(text)) or ""
            if "Longer than 400 lines because" not in doc:
                long.append(str(f.relative_to(PKG)))
    assert not long, long
