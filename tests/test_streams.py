"""Named streams and block-buffered draws."""

import numpy as np

from simulation.model.records import Records
from simulation.model.streams import BLOCK, Buffered, stream


def test_buffered_draws_are_the_generators_blocks_in_order():
    """Uniform, exponential and normal draws interleaved across block boundaries equal the
    generator's own blocks, drawn when the previous block of that kind is used up."""
    b = Buffered(stream(3, 1, "x"))
    got_u = [b.uniform() for _ in range(BLOCK + 5)]          # a second uniform block is drawn
    got_e = [b.exponential() for _ in range(7)]               # then the first exponential block
    got_u += [b.uniform() for _ in range(3)]
    g = stream(3, 1, "x")
    u1, u2 = g.random(BLOCK), g.random(BLOCK)
    e1 = g.standard_exponential(BLOCK)
    assert got_u == np.concatenate([u1, u2])[:BLOCK + 8].tolist()
    assert got_e == e1[:7].tolist()


def test_choice_follows_cumulative_probabilities():
    b = Buffered(stream(5, 0, "choice"))
    picks = np.bincount([b.choice([0.2, 0.7, 1.0]) for _ in range(50_000)], minlength=3) / 50_000
    assert np.allclose(picks, [0.2, 0.5, 0.3], atol=0.01)


def test_streams_differ_by_name_and_replication_and_repeat_by_both():
    a = stream(1, 0, "arrivals").random(4)
    assert np.array_equal(a, stream(1, 0, "arrivals").random(4))
    assert not np.array_equal(a, stream(1, 0, "exits").random(4))
    assert not np.array_equal(a, stream(1, 1, "arrivals").random(4))


def test_record_arrays_match_the_tuples():
    rec = Records()
    rec.meetings += [(1, 0, 2, 3, 10, 8, 11, 32.5, False), (4, 1, 0, -1, 20, 19, 20, 0.0, True)]
    a = rec.array("meetings")
    assert a.shape == (2, 9)
    assert a.tolist() == [[1, 0, 2, 3, 10, 8, 11, 32.5, 0], [4, 1, 0, -1, 20, 19, 20, 0.0, 1]]
    assert rec.array("services").shape == (0, 6)
