"""API input and output shapes for customers; output masks personal data unless the user may see it."""

from rest_framework import serializers

from kefu.core.masking import mask_address, mask_id_number, mask_phone

from .models import ContactPerson, Customer, CustomerAddress, CustomerKind, CustomerPhone, Device, ImportJob, RevealLog


class CustomerKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerKind
        fields = ["id", "code", "name", "is_active"]


class PhoneOutput(serializers.ModelSerializer):
    number = serializers.SerializerMethodField()
    masked = serializers.SerializerMethodField()

    class Meta:
        model = CustomerPhone
        fields = ["id", "number", "extension", "kind", "label", "masked"]

    def get_masked(self, obj) -> bool:
        return not self.context.get("show_pii", False)

    def get_number(self, obj) -> str:
        return obj.number if self.context.get("show_pii") else mask_phone(obj.number)


class AddressOutput(serializers.ModelSerializer):
    address = serializers.SerializerMethodField()

    class Meta:
        model = CustomerAddress
        fields = ["id", "kind", "address", "is_primary"]

    def get_address(self, obj) -> str:
        return obj.address if self.context.get("show_pii") else mask_address(obj.address)


class ContactPersonSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = ContactPerson
        fields = ["id", "name", "title", "is_primary"]


class DeviceSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = Device
        fields = ["id", "model", "serial_number", "installed_on", "notes"]


class CustomerListOutput(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    branch = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phones = PhoneOutput(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "customer_number", "merchant_number", "kind", "name", "branch", "phones"]


class CustomerDetailOutput(CustomerListOutput):
    id_number = serializers.SerializerMethodField()
    addresses = AddressOutput(many=True, read_only=True)
    contact_persons = ContactPersonSerializer(many=True, read_only=True)
    devices = DeviceSerializer(many=True, read_only=True)

    class Meta(CustomerListOutput.Meta):
        fields = CustomerListOutput.Meta.fields + ["id_number", "business_hours", "notes", "addresses",
                                                   "contact_persons", "devices", "created_at", "updated_at"]

    def get_id_number(self, obj) -> str:
        return obj.id_number if self.context.get("show_pii") else mask_id_number(obj.id_number)


class PhoneInput(serializers.Serializer):
    id = serializers.IntegerField(required=False)
    number = serializers.CharField(max_length=40)
    extension = serializers.CharField(max_length=8, required=False, allow_blank=True)
    label = serializers.CharField(max_length=50, required=False, allow_blank=True)


class AddressInput(serializers.Serializer):
    id = serializers.IntegerField(required=False)
    kind = serializers.ChoiceField(choices=CustomerAddress.Kind.choices, required=False)
    address = serializers.CharField(max_length=255)
    is_primary = serializers.BooleanField(required=False)


class CustomerInput(serializers.Serializer):
    """Create or change a customer; a nested list, when given, replaces what the customer had."""

    customer_number = serializers.CharField(max_length=32)
    merchant_number = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    kind = serializers.SlugRelatedField(slug_field="code", queryset=CustomerKind.objects.filter(is_active=True))
    name = serializers.CharField(max_length=200)
    id_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    branch = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True,
                                   help_text="Branch code")
    business_hours = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    phones = PhoneInput(many=True, required=False)
    addresses = AddressInput(many=True, required=False)
    contact_persons = ContactPersonSerializer(many=True, required=False)
    devices = DeviceSerializer(many=True, required=False)


class CustomerPatchInput(CustomerInput):
    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class RevealInput(serializers.Serializer):
    field = serializers.ChoiceField(choices=RevealLog.Field.choices)
    object_id = serializers.IntegerField(required=False, allow_null=True,
                                         help_text="The phone number's or address's id; not for id_number")
    reason = serializers.CharField(max_length=255)


class RevealOutput(serializers.Serializer):
    field = serializers.CharField()
    object_id = serializers.IntegerField(allow_null=True)
    value = serializers.CharField()


class LookupOutput(serializers.Serializer):
    query = serializers.CharField()
    matched_by = serializers.CharField(allow_null=True)
    results = CustomerListOutput(many=True, source="customers")


class RevealLogOutput(serializers.ModelSerializer):
    user = serializers.StringRelatedField()
    customer_number = serializers.CharField(source="customer.customer_number")

    class Meta:
        model = RevealLog
        fields = ["id", "created_at", "user", "customer", "customer_number", "field", "object_id", "reason",
                  "ip_address"]


class HistoryOutput(serializers.Serializer):
    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.CharField()
    user = serializers.CharField(allow_null=True)
    record = serializers.CharField()
    changes = serializers.ListField(child=serializers.DictField())


class ImportJobOutput(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportJob
        fields = ["id", "filename", "size", "dry_run", "status", "total_rows", "processed_rows", "progress_percent",
                  "created_count", "updated_count", "errors", "message", "created_at", "finished_at"]


class ImportJobInput(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)
