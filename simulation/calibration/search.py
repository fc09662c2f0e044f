"""A secant search on a noisy but smooth function of one parameter (common random numbers
make the replications' mean smooth in the parameter). Used by the scripts that set the
net-of-services multiplier and the 2025 outlook."""

from __future__ import annotations

from collections.abc import Callable


def secant(f: Callable[[float], float], target: float, x0: float, x1: float, *,
           rel_tol: float = 0.002, max_steps: int = 8, log: Callable[[str], None] = print,
           label: str = "x", f_x0: float | None = None) -> dict:
    """Find x with f(x) ≈ target (|f − target| ≤ rel_tol × |target|), starting from x0, x1.

    `f_x0` is f(x0) when it is already known. Returns ``{"x", "achieved", "target", "steps"}``
    (the last point tried).
    """
    f0 = f(x0) if f_x0 is None else f_x0
    log(f"{label} {x0:.4f}: {f0:,.4f}")
    if x1 == x0:
        x1 = x0 * 1.05 or 0.05
    f1 = f(x1)
    log(f"{label} {x1:.4f}: {f1:,.4f}")
    steps = 2
    while abs(f1 - target) > rel_tol * abs(target) and steps < max_steps and f1 != f0:
        x0, f0, x1 = x1, f1, x1 + (target - f1) * (x1 - x0) / (f1 - f0)
        f1 = f(x1)
        steps += 1
        log(f"{label} {x1:.4f}: {f1:,.4f}")
    return {"x": x1, "achieved": f1, "target": target, "steps": steps}
