"""API shapes for the workforce calculators (R9.2–R9.4). Numbers are read as decimals, so the exact ceilings
of `erlang.py` see exactly what the client sent; range checks live in `selectors` (one rule for CLI, API, UI)."""

from rest_framework import serializers

from . import erlang


def _decimal(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


class StaffingInput(serializers.Serializer):
    calls = _decimal(help_text="Calls offered in the interval; may be fractional (a forecast).")
    interval_seconds = _decimal(help_text="Interval length in seconds, e.g. 900 or 1800.")
    aht_seconds = _decimal(help_text="Average handling time in seconds.")
    answer_within_seconds = _decimal(required=False, help_text="T of the service level; default: setting "
                                                               "workforce.answer_within_seconds (20 s, R9.2).")
    service_level = _decimal(required=False, help_text="Target share answered within T, below 1 (e.g. 0.8).")
    answer_rate = _decimal(required=False, help_text="Target answer rate (接通率) = 1 − P(abandon), below 1.")
    agents = serializers.IntegerField(required=False, help_text="Evaluate this staffing instead of a target.")
    patience_seconds = _decimal(required=False, help_text="Mean patience of waiting callers; selects Erlang A.")
    shrinkage = _decimal(required=False, help_text="In [0, 1); default: setting workforce.shrinkage.")
    max_occupancy = _decimal(required=False, help_text="In (0, 1]; default: setting workforce.max_occupancy.")


class StaffingOutput(serializers.Serializer):
    model = serializers.CharField(help_text=f"{erlang.ERLANG_C} (no patience given) or {erlang.ERLANG_A}")
    traffic_erlangs = serializers.FloatField()
    agents = serializers.IntegerField(help_text="On the phones: the minimum meeting every target after the "
                                                "occupancy cap, or the given agents.")
    scheduled_agents = serializers.IntegerField(help_text="⌈agents / (1 − shrinkage)⌉")
    service_level = serializers.FloatField()
    asa_seconds = serializers.FloatField(allow_null=True, help_text="Null when the queue is unstable.")
    occupancy = serializers.FloatField(allow_null=True, help_text="Null with zero agents.")
    p_wait = serializers.FloatField()
    p_abandon = serializers.FloatField(required=False, help_text="Erlang A only.")


class SeatsInput(serializers.Serializer):
    subscribers = _decimal()
    subscribers_per_seat = _decimal(required=False, help_text="Default: setting workforce.subscribers_per_seat "
                                                              "(20,000, R9.3 [004]).")


class SeatsOutput(serializers.Serializer):
    seats = serializers.IntegerField()


class HeadcountInput(serializers.Serializer):
    seat_hours_per_day = _decimal()
    days_per_month = _decimal(required=False, help_text="Default: setting workforce.days_per_month (30, R9.4).")
    legal_hours_per_month = _decimal(required=False, help_text="Default: setting workforce.legal_hours_per_month "
                                                               "(166.64 = 20.83 days × 8 h, R9.4).")
    seats = _decimal(required=False, help_text="A whole number; default 1.")


class HeadcountOutput(serializers.Serializer):
    people_per_seat = serializers.FloatField()
    people = serializers.FloatField()


class SeatTriggerInput(serializers.Serializer):
    weekly_answer_rates = serializers.ListField(child=_decimal(), allow_empty=True,
                                                help_text="Weekly answer rates as shares, oldest first.")
    baseline = _decimal(required=False, allow_null=True, help_text="Reference answer rate; default: the week "
                                                                   "before the latest run of weeks.")


class SeatTriggerOutput(serializers.Serializer):
    propose_seat = serializers.BooleanField()
    baseline = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    weeks_below = serializers.IntegerField()
    weeks_required = serializers.IntegerField()


class DefaultOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField()
    default = serializers.JSONField()
    source = serializers.CharField()
    help_text = serializers.CharField()
