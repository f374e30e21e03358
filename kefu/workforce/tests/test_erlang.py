"""R9.2: Erlang C and Erlang A against published values, exact arithmetic and an independent Markov-chain
solution; stability at 1,000 and 5,000 Erlangs; monotonicity; the exact ceilings. No database."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.linalg import expm, solve

from kefu.workforce import erlang


def exact_erlang_c(n: int, a: Fraction) -> Fraction:
    """Erlang C from its textbook definition in exact rational arithmetic (factorials are fine here)."""
    a = Fraction(a)
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def exact_erlang_b(n: int, a: Fraction) -> Fraction:
    a = Fraction(a)
    return (a**n / math.factorial(n)) / sum(a**k / math.factorial(k) for k in range(n + 1))


# --- Published Erlang B and Erlang C values ------------------------------------------------------------------

@pytest.mark.parametrize(("traffic", "lines", "blocking"), [
    (2, 5, 0.0367),   # standard Erlang B loss tables: 2 E on 5 lines → 3.67 %
    (5, 10, 0.0184),  # 5 E on 10 lines → 1.84 %
    (10, 14, 0.0568),  # 10 E on 14 lines → 5.68 %
])
def test_erlang_b_table_values(traffic, lines, blocking):
    assert erlang.erlang_b(lines, traffic) == pytest.approx(blocking, abs=5e-5)
    assert erlang.erlang_b(lines, traffic) == pytest.approx(float(exact_erlang_b(lines, traffic)), rel=1e-12)


def test_call_centre_helper_worked_example():
    """Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    (callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls in 30 minutes, AHT 180 s, 80 % in
    20 s, maximum occupancy 85 %, shrinkage 30 % → A = 10 Erlangs, P(wait) at 11 agents 0.6821, 14 agents,
    20 to schedule. The same figures (SL 0.888, occupancy 0.714, P(wait) 0.174 at 14) are asserted by
    pyworkforce's suite (rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_erlang.py)."""
    assert erlang.traffic_erlangs("100", "1800", "180") == 10
    assert erlang.erlang_c(11, 10) == pytest.approx(0.6821, abs=5e-5)
    result = erlang.staffing(calls="100", interval_seconds="1800", aht_seconds="180", answer_within_seconds="20",
                             service_level="0.8", max_occupancy="0.85", shrinkage="0.3")
    figures = result.figures
    assert (figures.agents, result.scheduled_agents) == (14, 20)
    assert round(figures.service_level, 3) == 0.888
    assert round(figures.occupancy, 3) == 0.714
    assert round(figures.p_wait, 3) == 0.174
    assert erlang.queue_figures(13, 10, 180, 20).service_level < 0.8  # 13 agents: 79.6 %, one short
    # pyworkforce's over-occupancy case: a 70 % cap needs ⌈10 / 0.7⌉ = 15 on the phones, ⌈15 / 0.7⌉ = 22 paid.
    capped = erlang.staffing(calls="100", interval_seconds="1800", aht_seconds="180", answer_within_seconds="20",
                             service_level="0.8", max_occupancy="0.7", shrinkage="0.3")
    assert (capped.figures.agents, capped.scheduled_agents) == (15, 22)
    assert round(capped.figures.service_level, 3) == 0.941 and round(capped.figures.p_wait, 3) == 0.102


def test_westbay_worked_example():
    """Westbay Engineers, "The Erlang-C formula" (erlang.com): 360 calls per half hour, 4-minute calls,
    55 agents, answer target 15 s → 48 Erlangs, occupancy 87.3 %, P(wait) 23.87 %, ASA 8.18 s."""
    traffic = erlang.traffic_erlangs(360, 1800, 240)
    assert traffic == 48
    figures = erlang.queue_figures(55, 48, 240, 15)
    assert figures.p_wait == pytest.approx(0.2387, abs=5e-5)
    assert figures.p_wait == pytest.approx(float(exact_erlang_c(55, 48)), rel=1e-12)
    assert figures.asa_seconds == pytest.approx(8.18, abs=5e-3)
    assert figures.occupancy == pytest.approx(0.8727, abs=5e-5)
    assert figures.service_level == pytest.approx(1 - float(exact_erlang_c(55, 48)) * math.exp(-7 * 15 / 240),
                                                  rel=1e-12)  # 84.6 %
    # 80 % in 20 s for this load: 54 agents (81.7 %); 53 give 77.4 %.
    assert erlang.agents_for_targets(48, 240, 20, service_level=0.8) == 54


def test_360_calls_an_hour_at_240_seconds_needs_29_agents_for_80_in_20():
    """The widely quoted example, checked independently with exact Erlang C: A = 24 Erlangs; 28 agents give
    76.1 %, 29 agents 84.0 %."""
    assert erlang.traffic_erlangs(360, 3600, 240) == 24
    for n, expected in ((28, 0.7613), (29, 0.8403)):
        exact_sl = 1 - float(exact_erlang_c(n, 24)) * math.exp(-(n - 24) * 20 / 240)
        assert erlang.queue_figures(n, 24, 240, 20).service_level == pytest.approx(exact_sl, rel=1e-12)
        assert exact_sl == pytest.approx(expected, abs=5e-5)
    assert erlang.agents_for_targets(24, 240, 20, service_level=0.8) == 29


@pytest.mark.parametrize("traffic", [Fraction(1, 2), 1, Fraction(37, 10), 10, 24, 48, Fraction(1234, 10)])
def test_erlang_c_matches_exact_rational_arithmetic(traffic):
    for n in range(math.floor(traffic) + 1, math.floor(traffic) + 12):
        assert erlang.erlang_c(n, float(traffic)) == pytest.approx(float(exact_erlang_c(n, traffic)), rel=1e-11)


# --- Erlang A ------------------------------------------------------------------------------------------------

def markov_chain_erlang_a(n: int, a: float, aht: float, within: float, patience: float, depth: int = 400):
    """An independent solution of M/M/n+M: the truncated birth–death chain for the state seen by an arrival
    (PASTA), and for a caller with k callers ahead an absorbing chain (advance at rate nμ + kθ, hang up at θ)
    solved with a matrix exponential (answered within T) and the fundamental matrix (mean wait)."""
    mu, theta, lam = 1 / aht, 1 / patience, a / aht
    size = n + depth
    log_p = np.zeros(size)
    for state in range(1, size):
        death = min(state, n) * mu + max(state - n, 0) * theta
        log_p[state] = log_p[state - 1] + math.log(lam / death)
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    # Transient states: k = 0..depth-1 callers ahead; absorbing: answered (index depth), abandoned (depth+1).
    q = np.zeros((depth + 2, depth + 2))
    for k in range(depth):
        advance = n * mu + k * theta
        q[k, k - 1 if k else depth] += advance
        q[k, depth + 1] += theta
        q[k, k] = -(advance + theta)
    transition = expm(q * within)
    transient = q[:depth, :depth]
    answered = solve(-transient, q[:depth, depth])
    answered_time = solve(-transient, answered)  # E[time to answer; answered]
    waiting = p[n:n + depth]
    p_wait = waiting.sum()
    p_answered_waiting = waiting @ answered
    return {
        "p_wait": p_wait,
        "p_abandon": p_wait - p_answered_waiting,
        "service_level": p[:n].sum() + waiting @ transition[:depth, depth],
        "asa_seconds": (waiting @ answered_time) / (1 - p_wait + p_answered_waiting),
    }


def test_erlang_a_matches_pyworkforce_snapshot():
    """pyworkforce's Erlang A (rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_abandonment.py; an
    independent birth–death + uniformisation implementation): 100 calls / 30 min, AHT 3 min, patience 5 min,
    14 agents, T = 20 s → P(wait) 0.14526, P(abandon) 0.013984, occupancy 0.704297, service level 0.916792,
    mean wait of all callers 0.069919 min (= P(abandon) × patience)."""
    figures = erlang.queue_figures(14, 10, 180, 20, 300)
    assert round(figures.p_wait, 5) == 0.14526
    assert round(figures.p_abandon, 6) == 0.013984
    assert round(figures.occupancy, 6) == 0.704297
    assert round(figures.service_level, 6) == 0.916792
    assert round(figures.p_abandon * 300 / 60, 6) == 0.069919


@pytest.mark.parametrize(("n", "a", "aht", "within", "patience"), [
    (14, 10, 180, 20, 300),
    (5, 4, 240, 20, 60),
    (8, 10, 300, 30, 90),     # fewer agents than Erlangs: abandonment keeps the queue finite
    (20, 18, 120, 15, 600),
    (3, 6, 200, 10, 20),      # very impatient callers, heavy overload
    (12, 10, 180, 0, 120),    # T = 0: service level = answered at once
])
def test_erlang_a_matches_an_independent_markov_chain(n, a, aht, within, patience):
    expected = markov_chain_erlang_a(n, a, aht, within, patience)
    figures = erlang.queue_figures(n, a, aht, within, patience)
    assert figures.p_wait == pytest.approx(expected["p_wait"], abs=1e-10)
    assert figures.p_abandon == pytest.approx(expected["p_abandon"], abs=1e-10)
    assert figures.service_level == pytest.approx(expected["service_level"], abs=1e-9)
    assert figures.asa_seconds == pytest.approx(expected["asa_seconds"], rel=1e-7, abs=1e-9)
    assert figures.occupancy == pytest.approx(a * (1 - expected["p_abandon"]) / n, abs=1e-10)


def test_erlang_a_tends_to_erlang_c_with_endless_patience():
    c = erlang.queue_figures(55, 48, 240, 20)
    a = erlang.queue_figures(55, 48, 240, 20, 1e9)
    assert a.p_wait == pytest.approx(c.p_wait, abs=1e-6)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-6)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-5)
    assert a.p_abandon < 1e-6


