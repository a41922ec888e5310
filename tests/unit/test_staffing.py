"""Erlang C against closed forms and published worked examples."""

from __future__ import annotations

import math

import pytest

from guichet.services.staffing import (
    counters_needed,
    erlang_b,
    erlang_c,
    mean_wait_s,
    service_level,
    wait_exceeds,
)


def _erlang_c_direct(n: int, a: float) -> float:
    """The textbook formula term by term (fine for small n), to check the recursion against."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def test_closed_forms():
    # M/M/1: the probability of waiting is the utilisation; M/M/2: A² / (2 + A).
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c(2, 1.5) == pytest.approx(1.5**2 / (2 + 1.5))
    # A = 2 Erlangs, n = 3: (8/6 · 3) / (1 + 2 + 2 + 4) = 4/9.
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, abs=1e-12)
    assert round(erlang_c(3, 2.0), 4) == 0.4444
    # Erlang B, A = 2, n = 3: (8/6) / (1 + 2 + 2 + 8/6) = 4/19.
    assert erlang_b(3, 2.0) == pytest.approx(4 / 19)


@pytest.mark.parametrize(("n", "a"), [(5, 3.2), (12, 10.0), (30, 24.5), (60, 55.0)])
def test_recursion_matches_the_direct_formula(n, a):
    assert erlang_c(n, a) == pytest.approx(_erlang_c_direct(n, a), rel=1e-9)


def test_call_centre_helper_worked_example():
    """Call Centre Helper, « Erlang C Formula – Made Simple With an Easy Worked Example »:
    100 calls in 30 minutes, 180 s average handling time (A = 10 Erlangs), 80 % answered within 20 s.
    Published: 11 agents → probability of waiting 68.21 %; 14 agents → 17.41 % and a service level of
    88.8 %; 14 agents is the answer (13 agents give 79.6 %, just under the target)."""
    rate_per_hour, aht_s, target_s = 200, 180, 20
    a = rate_per_hour * aht_s / 3600
    assert a == 10
    assert round(erlang_c(11, a), 4) == 0.6821
    assert round(erlang_c(14, a), 4) == 0.1741
    assert service_level(14, a, target_s=target_s, service_s=aht_s) == pytest.approx(0.888, abs=0.001)
    assert service_level(13, a, target_s=target_s, service_s=aht_s) < 0.8
    assert counters_needed(rate_per_hour, aht_s, target_s=target_s, target_share=0.8) == 14
    # Average speed of answer with 14 agents: 0.1741 × 180 / 4 ≈ 7.8 s.
    assert mean_wait_s(14, a, service_s=aht_s) == pytest.approx(7.8, abs=0.05)


def test_westbay_worked_example():
    """Westbay Engineers, « The Erlang-C formula » (call centre staffing paper): 360 calls per half hour,
    4-minute calls, 55 agents, 15-second target: traffic intensity 48 Erlangs, probability of waiting
    ≈ 0.2387, average speed of answer ≈ 8.2 s, service level ≈ 84.6 %."""
    a = 720 * 240 / 3600
    assert a == 48
    assert erlang_c(55, a) == pytest.approx(0.2387, abs=1e-4)
    assert mean_wait_s(55, a, service_s=240) == pytest.approx(8.18, abs=0.01)
    assert service_level(55, a, target_s=15, service_s=240) == pytest.approx(0.846, abs=0.001)


def test_edges():
    assert erlang_c(3, 0.0) == 0.0
    assert erlang_c(3, 3.0) == 1.0  # saturated: everybody waits
    assert wait_exceeds(2, 5.0, target_s=60, service_s=300) == 1.0
    assert mean_wait_s(2, 5.0, service_s=300) == math.inf
    assert counters_needed(0, 300, target_s=600) == 0
    assert counters_needed(1, 300, target_s=600) == 1  # one visitor an hour still needs someone
    with pytest.raises(ValueError):
        counters_needed(10, 300, target_s=600, target_share=1.0)


def test_more_counters_never_hurt_and_the_advice_is_the_smallest():
    for rate in (5, 20, 60, 150):
        for target in (60, 600, 1200):
            n = counters_needed(rate, 420, target_s=target, target_share=0.8)
            a = rate * 420 / 3600
            assert n > a
            assert service_level(n, a, target_s=target, service_s=420) >= 0.8
            if n - 1 > a:
                assert service_level(n - 1, a, target_s=target, service_s=420) < 0.8
            levels = [service_level(k, a, target_s=target, service_s=420) for k in range(n, n + 5)]
            assert levels == sorted(levels)


def test_large_sites_stay_exact():
    # 1,000 visitors an hour at 6 minutes: A = 100 Erlangs; factorials would overflow a float, the recursion does not.
    n = counters_needed(1000, 360, target_s=900)
    assert 100 < n < 130
    assert 0 < erlang_c(n, 100.0) < 1
