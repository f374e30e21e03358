"""Contact-volume forecast per queue and interval (R9.1) — a pure module: numpy and statsmodels, no database.

The history is a matrix of whole days × intervals (15 or 30 minutes) of offered contacts. Each day has a *kind*
read from China's official schedule (`kefu.workforce.selectors.day_kinds`): an ordinary working day, an ordinary
rest day (weekend), a public holiday or an adjusted working day (调休, a weekend worked). The kind is a feature
of both models, not noise: an ordinary day is compared only with ordinary days, a holiday with holidays and an
adjusted working day with adjusted working days, and their effect is measured on the history.

Two models (issue 7 item 1):

* **Seasonal naive** (the baseline): a day repeats the last comparable day of the history, interval by
  interval — the same weekday for an ordinary day; the last holiday (else the last ordinary Sunday) for a
  holiday; the last adjusted working day (else the last ordinary working day) for an adjusted working day.
* **Holt-Winters** (ETS with additive damped trend and weekly seasonality, statsmodels'
  `ExponentialSmoothing`) on the day totals, times the day's intraday shape (the mean share of each interval on
  the last comparable days). Holidays and adjusted working days are taken out of the daily series first (each
  replaced by the mean of the nearest ordinary days of the same weekday), and put back as a multiplicative effect
  measured on the history: the median ratio of their actual total to that ordinary equivalent. A kind never seen
  in the history falls back to a Sunday's level (holiday) or the mean of the next week's working days (adjusted
  working day).

Model choice (per queue): a backtest holds out the last `backtest_days` days, fits each model on the days before,
and measures WAPE = Σ|actual − forecast| / Σ actual over the held-out intervals (MAPE, the mean of
|actual − forecast| / actual over intervals with contacts, is reported too). The model with the lower WAPE is
refitted on the whole history and forecasts the horizon; ties go to the simpler seasonal naive. WAPE decides
because MAPE explodes on quiet night intervals with one or two contacts.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

WORKING_DAY = "working_day"
REST_DAY = "rest_day"
HOLIDAY = "holiday"
ADJUSTED_WORKING_DAY = "adjusted_working_day"
DAY_KINDS = (WORKING_DAY, REST_DAY, HOLIDAY, ADJUSTED_WORKING_DAY)
ORDINARY = (WORKING_DAY, REST_DAY)

SEASONAL_NAIVE = "seasonal_naive"
HOLT_WINTERS = "holt_winters"
MODELS = (SEASONAL_NAIVE, HOLT_WINTERS)

WEEK = 7
MIN_DAYS_HOLT_WINTERS = 2 * WEEK  # two full seasons for the seasonal start values
SHAPE_DAYS = 4  # comparable days averaged for an intraday shape

DayKind = Callable[[date], str]


def plain_day_kind(day: date) -> str:
    """The kind of a day without an official schedule: Monday to Friday work, the weekend off."""
    return WORKING_DAY if day.weekday() < 5 else REST_DAY


@dataclass(frozen=True)
class History:
    """Offered contacts per day (rows, consecutive dates from `start`) and interval (columns)."""

    start: date
    values: np.ndarray

    @property
    def days(self) -> int:
        return int(self.values.shape[0])

    @property
    def intervals(self) -> int:
        return int(self.values.shape[1])

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def head(self, days: int) -> History:
        return History(self.start, self.values[:days])


@dataclass(frozen=True)
class Errors:
    """Backtest errors of one model; None where nothing could be measured (no contacts held out)."""

    wape: float | None
    mape: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {"wape": self.wape, "mape": self.mape}


@dataclass
class ForecastResult:
    """The chosen model's forecast (days × intervals) with every model's backtest errors."""

    model: str
    start: date
    values: np.ndarray
    backtest: dict[str, Errors] = field(default_factory=dict)
    backtest_days: int = 0
    history_days: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> Errors:
        return self.backtest.get(self.model, Errors(None, None))


def errors(actual: np.ndarray, forecast: np.ndarray) -> Errors:
    """WAPE = Σ|a − f| / Σa; MAPE = mean |a − f| / a over intervals with a > 0."""
    actual, forecast = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    total = float(actual.sum())
    wape = float(np.abs(actual - forecast).sum() / total) if total > 0 else None
    busy = actual > 0
    mape = float(np.mean(np.abs(actual[busy] - forecast[busy]) / actual[busy])) if busy.any() else None
    return Errors(wape, mape)


# --- Comparable days ------------------------------------------------------------------------------------------

def _key(day: date, kind: str) -> tuple:
    return ("weekday", day.weekday()) if kind in ORDINARY else (kind,)


def _fallback_keys(day: date, kind: str) -> list[tuple]:
    """Where to look when the history has no day of this key."""
    if kind == HOLIDAY:
        return [("weekday", 6), ("weekday", 5)]
    if kind == ADJUSTED_WORKING_DAY:
        return [("weekday", w) for w in range(5)]
    return [("weekday", 6 if day.weekday() == 5 else 5)] if day.weekday() >= 5 else [
        ("weekday", w) for w in range(5)]


def _index_by_key(dates: Sequence[date], kinds: Sequence[str]) -> dict[tuple, list[int]]:
    index: dict[tuple, list[int]] = {}
    for i, (day, kind) in enumerate(zip(dates, kinds, strict=True)):
        index.setdefault(_key(day, kind), []).append(i)
    return index


def _comparable(index: dict[tuple, list[int]], day: date, kind: str, count: int) -> list[int]:
    """The last `count` history rows comparable with `day` (latest last); fallback keys merged by recency."""
    rows = index.get(_key(day, kind), [])
    if rows:
        return rows[-count:]
    merged = sorted(i for key in _fallback_keys(day, kind) for i in index.get(key, []))
    return merged[-count:]


# --- Seasonal naive ------------------------------------------------------------------------------------------

def seasonal_naive(history: History, horizon: Sequence[date], day_kind: DayKind) -> np.ndarray:
    """Each horizon day repeats the last comparable history day, interval by interval (zeros if none)."""
    dates = history.dates()
    index = _index_by_key(dates, [day_kind(d) for d in dates])
    out = np.zeros((len(horizon), history.intervals))
    for row, day in enumerate(horizon):
        found = _comparable(index, day, day_kind(day), 1)
        if found:
            out[row] = history.values[found[-1]]
    return out


# --- Holt-Winters on day totals × intraday shape -------------------------------------------------------------

def _ordinary_equivalent(totals: np.ndarray, kinds: Sequence[str]) -> np.ndarray:
    """Day totals with each holiday / adjusted working day replaced by the mean of the nearest ordinary days of
    the same weekday (one and two weeks before and after)."""
    out = totals.astype(float).copy()
    ordinary = np.array([k in ORDINARY for k in kinds])
    for i in np.nonzero(~ordinary)[0]:
        for reach in (1, 2, 3, 4):
            near = [j for j in (i - reach * WEEK, i + reach * WEEK) if 0 <= j < len(totals) and ordinary[j]]
            if near:
                out[i] = float(np.mean(totals[near]))
                break
        else:
            others = totals[ordinary]
            out[i] = float(others.mean()) if len(others) else float(totals[i])
    return out


def _fit_daily(series: np.ndarray, steps: int) -> np.ndarray:
    """ETS (Holt-Winters): additive damped trend, weekly seasonality (multiplicative when every day has
    contacts), estimated start values; the forecast of the next `steps` days, never below zero."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = "mul" if float(series.min()) > 0 else "add"
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        fitted = ExponentialSmoothing(series, trend="add", damped_trend=True, seasonal=seasonal,
                                      seasonal_periods=WEEK, initialization_method="estimated"
                                      ).fit(method="least_squares")  # L-BFGS-B is slow with threaded BLAS
        forecast = np.asarray(fitted.forecast(steps), dtype=float)
    if not np.all(np.isfinite(forecast)):  # a degenerate fit: fall back to last week's level
        forecast = np.resize(series[-WEEK:], steps).astype(float)
    return np.maximum(forecast, 0.0)


