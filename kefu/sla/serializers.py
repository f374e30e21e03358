from rest_framework import serializers

from kefu.core import clock

from .models import ClockEscalation, ClockExtension, EscalationRule, SlaClock, SlaPolicy


class EscalationOutput(serializers.ModelSerializer):
    class Meta:
        model = ClockEscalation
        fields = ["step", "role", "fired_at", "notified"]


class ExtensionOutput(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ClockExtension
        fields = ["old_deadline", "new_deadline", "consent_by", "consent_at", "recorded_by", "recorded_at", "reason"]


class ClockOutput(serializers.ModelSerializer):
    policy = serializers.SlugRelatedField(slug_field="code", read_only=True)
    policy_name = serializers.CharField(source="policy.name", read_only=True)
    clock = serializers.CharField(source="policy.clock", read_only=True)
    extendable = serializers.BooleanField(source="policy.extendable", read_only=True)
    remaining_seconds = serializers.SerializerMethodField()
    breached = serializers.BooleanField(read_only=True)
    escalations = EscalationOutput(many=True, read_only=True)
    extensions = ExtensionOutput(many=True, read_only=True)

    class Meta:
        model = SlaClock
        fields = ["id", "policy", "policy_name", "clock", "state", "started_at", "deadline", "warn_at", "paused_at",
                  "remaining_seconds", "breached", "breached_at", "stopped_at", "extendable", "escalations",
                  "extensions"]

    def get_remaining_seconds(self, obj) -> int | None:
        """Wall-clock seconds to the deadline for a running clock; the kept working time for a paused one."""
        if obj.state == SlaClock.State.PAUSED:
            return obj.remaining_seconds
        if obj.state == SlaClock.State.STOPPED:
            return None
        return int((obj.deadline - clock.now()).total_seconds())


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationRule
        fields = ["step", "role", "after_minutes"]


class PolicyOutput(serializers.ModelSerializer):
    kinds = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    calendar = serializers.SlugRelatedField(slug_field="name", read_only=True)
    rules = RuleSerializer(many=True, read_only=True)

    class Meta:
        model = SlaPolicy
        fields = ["id", "code", "name", "source", "target", "clock", "kinds", "channel", "calendar", "amount", "unit",
                  "pause_states", "stops_on", "warn_at_percent", "extendable", "is_active", "rules"]


class ExtendInput(serializers.Serializer):
    new_deadline = serializers.DateTimeField()
    consent_by = serializers.CharField(max_length=100)
    consent_at = serializers.DateTimeField()
    reason = serializers.CharField()
