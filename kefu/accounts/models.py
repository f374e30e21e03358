"""Organisation and people (SPEC §1): branches, teams, roles and users with a work number."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Branch(models.Model):
    """A branch company (分公司) with its own field team."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """R1.2 [003]: first-line desk, complaint desk, second line by service category, field teams per
    branch, third-party support teams, business departments."""

    class Kind(models.TextChoices):
        FIRST_LINE = "first_line", _("First-line desk")
        COMPLAINT_DESK = "complaint_desk", _("Complaint desk")
        SECOND_LINE = "second_line", _("Second-line team")
        FIELD = "field", _("Field team")
        THIRD_PARTY = "third_party", _("Third-party support team")
        BUSINESS_DEPARTMENT = "business_department", _("Business department")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="teams")
    service_category = models.CharField(_("service category"), max_length=100, blank=True,
                                        help_text=_("For second-line teams: the category they handle."))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="field") | models.Q(branch__isnull=False),
                name="team_field_has_branch",
                violation_error_message=_("A field team belongs to a branch."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """R1.1: a role and the permission codes it grants (kefu.core.permissions). Data, not code."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    read_only = models.BooleanField(
        _("read only"), default=False, help_text=_("Holders read what their permissions allow and change nothing.")
    )
    # The default codes already offered to this role, so that an upgrade adds only codes new in the release
    # and never re-grants what an administrator took away.
    defaults_applied = models.JSONField(_("default permissions applied"), default=list, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name


work_number_validator = RegexValidator(r"^[0-9A-Za-z]{1,16}$", _("A work number is 1–16 letters or digits."))


class User(AbstractUser):
    """A member of staff (or a partner's engineer); one user may hold several roles (R1.1)."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    work_number = models.CharField(
        _("work number"), max_length=16, unique=True, null=True, blank=True, validators=[work_number_validator],
        help_text=_("工号: said in the greeting script."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    extension = models.CharField(_("telephone extension"), max_length=16, blank=True)
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    teams = models.ManyToManyField(Team, verbose_name=_("teams"), blank=True, related_name="members")
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="staff")
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[roles, teams])

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        name = self.full_name or self.get_full_name() or self.username
        return f"{name} ({self.work_number})" if self.work_number else name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username