def test_erlang_a_staffing_below_the_offered_load():
    """With impatient callers a target can be met with fewer agents than Erlangs (abandonment thins the queue),
    which Erlang C can never do."""
    n = erlang.agents_for_targets(480, 240, 60, service_level=0.8, patience_seconds=30)
    assert n < 480
    assert erlang.queue_figures(n, 480, 240, 60, 30).service_level >= 0.8
    assert erlang.queue_figures(n - 1, 480, 240, 60, 30).service_level < 0.8


def test_answer_rate_target():
    """R9.2 [000]: answer rate (接通率) ≥ 90 % with callers who wait 60 s on average."""
    n = erlang.agents_for_targets(20, 180, 20, answer_rate=0.9, patience_seconds=60)
    assert 1 - erlang.queue_figures(n, 20, 180, 20, 60).p_abandon >= 0.9
    assert 1 - erlang.queue_figures(n - 1, 20, 180, 20, 60).p_abandon < 0.9
    both = erlang.agents_for_targets(20, 180, 20, answer_rate=0.9, service_level=0.8, patience_seconds=60)
    assert both == max(n, erlang.agents_for_targets(20, 180, 20, service_level=0.8, patience_seconds=60))
    # Erlang C answers every call of a stable queue: the target only asks for N > A.
    assert erlang.agents_for_targets(20.5, 180, 20, answer_rate=0.9) == 21


