from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Branch

from .models import Customer, CustomerAddress, CustomerKind, RevealLog


class CustomerForm(forms.Form):
    customer_number = forms.CharField(label=_("customer number"), max_length=32)
    merchant_number = forms.CharField(label=_("merchant number"), max_length=32, required=False)
    kind = forms.ModelChoiceField(label=_("kind"), queryset=CustomerKind.objects.filter(is_active=True),
                                  to_field_name="code")
    name = forms.CharField(label=_("name"), max_length=200)
    id_number = forms.CharField(label=_("ID number"), max_length=32, required=False)
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.filter(is_active=True),
                                    to_field_name="code", required=False)
    business_hours = forms.CharField(label=_("business hours"), max_length=100, required=False)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    @classmethod
    def initial_for(cls, customer: Customer) -> dict:
        return {
            "customer_number": customer.customer_number, "merchant_number": customer.merchant_number or "",
            "kind": customer.kind.code, "name": customer.name, "id_number": customer.id_number,
            "branch": customer.branch.code if customer.branch else None, "business_hours": customer.business_hours,
            "notes": customer.notes,
        }


class _ItemForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PhoneForm(_ItemForm):
    number = forms.CharField(label=_("phone number"), max_length=40)
    extension = forms.CharField(label=_("extension"), max_length=8, required=False)
    label = forms.CharField(label=_("label"), max_length=50, required=False)


class ContactPersonForm(_ItemForm):
    name = forms.CharField(label=_("name"), max_length=100)
    title = forms.CharField(label=_("position"), max_length=100, required=False)
    is_primary = forms.BooleanField(label=_("primary contact"), required=False)


class AddressForm(_ItemForm):
    kind = forms.ChoiceField(label=_("kind"), choices=CustomerAddress.Kind.choices)
    address = forms.CharField(label=_("address"), max_length=255)
    is_primary = forms.BooleanField(label=_("primary address"), required=False)


class DeviceForm(_ItemForm):
    model = forms.CharField(label=_("model"), max_length=100)
    serial_number = forms.CharField(label=_("serial number"), max_length=64, required=False)
    installed_on = forms.DateField(label=_("installed on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("notes"), max_length=255, required=False)


ITEM_FORMS = {
    "phones": (PhoneForm, _("Phone numbers")),
    "contact_persons": (ContactPersonForm, _("Contact persons")),
    "addresses": (AddressForm, _("Addresses")),
    "devices": (DeviceForm, _("Devices")),
}


def item_formsets(data=None, customer: Customer | None = None) -> dict[str, forms.BaseFormSet]:
    formsets = {}
    for prefix, (form_class, title) in ITEM_FORMS.items():
        formset_class = forms.formset_factory(form_class, extra=1, can_delete=True)
        initial = []
        if customer is not None:
            for obj in getattr(customer, prefix).all():
                initial.append({name: getattr(obj, name) for name in form_class.base_fields if hasattr(obj, name)})
        formset = formset_class(data, prefix=prefix, initial=initial)
        formset.title = title
        formsets[prefix] = formset
    return formsets


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=RevealLog.Field.choices, widget=forms.HiddenInput)
    object_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), max_length=255)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("file (.xlsx or .csv, UTF-8 or GB18030)"))
