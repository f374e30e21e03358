"""Erlang C and Erlang A staffing (R9.2) — a pure module: no database, no Django.

Definitions (the staffing page states the same):

* traffic A = calls × AHT / interval length, in Erlangs;
* Erlang C (M/M/N, callers never hang up): P(wait) = C(N, A); service level = 1 − C·e^{−(N−A)·T/AHT};
  ASA = C·AHT / (N − A); occupancy = A / N. With N ≤ A the queue is unstable: P(wait) 1, service level 0,
  ASA undefined (None), every agent busy (occupancy 1);
* Erlang A (Palm's M/M/N+M: a waiting caller hangs up after an exponential patience with mean P):
  service level = calls answered within T / all offered calls (abandoned calls count as failures);
  ASA = mean wait of the answered calls; answer rate (接通率) = 1 − P(abandon); occupancy = carried load / N
  = A·(1 − P(abandon)) / N;
* agents for a target = the smallest N meeting it (N > A under Erlang C); then the occupancy cap
  max(N, ⌈A / max occupancy⌉); then shrinkage ⌈N / (1 − shrinkage)⌉. Both ceilings use exact fractions from
  the decimal inputs (`fractions.Fraction`), so 17 agents with 15 % shrinkage give 20, not 21.

Numerical method — no factorials, stable far beyond 1,000 Erlangs, vectorised over many intervals with numpy
(a day's plan of 96 intervals × 20 queues is one call):

* Erlang B in log space: ln B = N·ln A − A − lnΓ(N+1) − ln Q(N+1, A), Q being scipy's regularised upper
  incomplete gamma (Q(N+1, A) = P(Poisson(A) ≤ N)); when Q underflows (N far below A) from the finite series
  1/B = Σ_i ∏_{m<i}(N−m)/A, whose terms only shrink. The Erlang C search walks N upwards with the classical
  recursion B(N+1) = A·B(N) / (N+1 + A·B(N)); C = B / (1 − ρ(1 − B)) is evaluated as B / ((N−A)/N + ρB),
  which has no cancellation near ρ = 1.
* Erlang A after Mandelbaum & Zeltyn, "The M/M/n+G queue: summary of performance measures" (Technion, 2007)
  and Garnett, Mandelbaum & Reiman, "Designing a call center with impatient customers" (M&SOM 4(3), 2002).
  Time in units of AHT; r = AHT/P; x = N/r; y = A/r;
  𝒜(x, y) = x·e^y·y^{−x}·γ(x, y) = 1 + Σ_{k≥1} y^k / ∏_{i≤k}(x+i)   (γ: lower incomplete gamma);
  P(wait) = 𝒜·E / (1 − E + 𝒜·E), E = Erlang B(N, A). The offered wait V has the density
  N·π_N·exp{y(1 − e^{−rv}) − Nv} for v > 0 (Baccelli & Hébuterne 1981); integrating it against the patience
  survival e^{−rv} gives, for a caller who must wait,
  P(answered) = x/(x+1) · 𝒜(x+1, y) / 𝒜(x, y)   [equivalently 1/ρ − 1/(ρ𝒜), Mandelbaum & Zeltyn],
  P(answered after more than t) = x/(x+1) · e^{−(N+r)t + y(1−e^{−rt})} · 𝒜(x+1, y·e^{−rt}) / 𝒜(x, y).
  Everything is computed as logarithms: ln 𝒜 from scipy's regularised gamma, or from its series when
  y ≪ x. The mean wait of the answered callers who waited is the mean of the log-concave density
  ∝ exp{y(1 − e^{−u}) − (x+1)u} (u = rV), taken by Gauss–Legendre quadrature over the window where the
  density is within e^{−40} of its peak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.special import expit, gammainc, gammaincc, gammaln

Number = int | float | Decimal | Fraction | str
ArrayLike = Any

ERLANG_C = "erlang_c"
ERLANG_A = "erlang_a"

# Guards against absurd input (a typing slip such as 10^12 calls), not policy numbers: the largest call
# centres carry a few thousand Erlangs per queue.
MAX_TRAFFIC_ERLANGS = 100_000
MAX_AGENTS = 1_000_000

_TINY = 1e-250
_WINDOW = 40.0  # the quadrature covers the region where the density is within e^-40 of its peak
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(24)
_PANELS = 8


# --- Exact arithmetic for the ceilings ----------------------------------------------------------------------

def exact(value: Number) -> Fraction:
    """An exact fraction from a decimal string, int, Decimal or Fraction (a float through its shortest repr)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    if isinstance(value, str):
        return Fraction(Decimal(value.strip()))
    return Fraction(value)