# --- Stability at 1,000 and 5,000 Erlangs --------------------------------------------------------------------

def erlang_b_by_recursion(n: int, a: float) -> float:
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


@pytest.mark.parametrize("traffic", [1000, 5000, 20000])
def test_stable_at_thousands_of_erlangs(traffic):
    for offset in (-200, -1, 0, 1, 10, 50, 200):
        n = traffic + offset
        assert erlang.erlang_b(n, traffic) == pytest.approx(erlang_b_by_recursion(n, traffic), rel=1e-9)
    n_c = erlang.agents_for_targets(traffic, 180, 20, service_level=0.8)
    c = erlang.queue_figures(n_c, traffic, 180, 20)
    assert traffic < n_c < traffic * 1.05
    assert c.service_level >= 0.8 > erlang.queue_figures(n_c - 1, traffic, 180, 20).service_level
    assert 0 < c.p_wait < 1 and c.asa_seconds > 0 and 0.95 < c.occupancy < 1
    for patience in (30, 120, 3600):
        n_a = erlang.agents_for_targets(traffic, 180, 20, service_level=0.8, patience_seconds=patience)
        a = erlang.queue_figures(n_a, traffic, 180, 20, patience)
        values = [a.service_level, a.p_wait, a.p_abandon, a.occupancy, a.asa_seconds]
        assert all(math.isfinite(v) for v in values), values
        assert a.service_level >= 0.8 > erlang.queue_figures(n_a - 1, traffic, 180, 20, patience).service_level
        assert 0 <= a.p_abandon <= 1 and 0 <= a.occupancy <= 1


