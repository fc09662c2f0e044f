"""Atomic file writes: the one way tyosim writes a file.

Every writer goes through `atomic_path`: a temporary file ``.<name>.*.tmp`` in the target's
own folder, then ``os.replace`` — so a killed process never leaves a half-written file, and
the temporary files a killed run leaves behind are recognisable (`tables.store.remove_stale_tmp`).
Layer 0: imports nothing of tyosim; pandas and pyarrow only inside the functions that need them.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PUBLIC = -1   # `mode` for an ordinary file: 0o666 less the process's umask


def _public_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_path(path: str | Path, mode: int | None = None, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, on failure it is
    removed. `mode`: the file's permission bits (default: ``mkstemp``'s 0o600; `PUBLIC`: an
    ordinary file, 0o666 less the umask). `suffix`: for writers that go by the extension."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        if mode is not None:
            os.chmod(tmp, _public_mode() if mode == PUBLIC else mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: str | Path, data: bytes, mode: int | None = None) -> None:
    with atomic_path(path, mode) as tmp:
        tmp.write_bytes(data)


def write_atomic(path: str | Path, text: str, mode: int | None = None) -> None:
    """Write `text` as UTF-8."""
    write_bytes_atomic(path, text.encode("utf-8"), mode)


def write_json_atomic(path: str | Path, data: Any) -> None:
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def write_parquet_atomic(path: str | Path, df: Any, metadata: dict[bytes, bytes] | None = None) -> None:
    """Write the DataFrame `df` as Parquet; `metadata` is added to the schema's metadata."""
    with atomic_path(path) as tmp:
        if metadata:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df, preserve_index=False)
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
            pq.write_table(table, tmp)
        else:
            df.to_parquet(tmp, index=False)