def _shape(history: History, rows: list[int]) -> np.ndarray | None:
    totals = history.values[rows].sum(axis=1)
    used = [r for r, t in zip(rows, totals, strict=True) if t > 0]
    if not used:
        return None
    shares = history.values[used] / history.values[used].sum(axis=1, keepdims=True)
    return shares.mean(axis=0)


def holt_winters(history: History, horizon: Sequence[date], day_kind: DayKind) -> np.ndarray:
    """Holt-Winters on the ordinary-equivalent day totals, with the measured holiday / adjusted-working-day
    effects, spread over the intervals by the comparable days' intraday shape."""
    if history.days < MIN_DAYS_HOLT_WINTERS:
        raise ValueError(f"Holt-Winters needs at least {MIN_DAYS_HOLT_WINTERS} days of history")
    dates = history.dates()
    kinds = [day_kind(d) for d in dates]
    totals = history.values.sum(axis=1)
    ordinary = _ordinary_equivalent(totals, kinds)
    end = dates[-1]
    if not horizon:
        return np.zeros((0, history.intervals))
    steps = (max(horizon) - end).days + WEEK
    daily = _fit_daily(ordinary, steps)

    def level(day: date) -> float:
        return float(daily[(day - end).days - 1])

    effects: dict[str, float] = {}
    for kind in (HOLIDAY, ADJUSTED_WORKING_DAY):
        ratios = [totals[i] / ordinary[i] for i, k in enumerate(kinds) if k == kind and ordinary[i] > 0]
        if ratios:
            effects[kind] = float(np.median(ratios))
    index = _index_by_key(dates, kinds)
    flat = np.full(history.intervals, 1.0 / history.intervals)
    out = np.zeros((len(horizon), history.intervals))
    for row, day in enumerate(horizon):
        kind = day_kind(day)
        if kind in ORDINARY:
            total = level(day)
        elif kind in effects:
            total = level(day) * effects[kind]
        elif kind == HOLIDAY:  # never seen: a holiday is like a Sunday
            total = level(day + timedelta(days=6 - day.weekday()))
        else:  # an adjusted working day never seen: the mean working day of the following week
            following = [day + timedelta(days=k) for k in range(1, WEEK + 1)]
            total = float(np.mean([level(d) for d in following if d.weekday() < 5]))
        shape = _shape(history, _comparable(index, day, kind, SHAPE_DAYS))
        out[row] = total * (flat if shape is None else shape)
    return np.maximum(out, 0.0)


