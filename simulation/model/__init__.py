"""The SimPy model of the statutory service process, split by concept.

- `area` — `AreaModel`, the wiring of one replication, and `run_replication`;
- `plan` — the statutory path as plain functions of the rules in force (no SimPy);
- `hazards` — exit hazards and each spell's exit event;
- `inflow` — registrations, returns after work, and a new spell's draws (`Intake`);
- `start_state` — the stock, the services running and the past they bring at the start;
- `meetings` — a planned meeting's request: staff or provider, channel, length;
- `office` — the hubs' appointment books (and a server pool for queueing theory);
- `services` — referral, capacity and the course of a participation;
- `jobseeker` — one spell's state; `records` — the named records a run produces and their
  codes; `streams` — named random streams; `outlook` — registrations that follow a forecast.

It may import `scenario` (and `errors`, `data`) only. Importing the package loads nothing:
`run_replication` is loaded on first use, so `model.plan` can be used without SimPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["run_replication"]

if TYPE_CHECKING:  # pragma: no cover
    from .area import run_replication  # noqa: F401


def __getattr__(name: str) -> Any:
    if name == "run_replication":
        from .area import run_replication
        return run_replication
    raise AttributeError(f"module 'simulation.model' has no attribute {name!r}")
