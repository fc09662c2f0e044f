"""``tyosim batch``: the command line of `experiments.batch`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import InputError
from ..experiments.batch import prepare_scenarios, run_batch
from ..scenario.config import MAX_REPLICATIONS
from ..tables.store import BATCH_FILE


def _parse_reps(value: str | None) -> int | str | None:
    if value is None:
        return None
    if value.strip().lower() == "auto":
        return "auto"
    try:
        v = int(value)
    except ValueError:
        raise InputError("command line", "--reps", f"expected a whole number or 'auto', got {value!r}") from None
    if not 1 <= v <= MAX_REPLICATIONS:
        raise InputError("command line", "--reps", f"must be 1–{MAX_REPLICATIONS}, got {v}")
    return v


def batch_command(args: argparse.Namespace) -> int:
    """``tyosim batch``: exit 0 when every replication is stored, 1 when one failed."""
    reps = _parse_reps(args.reps)
    if args.precision is not None and reps not in (None, "auto"):
        raise InputError("command line", "--precision", "only with --reps auto")
    if args.precision is not None:
        reps = "auto"
    remote = args.scheduler is not None and args.scheduler != "local"
    if remote and args.workers is not None:
        raise InputError("command line", "--workers",
                         "the workers of a remote --scheduler are the scheduler's; drop --workers")
    scenarios, seed_info = prepare_scenarios(args.scenarios, years=args.years, seed=args.seed)
    if seed_info.overridden:
        print("note: scenarios have different run.seed; all run with "
              f"{seed_info.root_seed} ({seed_info.source}) for common random numbers: "
              + ", ".join(f"{n} had {s}" for n, s in seed_info.overridden.items()), file=sys.stderr)
    if reps is None:
        reps = scenarios[0].run.replications
    dask = bool(args.dask) or args.scheduler is not None
    workers = args.workers
    if workers is None:
        n_tasks = len(scenarios) * (reps if isinstance(reps, int) else args.min_reps)
        workers = 1 if remote else max(1, min(os.cpu_count() or 1, n_tasks))
    res = run_batch(scenarios, reps, Path(args.out), workers=workers,
                    scheduler=None if args.scheduler == "local" else args.scheduler, dask=dask,
                    progress=False if args.quiet else None, precision=args.precision,
                    min_reps=args.min_reps, max_reps=args.max_reps, seed_info=seed_info,
                    years=args.years)
    for sc in res.scenarios:
        print(f"{sc.name}: {len(res.done[sc.name])} replications in {res.folder(sc.name)}")
    print(f"batch: {res.computed} replications computed, {res.already_stored} already stored; "
          f"seed {seed_info.root_seed}; {res.backend.get('kind')}; {res.out / BATCH_FILE}")
    if res.precision is not None:
        p = res.precision
        what = {"met": "precision met", "max_reached": "maximum reached before the precision",
                "stopped_on_failure": "stopped: a replication failed"}.get(p["result"], p["result"])
        print(f"precision ±{p['target_relative_half_width']:.1%} of the mean (95 % CI): {what} "
              f"with {p['replications']} replications")
    for f in res.failed:
        print(f.message, file=sys.stderr)
    if len(res.scenarios) > 1 and not res.failed:
        print(f"compare: tyosim compare {res.out} --baseline {res.scenarios[0].name}")
    sys.stdout.flush()   # a closed pipe (`| head`) raises here, where `cli.main` catches it
    return 1 if res.failed else 0
