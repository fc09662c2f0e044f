"""Queueing theory used to validate the model (Erlang C for M/M/c).

The model reduced to one hub with Poisson arrivals, exponential meeting times, a pool of
c officers and no calendar is an M/M/c queue; its mean wait must agree with
`erlang_c_mean_wait`. Used by the tests and the validation notebook.
"""

from __future__ import annotations

import math


def erlang_c_probability(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability that an arrival waits (Erlang C), for λ < c μ."""
    a = arrival_rate / service_rate
    rho = a / servers
    if not 0 <= rho < 1:
        raise ValueError(f"unstable queue: utilisation {rho:.3f} >= 1")
    s = sum(a ** k / math.factorial(k) for k in range(servers))
    top = a ** servers / math.factorial(servers) / (1 - rho)
    return top / (s + top)


def erlang_c_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue W_q = C(c, a) / (c μ − λ), in the time unit of the rates."""
    return erlang_c_probability(arrival_rate, service_rate, servers) / (servers * service_rate - arrival_rate)