def traffic_erlangs(calls: Number, interval_seconds: Number, aht_seconds: Number) -> Fraction:
    """R9.2: offered traffic A = calls × AHT / interval, exactly."""
    return exact(calls) * exact(aht_seconds) / exact(interval_seconds)


def occupancy_capped(agents: int, traffic: Number, max_occupancy: Number) -> int:
    """R9.2: max(N, ⌈A / max occupancy⌉), computed exactly."""
    return max(agents, math.ceil(exact(traffic) / exact(max_occupancy)))


def with_shrinkage(agents: int, shrinkage: Number) -> int:
    """R9.2: agents to schedule so that `agents` are on the phones: ⌈N / (1 − shrinkage)⌉, exactly.

    17 agents with shrinkage 0.15 give 17 / 0.85 = 20, and 21 agents with shrinkage 0.3 give 30 — where floating
    point computes 21 / (1 − 0.3) = 30.000000000000004 and would schedule 31.
    """
    return math.ceil(Fraction(agents) / (1 - exact(shrinkage)))


# --- Vectorised building blocks -----------------------------------------------------------------------------

def _log1p_series_of_shrinking_products(n: float, a: float) -> float:
    """ln Σ_{i=0}^{N} ∏_{m<i}(N−m)/A for N ≤ A (every ratio below 1); only the first ~10√N terms matter."""
    count = int(min(n, 10 * math.sqrt(n) + 40))
    terms = np.cumprod((n - np.arange(count, dtype=float)) / a)
    return math.log1p(float(terms.sum()))


def log_erlang_b_array(agents: ArrayLike, traffic: ArrayLike) -> np.ndarray:
    """ln B(N, A), Erlang B, element-wise; 0 for N = 0, −∞ for A = 0 < N."""
    n, a = np.broadcast_arrays(np.atleast_1d(np.asarray(agents, dtype=float)), np.asarray(traffic, dtype=float))
    out = np.zeros(n.shape)
    with np.errstate(all="ignore"):
        busy = (n > 0) & (a > 0)
        out[(n > 0) & (a <= 0)] = -np.inf
        cdf = np.where(busy, gammaincc(n + 1, np.where(busy, a, 1.0)), 1.0)
        closed = busy & (cdf > _TINY)
        out[closed] = (n * np.log(a) - a - gammaln(n + 1) - np.log(cdf))[closed]
    for index in zip(*np.nonzero(busy & ~closed), strict=True):
        out[index] = -_log1p_series_of_shrinking_products(float(n[index]), float(a[index]))
    return out


def _log_a_series(s: float, z: float) -> float:
    count = int(12 * math.sqrt(s)) + 60
    logs = np.cumsum(math.log(z) - np.log(s + np.arange(1, count + 1, dtype=float)))
    top = max(0.0, float(logs.max()))
    return top + math.log(math.exp(-top) + float(np.exp(logs - top).sum()))


def log_a_array(s: ArrayLike, z: ArrayLike) -> np.ndarray:
    """ln 𝒜(s, z), 𝒜(s, z) = 1 + Σ_{k≥1} z^k / ∏_{i=1}^{k}(s+i) = s·e^z·z^{−s}·γ(s, z), element-wise."""
    s, z = np.broadcast_arrays(np.atleast_1d(np.asarray(s, dtype=float)), np.asarray(z, dtype=float))
    out = np.zeros(s.shape)
    with np.errstate(all="ignore"):
        positive = z > 0
        p = np.where(positive, gammainc(s, np.where(positive, z, 1.0)), 1.0)
        closed = positive & (p > _TINY)
        out[closed] = (gammaln(s + 1) + z - s * np.log(z) + np.log(p))[closed]
    # γ(s, z) underflows only when z lies far below s, where the series converges geometrically.
    for index in zip(*np.nonzero(positive & ~closed), strict=True):
        out[index] = _log_a_series(float(s[index]), float(z[index]))
    return out


