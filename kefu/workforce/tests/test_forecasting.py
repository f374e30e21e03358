"""R9.1: the forecast models, the backtest and the model choice — pure, on synthetic seasonal data (seeded)."""

from datetime import date, timedelta

import numpy as np
import pytest

from kefu.workforce import forecasting as f

START = date(2026, 3, 2)  # a Monday
WEEKLY = np.array([1.15, 1.05, 1.0, 1.0, 1.1, 0.7, 0.6])


def shape(intervals: int = 48) -> np.ndarray:
    hours = (np.arange(intervals) + 0.5) * 24 / intervals
    curve = 0.05 + np.exp(-((hours - 10) / 2.5) ** 2) + 0.8 * np.exp(-((hours - 15) / 2.5) ** 2)
    return curve / curve.sum()


def synthetic(days: int, *, trend: float = 0.0, noise: bool = True, seed: int = 7,
              kinds: dict[date, str] | None = None, holiday_factor: float = 0.4) -> f.History:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(days):
        day = START + timedelta(days=i)
        level = (1500 + trend * i) * WEEKLY[day.weekday()]
        kind = (kinds or {}).get(day, f.plain_day_kind(day))
        if kind == f.HOLIDAY:
            level *= holiday_factor
        elif kind == f.ADJUSTED_WORKING_DAY:
            level = (1500 + trend * i) * 1.0
        expected = level * shape()
        rows.append(rng.poisson(expected) if noise else expected)
    return f.History(START, np.array(rows, dtype=float))


def test_errors_are_wape_and_mape():
    actual = np.array([[10.0, 0.0, 30.0]])
    forecast = np.array([[12.0, 1.0, 24.0]])
    errors = f.errors(actual, forecast)
    assert errors.wape == pytest.approx((2 + 1 + 6) / 40)
    assert errors.mape == pytest.approx((0.2 + 0.2) / 2)  # the interval without contacts is left out
    assert f.errors(np.zeros((1, 3)), forecast) == f.Errors(None, None)


def test_seasonal_naive_repeats_the_same_weekday():
    history = synthetic(21, noise=False)
    horizon = [START + timedelta(days=21 + k) for k in range(7)]
    out = f.seasonal_naive(history, horizon, f.plain_day_kind)
    np.testing.assert_allclose(out, history.values[14:21])


def test_holt_winters_is_chosen_on_a_growing_seasonal_series():
    """A trend makes last week's copy lag behind; Holt-Winters follows it and wins the backtest."""
    history = synthetic(70, trend=8.0)
    horizon = [START + timedelta(days=70 + k) for k in range(14)]
    result = f.forecast(history, horizon, backtest_days=14)
    assert set(result.backtest) == {f.SEASONAL_NAIVE, f.HOLT_WINTERS}
    assert result.model == f.HOLT_WINTERS
    assert result.backtest[f.HOLT_WINTERS].wape < result.backtest[f.SEASONAL_NAIVE].wape
    assert result.errors.wape < 0.2
    # The forecast keeps the weekly pattern: Mondays above Sundays.
    totals = result.values.sum(axis=1)
    assert totals[0] > 1.5 * totals[6]


def test_the_choice_follows_the_backtest_and_ties_go_to_the_baseline():
    for seed in (1, 2, 3):
        history = synthetic(42, seed=seed)
        result = f.forecast(history, [START + timedelta(days=42)], backtest_days=14)
        best = min(result.backtest, key=lambda name: result.backtest[name].wape)
        assert result.model == best
    assert f.choose({f.SEASONAL_NAIVE: f.Errors(0.1, 0.2), f.HOLT_WINTERS: f.Errors(0.1, 0.1)}) == f.SEASONAL_NAIVE
    assert f.choose({f.SEASONAL_NAIVE: f.Errors(0.3, 0.2), f.HOLT_WINTERS: f.Errors(0.1, 0.9)}) == f.HOLT_WINTERS
    assert f.choose({}) == f.SEASONAL_NAIVE


def test_short_history_uses_the_seasonal_naive_only():
    history = synthetic(12)
    result = f.forecast(history, [START + timedelta(days=12)], backtest_days=14)
    assert result.model == f.SEASONAL_NAIVE
    assert f.HOLT_WINTERS not in result.backtest
    assert result.backtest_days == 5  # shortened: a week must stay to fit on
    empty = f.forecast(f.History(START, np.zeros((0, 48))), [START], backtest_days=14)
    assert empty.values.shape == (1, 48) and not empty.values.any()


def test_the_horizon_must_follow_the_history():
    with pytest.raises(ValueError):
        f.forecast(synthetic(20), [START + timedelta(days=5)])


@pytest.mark.parametrize("model", [f.SEASONAL_NAIVE, f.HOLT_WINTERS])
def test_holidays_are_features_not_noise(model):
    """Holidays in the history run at 40 % of an ordinary day. Each model forecasts a holiday in the horizon at
    about that level, and the ordinary days around it are not dragged down by the holidays of the history."""
    holidays = {START + timedelta(days=d): f.HOLIDAY for d in (33, 34, 35, 60, 61, 62, 63, 64)}
    future_holiday = START + timedelta(days=88)  # a Friday in the second week of the horizon
    holidays[future_holiday] = f.HOLIDAY

    def kind(day):
        return holidays.get(day, f.plain_day_kind(day))

    history = synthetic(77, kinds=holidays, noise=False)
    horizon = [START + timedelta(days=77 + k) for k in range(14)]
    out = f.FORECASTERS[model](history, horizon, kind)
    totals = dict(zip(horizon, out.sum(axis=1), strict=True))
    ordinary_friday = totals[future_holiday - timedelta(days=7)]
    assert ordinary_friday == pytest.approx(1500 * WEEKLY[4], rel=0.05)
    assert totals[future_holiday] / ordinary_friday == pytest.approx(0.4, abs=0.12)


def test_an_unseen_adjusted_working_day_looks_like_a_working_day():
    saturday = START + timedelta(days=40)
    assert saturday.weekday() == 5

    def kind(day):
        return f.ADJUSTED_WORKING_DAY if day == saturday else f.plain_day_kind(day)

    history = synthetic(35, noise=False)
    horizon = [START + timedelta(days=35 + k) for k in range(7)]
    for model in f.MODELS:
        totals = f.FORECASTERS[model](history, horizon, kind).sum(axis=1)
        assert totals[horizon.index(saturday)] > 1.3 * 1500 * WEEKLY[5], model