def test_erlang_a_in_extreme_regimes_stays_finite():
    cases = [(1, 5000, 60, 20, 600), (5000, 1, 60, 20, 600), (50, 5000, 600, 20, 5),
             (4000, 5000, 30, 20, 86400), (1200, 1000, 30, 20, 3600), (10, 9.5, 60, 20, 1e7)]
    for n, a, aht, within, patience in cases:
        f = erlang.queue_figures(n, a, aht, within, patience)
        for value in (f.service_level, f.p_wait, f.p_abandon, f.occupancy, f.asa_seconds):
            assert value is not None and math.isfinite(value) and value >= 0, (n, a, f)
        assert f.service_level <= 1 and f.p_abandon <= f.p_wait + 1e-12


# --- Edge cases of the contract --------------------------------------------------------------------------------

def test_unstable_erlang_c_and_zero_traffic():
    for n in (0, 5, 10):
        f = erlang.queue_figures(n, 10, 180, 20)
        assert (f.p_wait, f.service_level, f.asa_seconds) == (1.0, 0.0, None)
    zero = erlang.staffing(calls=0, interval_seconds=1800, aht_seconds=180, answer_within_seconds=20,
                           service_level="0.8", shrinkage="0.3", max_occupancy="0.85")
    assert (zero.figures.agents, zero.scheduled_agents, zero.figures.service_level, zero.figures.p_wait) == (0, 0, 1, 0)
    zero_a = erlang.staffing(calls=0, interval_seconds=1800, aht_seconds=180, answer_within_seconds=20,
                             answer_rate="0.9", patience_seconds=60)
    assert zero_a.as_dict()["agents"] == 0 and zero_a.as_dict()["p_abandon"] == 0
    nobody = erlang.queue_figures(0, 3, 180, 20, 60)
    assert (nobody.p_abandon, nobody.service_level, nobody.asa_seconds) == (1.0, 0.0, None)


def test_fractional_calls():
    result = erlang.staffing(calls="12.5", interval_seconds=900, aht_seconds=216, answer_within_seconds=20,
                             service_level="0.8")
    assert result.figures.traffic_erlangs == 3.0
    assert result.figures.agents == erlang.agents_for_targets(3.0, 216, 20, service_level=0.8)


def test_shrinkage_and_cap_are_exact():
    assert erlang.with_shrinkage(17, "0.15") == 20
    assert math.ceil(21 / (1 - 0.3)) == 31  # the floating-point trap the exact ceiling avoids
    assert erlang.with_shrinkage(21, "0.3") == 30
    assert erlang.with_shrinkage(21, 0.3) == 30
    assert erlang.with_shrinkage(17, 0.15) == 20
    assert erlang.with_shrinkage(14, "0.3") == 20
    assert erlang.with_shrinkage(20, 0) == 20
    assert erlang.occupancy_capped(10, 17, "0.85") == 20  # 17 / 0.85 = 20 exactly
    assert erlang.occupancy_capped(25, 17, "0.85") == 25
    result = erlang.staffing(calls=17, interval_seconds=1, aht_seconds=1, answer_within_seconds=0, agents=17,
                             shrinkage="0.15")
    assert result.scheduled_agents == 20


