"""Replications of a scenario: run, store per replication, resume, summarise.

Each replication's tables are written atomically to
``OUT/<scenario>/<table>/rep-NNNN.parquet`` as soon as it finishes, and the scenario's
``manifest.json`` (resolved scenario, seeds, versions, git commit, wall time,
replications done) is rewritten after each. A re-run finds the replications already
there and computes only the missing ones; a folder made from a different scenario is
refused rather than mixed. Replications run in this process or in a local process pool
(``workers``); the tables do not depend on how they were run.

**A name is a label, not a path.** The folder of a scenario is `folder_key(name)`: the
name itself when it is a plain file name, else a sanitised form with a short hash of the
name (``"../x"`` → ``"x-1a2b3c4d"``). Nothing a name says chooses where files are written
or which are removed; the name itself is shown everywhere else.

**A results folder is not trusted blindly.** The manifest records `scenario_hash` (of the
resolved scenario without the replication count) and every replication file carries it
in its Parquet metadata. On resume, a truncated or unreadable replication file is removed
and recomputed (with a note), a file of another scenario is refused, and a folder whose
manifest was removed adopts only files of this same scenario. `read_table` (compare,
report, budget) verifies each file and the manifest's hash and refuses a broken folder
with one line. A folder is locked (`folder_lock`) while a run or batch writes it.

**Workers die with their parent**: pool processes start with `worker_init`, which asks
Linux to kill them when the parent dies (``PR_SET_PDEATHSIG``) and also watches the
parent's pid, so a SIGKILL/SIGTERM of ``tyosim`` leaves no worker running.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from ..scenario.config import MAX_REPLICATIONS, Scenario
from ..errors import InputError
from ..money.benefits import benefit_costs
from ..tables.metrics import hubs_table, monthly_table, service_cost_by_municipality, services_table
from ..model.area import AreaModel
from .provenance import git_commit, now_iso, versions, write_json_atomic, write_parquet_atomic
from ..model.streams import replication_seed

TABLES = ("monthly", "hubs", "services")
LOCK_FILE = ".tyosim.lock"
FILE_META_KEY = b"tyosim"
MAX_KEY_LEN = 80


# ---------------------------------------------------------------------------------------
# names, hashes, folders, locks, workers

def folder_key(name: str) -> str:
    """The folder of a scenario named `name`: safe on every file system, never a path.

    A plain name (letters, digits, ``_ . -``, not starting with a dot) is its own key;
    anything else is sanitised and gets 8 hex digits of the name's hash, so two names
    never share a folder by sanitising alike.
    """
    name = str(name)
    if re.fullmatch(r"[\w\-][\w.\-]{0,%d}" % (MAX_KEY_LEN - 1), name) and name not in (".", ".."):
        return name
    base = re.sub(r"[^\w.\-]+", "_", name).strip("._-")[:MAX_KEY_LEN - 9] or "scenario"
    return f"{base}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


def scenario_folder(out: Path, scenario: Scenario) -> Path:
    """``out/<folder_key(name)>``, checked to lie inside `out`."""
    out = Path(out)
    folder = out / folder_key(scenario.name)
    if folder.resolve().parent != out.resolve():  # cannot happen for a key; kept as a guard
        raise InputError(scenario.source_file or "<scenario>", "name",
                         f"name {scenario.name!r} would write outside {out}")
    return folder


def scenario_hash(resolved: Scenario | dict[str, Any] | None) -> str | None:
    """Hash of a resolved scenario without its replication count (more reps extend a folder)."""
    if isinstance(resolved, Scenario):
        resolved = resolved.resolved_dict()
    ident = _identity(resolved)
    if ident is None:
        return None
    text = json.dumps(ident, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def ensure_folder(folder: Path, option: str = "--out") -> Path:
    """Create `folder` (and parents) or say in one line why it cannot be."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(str(folder), option, "is a file, not a folder") from None
    except NotADirectoryError:
        raise InputError(str(folder), option, "a part of the path is a file, not a folder") from None
    except OSError as e:
        raise InputError(str(folder), option, f"cannot create the folder: {e.strerror or e}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(str(folder), option, "folder is not writable")
    return folder


@contextmanager
def folder_lock(folder: Path, option: str = "--out") -> Iterator[None]:
    """Hold an exclusive lock on `folder` while writing it; a second writer gets one line.

    The lock is an ``flock`` on ``folder/.tyosim.lock``: the system releases it when the
    process ends, however it ends, so a killed run never leaves the folder locked.
    """
    ensure_folder(folder, option)
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (documented in docs/batch.md)
        yield
        return
    path = Path(folder) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise InputError(str(path), option, f"cannot create the lock file: {e.strerror or e}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                other = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            except OSError:
                other = ""
            raise InputError(str(folder), option,
                             "another tyosim run or batch is writing this folder"
                             + (f" (pid {other})" if other else "")
                             + "; wait for it to finish or choose another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _note(msg: str) -> None:
    print(f"note: {msg}", file=sys.stderr)


_PR_SET_PDEATHSIG = 1


def worker_init(parent_pid: int) -> None:
    """Initializer of every pool worker: die when the parent process dies.

    On Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; everywhere a daemon thread that checks
    twice a second whether the parent is still the process that started this worker.
    """
    import signal

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:   # the parent died before we got here
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="tyosim-parent-watchdog", daemon=True).start()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process (`worker_init`)."""
    return ProcessPoolExecutor(max_workers=workers, initializer=worker_init, initargs=(os.getpid(),))


def check_reps(reps: Any, what: str = "reps") -> int:
    """`reps` as a whole number ≥ 1, or `InputError` (never silently something else)."""
    import numbers

    if isinstance(reps, bool) or not isinstance(reps, numbers.Integral):
        raise InputError(None, what, f"expected a whole number of replications ≥ 1, got {reps!r}")
    if not 1 <= int(reps) <= MAX_REPLICATIONS:
        raise InputError(None, what, f"must be 1–{MAX_REPLICATIONS}, got {reps}")
    return int(reps)


def simulate_replication(scenario: Scenario, replication: int) -> dict[str, pd.DataFrame]:
    """Run one replication and return its tables (with scenario, replication, seed columns)."""
    gc_was = gc.isenabled()
    gc.disable()  # the model allocates many small long-lived objects; GC passes only cost time
    try:
        model = AreaModel(scenario, replication)
        rec = model.run()
        cal, munis, hubs, staff_fte, rules = model.cal, model.munis, model.hubs, model.staff_fte, model.rules
        hub_names = [model.region.hub_of(m) for m in munis]
        del model  # the SimPy environment, its events and requests are not needed for the tables
        tables = _tables(scenario, rec, cal, munis, hub_names, hubs, staff_fte, rules)
    finally:
        if gc_was:
            gc.enable()
    for df in tables.values():
        df.insert(0, "seed", scenario.run.seed)
        df.insert(0, "replication", replication)
        df.insert(0, "scenario", scenario.name)
    return tables


def _tables(scenario, rec, cal, munis, hub_names, hubs, staff_fte, rules) -> dict[str, pd.DataFrame]:
    """Records → the result tables (pure)."""
    monthly = monthly_table(rec, cal, munis, hub_names)
    if scenario.benefits is not None:
        res = benefit_costs(rec.array("spells"), rec.array("services"), scenario, cal, rules=rules,
                            municipalities=munis)
        bm = res.monthly
        assert (bm["month"].to_numpy() == monthly["month"].to_numpy()).all()
        for c in bm.columns[2:]:          # same row order: month × municipality
            monthly[c] = bm[c].to_numpy()
    else:
        monthly["benefit_cost_eur"] = float("nan")
        monthly["benefit_cost_municipal_eur"] = float("nan")
    monthly["service_cost_eur"] = service_cost_by_municipality(rec, cal, scenario, len(munis)).ravel()
    broad = monthly.groupby("month", sort=False)["broad_unemployment_end"].sum().to_numpy()
    return {
        "monthly": monthly,
        "hubs": hubs_table(rec, cal, hubs, staff_fte),
        "services": services_table(rec, cal, scenario, broad),
    }


def _worker(scenario: Scenario, replication: int) -> tuple[int, dict[str, pd.DataFrame] | None, str | None, float]:
    t0 = time.perf_counter()
    try:
        return replication, simulate_replication(scenario, replication), None, time.perf_counter() - t0
    except Exception:  # reported with scenario, seed and traceback; the others are kept
        return replication, None, traceback.format_exc(), time.perf_counter() - t0


def rep_file(folder: Path, table: str, replication: int) -> Path:
    return folder / table / f"rep-{replication:04d}.parquet"


_REP_NAME = re.compile(r"rep-(\d{4,9})\.parquet")


def _rep_files(folder: Path, table: str) -> list[tuple[int, Path]]:
    d = Path(folder) / table
    if not d.is_dir():
        return []
    out = []
    for p in sorted(d.iterdir()):
        m = _REP_NAME.fullmatch(p.name)
        if m and p.is_file() and not p.is_symlink():
            out.append((int(m.group(1)), p))
    return out


def file_scenario_hash(path: Path) -> str | None:
    """The scenario hash a replication file carries (None: a file from before hashes).

    Raises OSError/ArrowInvalid for a truncated or damaged file (its footer is read).
    """
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(FILE_META_KEY)
    if raw is None:
        return None
    return json.loads(raw.decode("utf-8")).get("scenario_hash")


def done_replications(folder: Path, expect_hash: str | None = None, repair: bool = False) -> set[int]:
    """Replications whose every table is on disk and readable.

    With `repair`, an unreadable (truncated) file is removed with a note, so it is
    recomputed. With `expect_hash`, a file of another scenario raises `InputError`.
    """
    sets = []
    for t in TABLES:
        ok: set[int] = set()
        for rep, p in _rep_files(folder, t):
            try:
                h = file_scenario_hash(p)
            except Exception as e:  # noqa: BLE001 — pyarrow raises several kinds for a bad file
                if not repair:
                    continue
                p.unlink(missing_ok=True)
                _note(f"{p}: unreadable replication file ({type(e).__name__}); replication {rep} "
                      "is recomputed")
                continue
            if expect_hash is not None and h is not None and h != expect_hash:
                raise InputError(str(p), None, "replication file of a different scenario (its scenario "
                                 "hash differs); choose another --out or delete the folder")
            ok.add(rep)
        sets.append(ok)
    return set.intersection(*sets) if sets else set()


@dataclass
class RunResult:
    folder: Path
    scenario: Scenario
    done: list[int]
    failed: dict[int, str] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        return read_table(self.folder, name)


def verified_manifest(folder: Path, scenario: Scenario | None = None) -> dict[str, Any] | None:
    """The folder's manifest after checking its `scenario_hash` (None if there is none).

    Raises `InputError` when the hash does not match the manifest's own resolved scenario
    (an edited or mixed folder) or, given `scenario`, that scenario (another version).
    """
    mf = Path(folder) / "manifest.json"
    if not mf.is_file():
        if scenario is not None and Path(folder, "monthly").is_dir():
            raise InputError(str(mf), None, "file not found; results without a manifest cannot be "
                             "checked — re-run the scenario into this folder")
        return None
    try:
        man = json.loads(mf.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(str(mf), None, f"unreadable manifest: {e}") from None
    if not isinstance(man, dict):
        raise InputError(str(mf), None, "unreadable manifest: not a JSON object")
    recorded = man.get("scenario_hash")
    if recorded is not None:
        if scenario_hash(man.get("resolved_scenario")) != recorded:
            raise InputError(str(mf), "scenario_hash", "does not match the manifest's resolved_scenario "
                             "(the manifest was edited or mixed); re-run the scenario")
        if scenario is not None and scenario_hash(scenario) != recorded:
            raise InputError(str(folder), "scenario_hash",
                             f"holds results of another version of scenario {scenario.name!r} "
                             "(its resolved scenario differs); re-run it")
    return man


def read_table(folder: Path, name: str, scenario: Scenario | None = None) -> pd.DataFrame:
    """One table of a scenario folder, every replication file verified.

    A truncated or damaged file, a file of another scenario (its hash differs from the
    manifest's) or a manifest that does not match its resolved scenario raise `InputError`
    naming the file; given `scenario`, results of another version of it do too.
    """
    import pyarrow.parquet as pq

    folder = Path(folder)
    man = verified_manifest(folder, scenario)
    expect = man.get("scenario_hash") if man else None
    files = _rep_files(folder, name)
    if not files:
        return pd.DataFrame()
    frames = []
    for rep, f in files:
        try:
            tab = pq.read_table(f)
        except Exception as e:  # noqa: BLE001 — truncated, damaged, not Parquet
            raise InputError(str(f), None, f"unreadable replication file ({type(e).__name__}: "
                             f"{str(e).splitlines()[0] if str(e) else 'damaged'}); re-run the scenario "
                             "with the same --out to recompute it") from None
        raw = (tab.schema.metadata or {}).get(FILE_META_KEY)
        h = json.loads(raw.decode("utf-8")).get("scenario_hash") if raw else None
        if expect is not None and h is not None and h != expect:
            raise InputError(str(f), None, "replication file of a different scenario than the "
                             "folder's manifest; re-run the scenario into a clean folder")
        frames.append(tab.to_pandas())
    return pd.concat(frames, ignore_index=True)


def write_rep(folder: Path, table: str, replication: int, df: pd.DataFrame, shash: str | None) -> None:
    """Write one replication table atomically, with the scenario hash in its metadata."""
    write_parquet_atomic(rep_file(folder, table, replication), df,
                         {FILE_META_KEY: json.dumps({"scenario_hash": shash}).encode("utf-8")})


def _manifest(scenario: Scenario, reps: list[int], wall: float, failed: dict[int, str],
              extra: dict[str, Any]) -> dict[str, Any]:
    rules = scenario.rules_obj()
    return {
        "tool": "tyosim",
        "scenario": scenario.name,
        "scenario_file": scenario.source_file,
        "extends_chain": list(scenario.extends_chain),
        "resolved_scenario": scenario.resolved_dict(),
        "staff_by_hub_fte": scenario.staff_by_hub(),
        "staff_allocation_rule": (None if scenario.staff.customer_service_fte_by_hub is not None
                                  else scenario.staff.allocation_rule),
        "rules_at_start": rules.sources_on(scenario.run.start_date),
        "rule_overrides": list(scenario.rules),
        "scenario_hash": scenario_hash(scenario),
        "root_seed": scenario.run.seed,
        "seeds": {str(r): {"entropy": scenario.run.seed,
                           "spawn_key": list(replication_seed(scenario.run.seed, r).spawn_key)}
                  for r in reps},
        "replications_done": sorted(reps),
        "replications_failed": {str(k): v for k, v in failed.items()},
        "versions": versions(),
        "git": git_commit(),
        "wall_time_s": round(wall, 3),
        "written_at": now_iso(),
        **extra,
    }


def _identity(resolved: dict[str, Any] | None) -> dict[str, Any] | None:
    """The resolved scenario without the replication count (more reps extend a folder)."""
    if resolved is None:
        return None
    out = json.loads(json.dumps(resolved, default=str))
    out.get("run", {}).pop("replications", None)
    return out


def check_folder(folder: Path, scenario: Scenario) -> dict[str, Any] | None:
    """The existing manifest, if the folder holds results of this same scenario.

    Refuses (`InputError`) a path that is a file, a manifest of another scenario or one
    whose hash does not match, and — when the manifest is missing — replication files of
    another scenario or of unknown origin (files from before hashes, without a manifest).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(str(folder), "--out", "is a file, not a folder")
    mf = folder / "manifest.json"
    if not mf.exists():
        mine = scenario_hash(scenario)
        for t in TABLES:
            for _, p in _rep_files(folder, t):
                try:
                    h = file_scenario_hash(p)
                except Exception:  # noqa: BLE001 — unreadable: recomputed later
                    continue
                if h != mine:
                    raise InputError(str(folder), None,
                                     "holds replication files of another scenario (or of unknown "
                                     "origin) and no manifest.json; choose another --out or delete "
                                     "the folder")
        return None
    try:
        old = json.loads(mf.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(str(mf), None, f"unreadable manifest: {e}") from None
    if not isinstance(old, dict):
        raise InputError(str(mf), None, "unreadable manifest: not a JSON object")
    if _identity(old.get("resolved_scenario")) != _identity(scenario.resolved_dict()):
        raise InputError(str(folder), "resolved_scenario",
                         "holds results of a different scenario (or seed or horizon); "
                         "choose another --out or delete the folder")
    if old.get("scenario_hash") is not None and old["scenario_hash"] != scenario_hash(scenario):
        raise InputError(str(mf), "scenario_hash", "does not match the resolved scenario; "
                         "choose another --out or delete the folder")
    return old


def run_scenario(scenario: Scenario, reps: int, out: Path, workers: int = 1,
                 progress: bool = True, extra_manifest: dict[str, Any] | None = None,
                 on_done: Callable[[int], None] | None = None) -> RunResult:
    """Run replications 0..reps-1 of `scenario` into ``out/<folder_key(name)>``, resuming.

    Raises `InputError` for `reps` that is not a whole number ≥ 1, an `out` that cannot be
    a folder, a folder of another scenario, or a folder another process is writing.
    """
    reps = check_reps(reps)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise InputError(None, "workers", f"expected a whole number ≥ 1, got {workers!r}")
    ensure_folder(Path(out))
    folder = scenario_folder(Path(out), scenario)
    with folder_lock(folder):
        return _run_scenario_locked(scenario, reps, folder, workers, progress, extra_manifest, on_done)


def _run_scenario_locked(scenario: Scenario, reps: int, folder: Path, workers: int, progress: bool,
                         extra_manifest: dict[str, Any] | None,
                         on_done: Callable[[int], None] | None) -> RunResult:
    old = check_folder(folder, scenario)
    shash = scenario_hash(scenario)
    remove_stale_tmp(folder)
    done = done_replications(folder, shash, repair=True)
    wall = float(old.get("wall_time_s", 0.0)) if old else 0.0
    todo = [r for r in range(reps) if r not in done]
    failed: dict[int, str] = {}
    extra = dict(extra_manifest or {})
    t0 = time.perf_counter()
    bar = None
    if progress and todo:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), desc=scenario.name, unit="rep", leave=False)

    def store(rep: int, tables: dict[str, pd.DataFrame] | None, err: str | None) -> None:
        if tables is None:
            failed[rep] = f"scenario {scenario.name}, seed {scenario.run.seed}, replication {rep}:\n{err}"
        else:
            for name, df in tables.items():
                write_rep(folder, name, rep, df, shash)
            done.add(rep)
        write_json_atomic(folder / "manifest.json",
                          _manifest(scenario, sorted(done), wall + time.perf_counter() - t0, failed, extra))
        if bar is not None:
            bar.update(1)
        if on_done:
            on_done(rep)

    folder.mkdir(parents=True, exist_ok=True)
    if old is None and todo:  # the manifest first: a killed run leaves files it can vouch for
        write_json_atomic(folder / "manifest.json", _manifest(scenario, sorted(done), wall, failed, extra))
    if workers <= 1 or len(todo) <= 1:
        for r in todo:
            _, tables, err, _ = _worker(scenario, r)
            store(r, tables, err)
    else:
        with process_pool(min(workers, len(todo), os.cpu_count() or 1)) as ex:
            futs = [ex.submit(_worker, scenario, r) for r in todo]
            for f in as_completed(futs):
                r, tables, err, _ = f.result()
                store(r, tables, err)
    if bar is not None:
        bar.close()
    if not todo:  # nothing to do: still make sure the manifest is there
        write_json_atomic(folder / "manifest.json", _manifest(scenario, sorted(done), wall, failed, extra))
    return RunResult(folder, scenario, sorted(done), failed)


def remove_stale_tmp(folder: Path) -> int:
    """Delete temporary files a killed run left behind (``.*.tmp``) in a scenario folder
    and its table folders only (never below a symlink); returns how many."""
    folder = Path(folder)
    n = 0
    if not folder.is_dir() or folder.is_symlink():
        return 0
    for d in (folder, *(folder / t for t in TABLES)):
        if not d.is_dir() or d.is_symlink():
            continue
        for p in d.glob(".*.tmp"):
            if p.is_file() and not p.is_symlink():
                p.unlink(missing_ok=True)
                n += 1
    return n
