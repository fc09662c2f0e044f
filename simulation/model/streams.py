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
from collections.abc import Callable
from itertools import chain

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
    """Scalar uniform / standard-exponential / standard-normal draws from blocks.

    ``uniform``, ``exponential`` and ``normal`` are C-level iterator steps over an
    endless chain of pre-drawn blocks (``gen.random(BLOCK)`` etc., drawn when the
    previous block is used up), so a draw costs no Python frame. The draws are exactly
    the generator's own sequence of blocks.
    """

    __slots__ = ("gen", "uniform", "exponential", "normal")

    def __init__(self, gen: np.random.Generator) -> None:
        self.gen = gen
        self.uniform = endless(lambda: gen.random(BLOCK).tolist())
        self.exponential = endless(lambda: gen.standard_exponential(BLOCK).tolist())
        self.normal = endless(lambda: gen.standard_normal(BLOCK).tolist())

    def choice(self, cum_probs: list[float]) -> int:
        """Index drawn from cumulative probabilities (last entry 1.0): the first i, u < cum[i]."""
        i = bisect_right(cum_probs, self.uniform())
        return i if i < len(cum_probs) else len(cum_probs) - 1


def endless(block: Callable[[], list[float]]) -> Callable[[], float]:
    """A zero-argument callable returning the next value of block(), block(), ... in turn."""
    return chain.from_iterable(iter(block, None)).__next__
