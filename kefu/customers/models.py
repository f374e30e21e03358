"""Customers (SPEC §2): kinds, customers, contact persons, phone numbers, addresses, devices, reveal log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kefu.accounts.models import Branch


class CustomerKind(models.Model):
    """R2.1: merchant, subscriber, individual, enterprise — data an administrator can extend."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer kind")
        verbose_name_plural = _("customer kinds")

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    customer_number = models.CharField(_("customer number"), max_length=32, unique=True)
    merchant_number = models.CharField(_("merchant number"), max_length=32, unique=True, null=True, blank=True)
    kind = models.ForeignKey(CustomerKind, verbose_name=_("kind"), on_delete=models.PROTECT,
                             related_name="customers")
    name = models.CharField(_("name"), max_length=200)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True,
                                 help_text=_("Resident ID or unified social credit code; personal data."))
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="customers")
    business_hours = models.CharField(_("business hours"), max_length=100, blank=True,
                                      help_text=_("For example 09:00–21:00."))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer_number"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_number})"


class ContactPerson(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_persons")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("position"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return self.name


class CustomerPhone(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        LANDLINE = "landline", _("Landline")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=20, db_index=True,
                              help_text=_("Normalised: 13812345678 or 02112345678."))
    extension = models.CharField(_("extension"), max_length=8, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=50, blank=True, help_text=_("For example 店主手机, 收银台."))
    contact_person = models.ForeignKey(ContactPerson, verbose_name=_("contact person"), on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="phones")
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [
            models.UniqueConstraint(fields=["customer", "number", "extension"], name="customer_phone_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} 转 {self.extension}" if self.extension else self.number


class CustomerAddress(models.Model):
    class Kind(models.TextChoices):
        BUSINESS = "business", _("Business address")
        INSTALLATION = "installation", _("Installation address")
        BILLING = "billing", _("Billing address")
        HOME = "home", _("Home address")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.BUSINESS)
    address = models.CharField(_("address"), max_length=255)
    is_primary = models.BooleanField(_("primary address"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return self.address


class Device(models.Model):
    """A product or device the customer uses (e.g. a POS terminal) [000]."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="devices")
    model = models.CharField(_("model"), max_length=100)
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(fields=["model", "serial_number"], condition=~models.Q(serial_number=""),
                                    name="device_serial_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.serial_number}".strip()


class RevealLog(models.Model):
    """R2.3: who revealed which personal field of which customer, when and why."""

    class Field(models.TextChoices):
        PHONE = "phone", _("Phone number")
        ID_NUMBER = "id_number", _("ID number")
        ADDRESS = "address", _("Address")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="reveals")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="reveals")
    field = models.CharField(_("field"), max_length=16, choices=Field.choices)
    object_id = models.BigIntegerField(_("record"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reveal log entry")
        verbose_name_plural = _("reveal log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.field} {self.customer_id}"


class ImportJob(models.Model):
    """R2.4: one uploaded customer file, its dry run or real import, progress and validation report.

    The file is kept in the database so that any node's worker can run the job.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, related_name="customer_imports")
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("validation report"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")

    def __str__(self) -> str:
        return self.filename

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (self.Status.SUCCEEDED, self.Status.FAILED) else 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))
