"""Errors that reach the user.

`InputError` is the one exception for bad input anywhere in tyosim: a scenario file, a
data file, a command-line value. It carries the file, the key path (or row) and the
reason, and formats itself as ``file: key.path: reason``. The command line turns it into
a one-line message and exit code 2; everything else is an internal error (exit code 1).
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input: names the file, the key path or row, and what was expected."""

    def __init__(self, file: str | None, key: str | None, reason: str) -> None:
        self.file = file
        self.key = key
        self.reason = reason
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [p for p in (self.file, self.key) if p]
        return ": ".join([*parts, self.reason])


class NotBuiltError(Exception):
    """A command whose capability is not built yet (exit code 2, never a made-up result)."""
