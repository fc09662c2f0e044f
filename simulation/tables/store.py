"""The results folder on disk: where a scenario's tables go, how they are verified, resumed
and locked — the one definition every writer and reader uses (runner, batch, compare, budget,
report, api).

Layout::

    OUT/batch.json                           a batch (experiments.batch)
    OUT/<folder_key(name)>/manifest.json     resolved scenario, seeds, versions, commit
    OUT/<folder_key(name)>/<table>/rep-NNNN.parquet

**A name is a label, not a path.** The folder of a scenario is `folder_key(name)`: the
name itself when it is a plain file name, else a sanitised form with a short hash of the
name (``"../x"`` → ``"x-1a2b3c4d"``). Nothing a name says chooses where files are written
or which are removed; the name itself is shown everywhere else.

**A results folder is not trusted blindly.** The manifest records `scenario_hash` (of the
resolved scenario without the replication count) and every replication file carries it
in its Parquet metadata. On resume, a truncated or unreadable replication file is removed
and recomputed (with a note), a file of another scenario is refused, and a folder whose
manifest was removed adopts only files of this same scenario. `read_table` verifies each
file and the manifest's hash and refuses a broken folder with one line. A folder is locked
(`folder_lock`) while a run or batch writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..files import write_parquet_atomic
from ..scenario.config import Scenario

TABLES = ("monthly", "hubs", "services")
BATCH_FILE = "batch.json"
LOCK_FILE = ".tyosim.lock"
FILE_META_KEY = b"tyosim"
MAX_KEY_LEN = 80


def folder_key(name: str) -> str:
    """The folder of a scenario named `name`: safe on every file system, never a path.

    A plain name (letters, digits, ``_ . -``, not starting with a dot) is its own key;
    anything else is sanitised and gets 8 hex digits of the name's hash, so two names
    never share a folder by sanitising alike.
    """
    name = str(name)
    if re.fullmatch(rf"[\w\-][\w.\-]{{0,{MAX_KEY_LEN - 1}}}", name) and name not in (".", ".."):
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
    for _rep, f in files:
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


def iter_batch_scenarios(out: Path) -> Iterable[str]:
    """Scenario folders of a batch folder, in batch.json order when it exists."""
    out = Path(out)
    names: list[str] = []
    bf = out / BATCH_FILE
    if bf.exists():
        try:
            names = [s["folder"] for s in json.loads(bf.read_text(encoding="utf-8")).get("scenarios", [])]
        except (OSError, ValueError, KeyError, TypeError):
            names = []
    found = sorted(p.name for p in out.iterdir() if (p / "manifest.json").is_file()) if out.is_dir() else []
    return [n for n in names if n in found] + [n for n in found if n not in names]
