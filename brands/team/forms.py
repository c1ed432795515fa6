"""The team's forms: the application, a member's role, a department, an invitation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from coupzii.core.forms import DomainErrorFormMixin

from ..models import Department, DepartmentAccess, Role


class ApplyForm(DomainErrorFormMixin, forms.Form):
    field_for_key = {"store": "store_name"}

    name = forms.CharField(label=_("Brand name"), max_length=120)
    work_email = forms.EmailField(
        label=_("Work email"),
        help_text=_("An address at your company: we write to it about the application."),
    )
    website = forms.URLField(label=_("Website"), assume_scheme="https")
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True).order_by("position", "name"),
        required=False,
        empty_label=_("Choose a category"),
    )
    store_name = forms.CharField(
        label=_("The store it represents"),
        max_length=120,
        help_text=_("The store's name on Coupzii, or your store's name if it is not listed yet."),
        widget=forms.TextInput(attrs={"list": "cz-stores", "autocomplete": "off"}),
    )


class MemberForm(DomainErrorFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("No department"),
    )

    def __init__(self, *args, brand, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(brand=brand)


class InviteForm(MemberForm):
    email = forms.EmailField(label=_("Email"))
    field_order = ["email", "role", "department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The common case; owners and admins are made deliberately.
        self.fields["role"].initial = Role.EDITOR


class DepartmentForm(DomainErrorFormMixin, forms.Form):
    field_for_key = {"access_level": "access"}

    name = forms.CharField(label=_("Name"), max_length=80)
    access = forms.ChoiceField(
        label=_("Sees"), choices=DepartmentAccess.choices, initial=DepartmentAccess.ALL
    )