def _phi(u: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return y * -np.expm1(-u) - (x + 1) * u


def _mean_wait_of_answered_waiters(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """E[rV | answered, V > 0]: the mean of u under the density ∝ exp{y(1 − e^{−u}) − (x+1)u} on u > 0."""
    with np.errstate(all="ignore"):
        mode = np.where(y > x + 1, np.log(y / (x + 1)), 0.0)
    peak = _phi(mode, x, y)
    floor = peak - _WINDOW

    def edge(inside: np.ndarray, outside: np.ndarray) -> np.ndarray:
        for _ in range(48):
            middle = 0.5 * (inside + outside)
            keep = _phi(middle, x, y) >= floor
            inside = np.where(keep, middle, inside)
            outside = np.where(keep, outside, middle)
        return outside

    right = edge(mode, np.maximum(mode + 1e-9, (y - peak + _WINDOW) / (x + 1)) + 1.0)
    left = np.where((mode > 0) & (_phi(np.zeros_like(mode), x, y) < floor), edge(mode, np.zeros_like(mode)), 0.0)
    fractions_ = np.linspace(0.0, 1.0, _PANELS + 1)
    bounds = left[:, None] + (right - left)[:, None] * fractions_[None, :]
    half = (bounds[:, 1:] - bounds[:, :-1]) / 2
    centre = (bounds[:, 1:] + bounds[:, :-1]) / 2
    nodes = (centre[:, :, None] + half[:, :, None] * _GL_NODES[None, None, :]).reshape(len(x), -1)
    weights = (half[:, :, None] * _GL_WEIGHTS[None, None, :]).reshape(len(x), -1)
    density = weights * np.exp(_phi(nodes, x[:, None], y[:, None]) - peak[:, None])
    total = density.sum(axis=1)
    return np.where(total > 0, (density * nodes).sum(axis=1) / np.where(total > 0, total, 1.0), 0.0)


def _erlang_a_core(n: np.ndarray, a: np.ndarray, r: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """P(wait), P(answered | wait), service level and P(abandon) for N ≥ 1 agents and A > 0 Erlangs."""
    x, y = n / r, a / r
    log_e = log_erlang_b_array(n, a)
    log_a1 = log_a_array(x, y)
    with np.errstate(all="ignore"):
        blocking = np.exp(log_e)
        p_wait = np.where(blocking >= 1.0, 1.0, expit(-(np.log1p(-blocking) - log_e - log_a1)))
        log_shape = np.log(x / (x + 1))
        answered_if_waiting = np.minimum(1.0, np.exp(log_shape + log_a_array(x + 1, y) - log_a1))
        late_exponent = (log_shape - (n + r) * t + y * -np.expm1(-r * t)
                         + log_a_array(x + 1, y * np.exp(-r * t)) - log_a1)
        late = np.where(t > 0, np.exp(np.minimum(0.0, late_exponent)), answered_if_waiting)
    p_abandon = p_wait * (1.0 - answered_if_waiting)
    service_level = (1.0 - p_wait) + p_wait * np.maximum(0.0, answered_if_waiting - late)
    return {"x": x, "y": y, "p_wait": np.clip(p_wait, 0.0, 1.0), "answered_if_waiting": answered_if_waiting,
            "p_abandon": np.clip(p_abandon, 0.0, 1.0), "service_level": np.clip(service_level, 0.0, 1.0)}


def _arrays(*values: ArrayLike) -> list[np.ndarray]:
    return [np.atleast_1d(v).astype(float) for v in np.broadcast_arrays(*[np.asarray(v, dtype=float)
                                                                         for v in values])]


# --- Figures at a given staffing ----------------------------------------------------------------------------

def figures_array(agents: ArrayLike, traffic: ArrayLike, aht_seconds: ArrayLike, answer_within_seconds: ArrayLike,
                  patience_seconds: ArrayLike | None = None, *, with_asa: bool = True) -> dict[str, np.ndarray]:
    """R9.2: what N agents achieve, element-wise. Undefined figures (ASA of an unstable queue, occupancy of
    zero agents) are NaN. Erlang A when `patience_seconds` is given, Erlang C otherwise."""
    if patience_seconds is None:
        n, a, aht, within = _arrays(agents, traffic, aht_seconds, answer_within_seconds)
        return _erlang_c_figures(n, a, aht, within)
    n, a, aht, within, patience = _arrays(agents, traffic, aht_seconds, answer_within_seconds, patience_seconds)
    return _erlang_a_figures(n, a, aht, within, patience, with_asa)


def _erlang_c_figures(n: np.ndarray, a: np.ndarray, aht: np.ndarray, within: np.ndarray) -> dict[str, np.ndarray]:
    stable = (n > a) & (a > 0)
    with np.errstate(all="ignore"):
        blocking = np.where(stable, np.exp(log_erlang_b_array(np.where(stable, n, 1), np.where(stable, a, 1))), 0)
        c = np.where(stable, blocking / ((n - a) / n + (a / n) * blocking), 0.0)
        service_level = np.clip(1.0 - c * np.exp(-(n - a) * within / aht), 0.0, 1.0)
        asa = c * aht / (n - a)
        occupancy = a / n
    idle = a <= 0
    return {
        "p_wait": np.where(stable, c, np.where(idle, 0.0, 1.0)),
        "service_level": np.where(stable, service_level, np.where(idle, 1.0, 0.0)),
        "asa_seconds": np.where(stable, asa, np.where(idle, 0.0, np.nan)),
        "occupancy": np.where(n > 0, np.where(stable | idle, occupancy, 1.0), np.nan),
    }


def _erlang_a_figures(n: np.ndarray, a: np.ndarray, aht: np.ndarray, within: np.ndarray, patience: np.ndarray,
                      with_asa: bool) -> dict[str, np.ndarray]:
    size = n.shape
    out = {"p_wait": np.zeros(size), "service_level": np.ones(size), "asa_seconds": np.zeros(size),
           "occupancy": np.where(n > 0, 0.0, np.nan), "p_abandon": np.zeros(size)}
    nobody = (n <= 0) & (a > 0)
    out["p_wait"][nobody] = 1.0
    out["service_level"][nobody] = 0.0
    out["asa_seconds"][nobody] = np.nan
    out["p_abandon"][nobody] = 1.0
    busy = (n > 0) & (a > 0)
    if not busy.any():
        return out
    nb, ab, ahtb, patb = n[busy], a[busy], aht[busy], patience[busy]
    r = ahtb / patb
    core = _erlang_a_core(nb, ab, r, within[busy] / ahtb)
    answered = 1.0 - core["p_abandon"]
    out["p_wait"][busy] = core["p_wait"]
    out["service_level"][busy] = core["service_level"]
    out["p_abandon"][busy] = core["p_abandon"]
    out["occupancy"][busy] = np.minimum(1.0, ab * answered / nb)
    if with_asa:
        waited_and_answered = core["p_wait"] * core["answered_if_waiting"]
        asa = np.zeros(len(nb))
        waited = waited_and_answered > 0
        if waited.any():
            mean_u = _mean_wait_of_answered_waiters(core["x"][waited], core["y"][waited])
            asa[waited] = patb[waited] * mean_u * waited_and_answered[waited] / answered[waited]
        out["asa_seconds"][busy] = np.where(answered > 0, asa, np.nan)
    else:
        out["asa_seconds"][busy] = np.nan
    return out


# --- Minimum agents for a target ----------------------------------------------------------------------------

def agents_array(traffic: ArrayLike, aht_seconds: ArrayLike, answer_within_seconds: ArrayLike, *,
                 service_level: float | None = None, answer_rate: float | None = None,
                 patience_seconds: ArrayLike | None = None) -> np.ndarray:
    """R9.2: the smallest number of agents on the phones meeting every target given, element-wise (before the
    occupancy cap). Zero traffic needs zero agents. Under Erlang C (no patience) N > A, and every stable
    staffing answers every call, so an answer-rate target alone gives ⌊A⌋ + 1."""
    if patience_seconds is None:
        a, aht, within = _arrays(traffic, aht_seconds, answer_within_seconds)
        return _erlang_c_agents(a, aht, within, service_level)
    a, aht, within, patience = _arrays(traffic, aht_seconds, answer_within_seconds, patience_seconds)
    return _erlang_a_agents(a, aht, within, patience, service_level, answer_rate)


def _erlang_c_agents(a: np.ndarray, aht: np.ndarray, within: np.ndarray, target: float | None) -> np.ndarray:
    result = np.where(a > 0, np.floor(a) + 1, 0).astype(np.int64)
    if target is None:
        return result
    todo = np.nonzero(a > 0)[0]
    n = np.floor(a[todo]) + 1
    blocking = np.exp(log_erlang_b_array(n, a[todo]))
    aa, slope = a[todo], within[todo] / aht[todo]
    for _ in range(MAX_AGENTS):
        c = blocking / ((n - aa) / n + (aa / n) * blocking)
        met = 1.0 - c * np.exp(-(n - aa) * slope) >= target
        result[todo[met]] = n[met]
        keep = ~met
        if not keep.any():
            return result
        todo, n, blocking, aa, slope = todo[keep], n[keep], blocking[keep], aa[keep], slope[keep]
        blocking = aa * blocking / (n + 1 + aa * blocking)
        n = n + 1
    raise ArithmeticError("Erlang C search did not converge")  # pragma: no cover - SL → 1 as N grows


def _erlang_a_agents(a: np.ndarray, aht: np.ndarray, within: np.ndarray, patience: np.ndarray,
                     service_level: float | None, answer_rate: float | None) -> np.ndarray:
    """Both figures grow with N (more agents never answer fewer calls), so bracket, then bisect."""
    result = np.zeros(a.shape, dtype=np.int64)
    if (service_level is None or service_level <= 0) and (answer_rate is None or answer_rate <= 0):
        return result
    todo = np.nonzero(a > 0)[0]

    def meets(n: np.ndarray, index: np.ndarray) -> np.ndarray:
        core = _erlang_a_core(n, a[index], aht[index] / patience[index], within[index] / aht[index])
        ok = np.ones(len(index), dtype=bool)
        if service_level is not None:
            ok &= core["service_level"] >= service_level
        if answer_rate is not None:
            ok &= 1.0 - core["p_abandon"] >= answer_rate
        return ok

    low = np.zeros(len(todo))  # zero agents never meet a positive target
    high = np.ceil(a[todo] + 3 * np.sqrt(a[todo]) + 3)
    failing = ~meets(high, todo)
    while failing.any():
        if (high > MAX_AGENTS).any():
            raise ArithmeticError("Erlang A search did not converge")  # pragma: no cover
        low[failing] = high[failing]
        high[failing] = 2 * high[failing] + 1
        failing[failing] = ~meets(high[failing], todo[failing])
    open_ = high - low > 1
    while open_.any():
        middle = np.floor((low[open_] + high[open_]) / 2)
        ok = meets(middle, todo[open_])
        high[open_] = np.where(ok, middle, high[open_])
        low[open_] = np.where(ok, low[open_], middle)
        open_ = high - low > 1
    result[todo] = high.astype(np.int64)
    return result


# --- One interval (the command line, the API and the web page) -----------------------------------------------

@dataclass(frozen=True)
class QueueFigures:
    """What N agents achieve on one interval's traffic. `p_abandon` is None under Erlang C."""

    model: str
    agents: int
    traffic_erlangs: float
    service_level: float
    asa_seconds: float | None
    occupancy: float | None
    p_wait: float
    p_abandon: float | None = None

    @property
    def answer_rate(self) -> float:
        """接通率 [000]: answered / offered. Under Erlang C a stable queue answers every call, an unstable none
        in the long run."""
        if self.p_abandon is not None:
            return 1.0 - self.p_abandon
        return 0.0 if self.asa_seconds is None else 1.0


def _scalar(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def queue_figures(agents: int, traffic: float, aht_seconds: float, answer_within_seconds: float,
                  patience_seconds: float | None = None) -> QueueFigures:
    """R9.2 for one interval: Erlang A when a patience is given, Erlang C otherwise (the issue's rule)."""
    data = figures_array(agents, traffic, aht_seconds, answer_within_seconds, patience_seconds)
    model = ERLANG_C if patience_seconds is None else ERLANG_A
    return QueueFigures(
        model=model, agents=int(agents), traffic_erlangs=float(traffic),
        service_level=float(data["service_level"][0]), asa_seconds=_scalar(data["asa_seconds"][0]),
        occupancy=_scalar(data["occupancy"][0]), p_wait=float(data["p_wait"][0]),
        p_abandon=float(data["p_abandon"][0]) if model == ERLANG_A else None)


def erlang_b(agents: int, traffic: float) -> float:
    """Erlang B: the probability that a call finding N busy lines is lost (M/M/N/N)."""
    return float(np.exp(log_erlang_b_array(agents, traffic))[0])


def erlang_c(agents: int, traffic: float) -> float:
    """Erlang C: the probability that a call must wait (M/M/N); 1 when N ≤ A (unstable queue)."""
    return float(_erlang_c_figures(*_arrays(agents, traffic, 1.0, 0.0))["p_wait"][0])


def agents_for_targets(traffic: float, aht_seconds: float, answer_within_seconds: float, *,
                       service_level: float | None = None, answer_rate: float | None = None,
                       patience_seconds: float | None = None) -> int:
    """R9.2: the smallest N meeting every target for one interval (before the occupancy cap)."""
    return int(agents_array(traffic, aht_seconds, answer_within_seconds, service_level=service_level,
                            answer_rate=answer_rate, patience_seconds=patience_seconds)[0])


@dataclass(frozen=True)
class Staffing:
    """The answer of `kefu staffing`: the figures at `agents` and the agents to schedule after shrinkage."""

    figures: QueueFigures
    scheduled_agents: int

    def as_dict(self) -> dict[str, object]:
        f = self.figures
        data: dict[str, object] = {
            "model": f.model, "traffic_erlangs": f.traffic_erlangs, "agents": f.agents,
            "scheduled_agents": self.scheduled_agents, "service_level": f.service_level,
            "asa_seconds": f.asa_seconds, "occupancy": f.occupancy, "p_wait": f.p_wait,
        }
        if f.model == ERLANG_A:
            data["p_abandon"] = f.p_abandon
        return data


def staffing(*, calls: Number, interval_seconds: Number, aht_seconds: Number, answer_within_seconds: Number,
             service_level: Number | None = None, answer_rate: Number | None = None, agents: int | None = None,
             patience_seconds: Number | None = None, shrinkage: Number = 0, max_occupancy: Number = 1) -> Staffing:
    """R9.2 end to end for one interval: traffic, minimum agents (or the given `agents`), cap, shrinkage.

    The inputs are taken as valid (`kefu.workforce.selectors.staffing_calculate` checks them). A given
    `agents` is evaluated as it is: no occupancy cap; shrinkage only for `scheduled_agents`.
    """
    traffic = traffic_erlangs(calls, interval_seconds, aht_seconds)
    a = float(traffic)
    aht, within = float(exact(aht_seconds)), float(exact(answer_within_seconds))
    patience = None if patience_seconds is None else float(exact(patience_seconds))
    if agents is None:
        n = agents_for_targets(a, aht, within, patience_seconds=patience,
                               service_level=None if service_level is None else float(exact(service_level)),
                               answer_rate=None if answer_rate is None else float(exact(answer_rate)))
        n = occupancy_capped(n, traffic, max_occupancy)
    else:
        n = int(agents)
    return Staffing(figures=queue_figures(n, a, aht, within, patience), scheduled_agents=with_shrinkage(n, shrinkage))
