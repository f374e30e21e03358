"""R9.2: Erlang C and Erlang A against an independent discrete-event simulation of M/M/N and M/M/N+M.

The simulation shares no code with `erlang.py`: Poisson arrivals, exponential handling times and patience drawn
with numpy (fixed seed), one first-come-first-served queue, and for each caller the agent who frees up first
(a heap of the agents' free times). A caller whose offered wait exceeds his patience hangs up and takes no
agent. The first 10 % of calls warm the queue up; the standard error comes from 20 batch means, and each figure
must lie within 4 standard errors (plus a small absolute slack) of the formula.
"""

import heapq
import math

import numpy as np
import pytest

from kefu.workforce import erlang

CALLS = 200_000
BATCHES = 20


def simulate(traffic: float, agents: int, aht: float, within: float, patience: float | None, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(aht / traffic, CALLS)).tolist()
    handling = rng.exponential(aht, CALLS).tolist()
    patiences = rng.exponential(patience, CALLS).tolist() if patience else [math.inf] * CALLS
    free = [0.0] * agents
    waits = np.empty(CALLS)
    answered = np.zeros(CALLS, dtype=bool)
    for i, (arrival, duration, limit) in enumerate(zip(arrivals, handling, patiences, strict=True)):
        start = max(arrival, free[0])
        wait = start - arrival
        waits[i] = wait
        if wait <= limit:
            answered[i] = True
            heapq.heapreplace(free, start + duration)
    keep = slice(CALLS // 10, None)
    waits, answered = waits[keep], answered[keep]
    batches = np.array_split(np.arange(len(waits)), BATCHES)

    def figure(values_of):
        per_batch = np.array([values_of(waits[b], answered[b]) for b in batches])
        return values_of(waits, answered), per_batch.std(ddof=1) / math.sqrt(BATCHES)

    return {
        "service_level": figure(lambda w, a: np.mean(a & (w <= within))),
        "p_wait": figure(lambda w, a: np.mean(w > 0)),
        "p_abandon": figure(lambda w, a: np.mean(~a)),
        "asa_seconds": figure(lambda w, a: w[a].mean()),
    }


def close(simulated: tuple[float, float], formula: float, slack: float) -> bool:
    value, standard_error = simulated
    return abs(value - formula) <= 4 * standard_error + slack


@pytest.mark.parametrize(("traffic", "agents", "aht", "within", "seed"), [
    (10, 14, 180, 20, 1),   # the Call Centre Helper example at its answer
    (48, 55, 240, 15, 2),   # the Westbay example
    (4.5, 6, 300, 30, 3),
])
def test_erlang_c_against_simulation(traffic, agents, aht, within, seed):
    figures = erlang.queue_figures(agents, traffic, aht, within)
    simulated = simulate(traffic, agents, aht, within, None, seed)
    assert close(simulated["service_level"], figures.service_level, 0.003), (simulated, figures)
    assert close(simulated["p_wait"], figures.p_wait, 0.003), (simulated, figures)
    assert close(simulated["asa_seconds"], figures.asa_seconds, 0.02 * figures.asa_seconds), (simulated, figures)
    assert simulated["p_abandon"][0] == 0


@pytest.mark.parametrize(("traffic", "agents", "aht", "within", "patience", "seed"), [
    (10, 14, 180, 20, 300, 4),
    (20, 18, 240, 20, 90, 5),    # fewer agents than Erlangs
    (30, 31, 120, 30, 60, 6),
    (6, 4, 300, 20, 30, 7),      # heavy overload, impatient callers
])
def test_erlang_a_against_simulation(traffic, agents, aht, within, patience, seed):
    figures = erlang.queue_figures(agents, traffic, aht, within, patience)
    simulated = simulate(traffic, agents, aht, within, patience, seed)
    assert close(simulated["service_level"], figures.service_level, 0.003), (simulated, figures)
    assert close(simulated["p_wait"], figures.p_wait, 0.003), (simulated, figures)
    assert close(simulated["p_abandon"], figures.p_abandon, 0.002), (simulated, figures)
    assert close(simulated["asa_seconds"], figures.asa_seconds, 0.02 * figures.asa_seconds), (simulated, figures)
