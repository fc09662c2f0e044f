"""Named random streams from one root seed.

Replication *k* of a run with root seed *S* owns ``SeedSequence(S, spawn_key=(k,))``;
each source of randomness (arrivals, groups, exits, channels, durations, ...) gets its
own generator derived from that and a stable hash of its name. So adding a stream
never shifts the draws of another, and replication *k* uses the same streams in every
scenario (common random numbers). No global random state is touched.

`Buffered` hands out scalar draws from pre-drawn blocks: one numpy call per 4,096
draws instead of one per draw, in the model's hot path.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right

import numpy as np

BLOCK = 4096


def replication_seed(root_seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of one replication (the same in every scenario)."""
    return np.random.SeedSequence(root_seed, spawn_key=(replication,))


def stream(root_seed: int, replication: int, name: str) -> np.random.Generator:
    """Generator for the named stream of one replication."""
    key = zlib.crc32(name.encode("utf-8"))
    ss = np.random.SeedSequence(root_seed, spawn_key=(replication, key))
    return np.random.Generator(np.random.PCG64(ss))


class Buffered:
    """Scalar uniform / standard-exponential / standard-normal draws from blocks."""

    __slots__ = ("gen", "_u", "_ui", "_e", "_ei", "_n", "_ni")

    def __init__(self, gen: np.random.Generator) -> None:
        self.gen = gen
        self._u: list[float] = []
        self._ui = 0
        self._e: list[float] = []
        self._ei = 0
        self._n: list[float] = []
        self._ni = 0

    def uniform(self) -> float:
        if self._ui >= len(self._u):
            self._u = self.gen.random(BLOCK).tolist()
            self._ui = 0
        v = self._u[self._ui]
        self._ui += 1
        return v

    def exponential(self) -> float:
        if self._ei >= len(self._e):
            self._e = self.gen.standard_exponential(BLOCK).tolist()
            self._ei = 0
        v = self._e[self._ei]
        self._ei += 1
        return v

    def normal(self) -> float:
        if self._ni >= len(self._n):
            self._n = self.gen.standard_normal(BLOCK).tolist()
            self._ni = 0
        v = self._n[self._ni]
        self._ni += 1
        return v

    def choice(self, cum_probs: list[float]) -> int:
        """Index drawn from cumulative probabilities (last entry 1.0): the first i with u < cum[i]."""
        i = bisect_right(cum_probs, self.uniform())
        return i if i < len(cum_probs) else len(cum_probs) - 1