def test_evaluating_given_agents_applies_no_cap():
    result = erlang.staffing(calls=100, interval_seconds=1800, aht_seconds=180, answer_within_seconds=20, agents=11,
                             max_occupancy="0.5", shrinkage="0.3")
    assert result.figures.agents == 11 and result.scheduled_agents == 16
    assert result.as_dict()["p_wait"] == pytest.approx(0.6821, abs=5e-5)


def test_batch_equals_one_by_one():
    rng = np.random.default_rng(7)
    traffic = rng.uniform(0, 300, 60)
    aht = rng.choice([60, 180, 300], 60)
    patience = rng.choice([30, 90, 240], 60)
    for p in (None, patience):
        agents = erlang.agents_array(traffic, aht, 20, service_level=0.8, patience_seconds=p)
        figures = erlang.figures_array(agents, traffic, aht, 20, p)
        for i in range(0, 60, 7):
            one = erlang.agents_for_targets(traffic[i], aht[i], 20, service_level=0.8,
                                            patience_seconds=None if p is None else p[i])
            assert agents[i] == one
            f = erlang.queue_figures(one, traffic[i], aht[i], 20, None if p is None else p[i])
            assert figures["service_level"][i] == pytest.approx(f.service_level, abs=1e-12)


# --- Monotonicity (hypothesis) ---------------------------------------------------------------------------------

load = st.floats(min_value=0.05, max_value=400, allow_nan=False)
aht = st.integers(min_value=30, max_value=900)
within = st.integers(min_value=0, max_value=120)
patience = st.floats(min_value=5, max_value=3600, allow_nan=False)
share = st.floats(min_value=0.05, max_value=0.98, allow_nan=False)
quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(load, aht, within, patience)
def test_more_agents_never_serve_worse(a, handling, t, p):
    start = max(0, math.floor(a) - 3)
    c_levels = [erlang.queue_figures(n, a, handling, t).service_level for n in range(start, start + 12)]
    assert all(later >= earlier - 1e-12 for earlier, later in zip(c_levels, c_levels[1:], strict=False))
    a_figures = [erlang.queue_figures(n, a, handling, t, p) for n in range(start, start + 12)]
    for earlier, later in zip(a_figures, a_figures[1:], strict=False):
        assert later.service_level >= earlier.service_level - 1e-9
        assert later.p_abandon <= earlier.p_abandon + 1e-9
        assert later.p_wait <= earlier.p_wait + 1e-9


@quick
@given(load, aht, within, share, st.floats(min_value=1.01, max_value=3))
def test_more_calls_never_need_fewer_agents(a, handling, t, target, factor):
    assert (erlang.agents_for_targets(a * factor, handling, t, service_level=target)
            >= erlang.agents_for_targets(a, handling, t, service_level=target))


@quick
@given(load, aht, within, patience, share, share)
def test_stricter_targets_never_need_fewer_agents(a, handling, t, p, first, second):
    low, high = sorted((first, second))
    assert (erlang.agents_for_targets(a, handling, t, service_level=high, patience_seconds=p)
            >= erlang.agents_for_targets(a, handling, t, service_level=low, patience_seconds=p))
    assert (erlang.agents_for_targets(a, handling, t, answer_rate=high, patience_seconds=p)
            >= erlang.agents_for_targets(a, handling, t, answer_rate=low, patience_seconds=p))
    n = erlang.agents_for_targets(a, handling, t, service_level=high, patience_seconds=p)
    assert erlang.queue_figures(n, a, handling, t, p).service_level >= high
    assert n == 0 or erlang.queue_figures(n - 1, a, handling, t, p).service_level < high


@quick
@given(st.integers(min_value=0, max_value=10_000), st.decimals(min_value=0, max_value="0.95", places=2))
def test_shrinkage_ceiling_is_the_exact_one(agents, shrinkage):
    scheduled = erlang.with_shrinkage(agents, shrinkage)
    assert scheduled * (1 - Fraction(shrinkage)) >= agents
    assert (scheduled - 1) * (1 - Fraction(shrinkage)) < agents or scheduled == 0