FORECASTERS: dict[str, Callable[[History, Sequence[date], DayKind], np.ndarray]] = {
    SEASONAL_NAIVE: seasonal_naive,
    HOLT_WINTERS: holt_winters,
}


def available_models(days: int) -> list[str]:
    return [SEASONAL_NAIVE] + ([HOLT_WINTERS] if days >= MIN_DAYS_HOLT_WINTERS else [])


def backtest(history: History, day_kind: DayKind, days: int) -> dict[str, Errors]:
    """Fit on all but the last `days` days, forecast them, measure each model that has enough history."""
    if days <= 0 or history.days <= days:
        return {}
    train = history.head(history.days - days)
    held_out = history.values[train.days:]
    horizon = history.dates()[train.days:]
    return {name: errors(held_out, FORECASTERS[name](train, horizon, day_kind))
            for name in available_models(train.days)}


def choose(backtests: dict[str, Errors]) -> str:
    """The model with the lowest backtest WAPE; ties (and no measurement) go to the seasonal naive."""
    best, best_wape = SEASONAL_NAIVE, math.inf
    for name in MODELS:
        measured = backtests.get(name)
        if measured is None or measured.wape is None:
            continue
        if measured.wape < best_wape - 1e-12:
            best, best_wape = name, measured.wape
    return best


def forecast(history: History, horizon: Sequence[date], *, day_kind: DayKind = plain_day_kind,
             backtest_days: int = 14) -> ForecastResult:
    """R9.1: choose a model by backtest and forecast the horizon (consecutive or not, after the history)."""
    notes: list[str] = []
    if horizon and min(horizon) < history.start + timedelta(days=history.days):
        raise ValueError("the horizon must start after the history")
    if history.days == 0:
        return ForecastResult(model=SEASONAL_NAIVE, start=horizon[0] if horizon else date.min,
                              values=np.zeros((len(horizon), history.intervals)), notes=["no history"])
    held = min(backtest_days, max(0, history.days - WEEK))
    if held < backtest_days:
        notes.append(f"backtest shortened to {held} days")
    results = backtest(history, day_kind, held)
    model = choose(results)
    if model not in available_models(history.days):  # pragma: no cover - a longer history never loses a model
        model = SEASONAL_NAIVE
    values = FORECASTERS[model](history, list(horizon), day_kind)
    return ForecastResult(model=model, start=horizon[0] if horizon else history.start, values=values,
                          backtest=results, backtest_days=held, history_days=history.days, notes=notes)
