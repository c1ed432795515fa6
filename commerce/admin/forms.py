"""Forms of the shop's back office: the operator's actions on one order (fulfil a line by
hand, refund lines), and the promo code form.

The order forms are built for one order (its short or unrefunded lines are the choices);
they only read and parse. The services check everything again under the order's lock.
"""

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog import services as inventory
from catalog.services import NewCode
from coupzii.core.money import format_inr
from coupzii.core.validators import code_problem

from ..models import Order, OrderLine, PromoCode
from ..services.promos import CODE_MAX_LENGTH

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def line_label(line: OrderLine) -> str:
    return f"{line.product_name} {format_inr(line.face_value)} x {line.quantity}"


class OrderActionForm(forms.Form):
    """A form about one order: `order` is given when it is built."""

    def __init__(self, *args, order: Order, **kwargs):
        self.order = order
        super().__init__(*args, **kwargs)


# --- Fulfil a line by hand ---------------------------------------------------------------------


def short_lines(order: Order) -> list[tuple[OrderLine, int]]:
    """The order's unrefunded lines still missing codes, with how many each misses."""
    lines = list(order.lines.filter(refund__isnull=True).order_by("pk"))
    delivered = inventory.delivered_counts(line.pk for line in lines)
    return [
        (line, line.quantity - delivered[line.pk])
        for line in lines
        if delivered[line.pk] < line.quantity
    ]


def parse_codes(text: str) -> list[NewCode]:
    """One code a line: `CODE`, `CODE,PIN` or `CODE,PIN,YYYY-MM-DD`. Raises ValidationError
    naming every bad line (numbered from 1, as the operator sees them)."""
    codes, problems, seen = [], [], {}
    today = timezone.localdate()
    lines = [line.strip() for line in (text or "").splitlines()]
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        parts = [part.strip() for part in line.split(",")]
        if len(parts) > 3:
            problems.append(
                gettext("Line %(n)d: write CODE, CODE,PIN or CODE,PIN,YYYY-MM-DD.") % {"n": number}
            )
            continue
        code = inventory.normalise_code(parts[0])
        pin = parts[1] if len(parts) > 1 else ""
        when = parts[2] if len(parts) > 2 else ""
        expires_on = None
        if not code:
            problems.append(gettext("Line %(n)d: the code is missing.") % {"n": number})
            continue
        problem = inventory.voucher_code_problem(code) or inventory.voucher_pin_problem(pin)
        if problem:
            problems.append(gettext("Line %(n)d: %(problem)s") % {"n": number, "problem": problem})
            continue
        if when:
            try:
                if not ISO_DATE.match(when):
                    raise ValueError(when)
                expires_on = date.fromisoformat(when)
            except ValueError:
                problems.append(
                    gettext("Line %(n)d: write the expiry date as YYYY-MM-DD.") % {"n": number}
                )
                continue
            if expires_on < today:
                problems.append(
                    gettext("Line %(n)d: this code has already expired.") % {"n": number}
                )
                continue
        if code in seen:
            problems.append(
                gettext("Line %(n)d: the same code as line %(first)d.")
                % {"n": number, "first": seen[code]}
            )
            continue
        seen[code] = number
        codes.append(NewCode(code=code, pin=pin, expires_on=expires_on))
    if problems:
        raise forms.ValidationError(problems)
    if not codes:
        raise forms.ValidationError(gettext("Enter at least one code."))
    return codes


class FulfilByHandForm(OrderActionForm):
    line = forms.TypedChoiceField(label=_("Line"), coerce=int, widget=forms.RadioSelect)
    codes = forms.CharField(
        label=_("Codes"),
        widget=forms.Textarea(
            attrs={"rows": 6, "cols": 60, "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_(
            "One code a line, as the brand sent it: CODE, or CODE,PIN, or "
            "CODE,PIN,YYYY-MM-DD when it expires."
        ),
    )

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        self.short = {line.pk: (line, missing) for line, missing in short_lines(order)}
        self.fields["line"].choices = [
            (
                pk,
                gettext("%(line)s: %(n)d code(s) missing")
                % {"line": line_label(line), "n": missing},
            )
            for pk, (line, missing) in self.short.items()
        ]
        if len(self.short) == 1:
            self.fields["line"].initial = next(iter(self.short))

    def clean_codes(self):
        return parse_codes(self.cleaned_data["codes"])

    def clean(self):
        cleaned = super().clean()
        line_pk, codes = cleaned.get("line"), cleaned.get("codes")
        if line_pk is not None:
            line, missing = self.short[line_pk]
            cleaned["line"] = line
            if codes and len(codes) > missing:
                self.add_error(
                    "codes",
                    gettext("This line needs %(n)d more code(s), not %(given)d.")
                    % {"n": missing, "given": len(codes)},
                )
        return cleaned


# --- Refund lines -----------------------------------------------------------------------------


class RefundLinesForm(OrderActionForm):
    lines = forms.TypedMultipleChoiceField(
        label=_("Lines to refund"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("The shopper sees this: say what happened."),
    )

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        self.fields["lines"].choices = [
            (
                line.pk,
                gettext("%(line)s: %(amount)s paid")
                % {"line": line_label(line), "amount": format_inr(line.net_amount)},
            )
            for line in order.lines.filter(refund__isnull=True).order_by("pk")
        ]


# --- Promo codes ------------------------------------------------------------------------------


class PromoCodeForm(forms.ModelForm):
    class Meta:
        model = PromoCode
        fields = (
            "code",
            "description",
            "is_active",
            "kind",
            "value",
            "max_discount",
            "min_order",
            "starts_at",
            "ends_at",
            "usage_limit",
            "per_user_limit",
            "products",
            "categories",
        )
        labels = {"products": _("gift cards"), "categories": _("categories")}

    def clean_code(self):
        # Shoppers' codes are looked up in upper case (promos.promo_find), without spaces.
        code = "".join((self.cleaned_data.get("code") or "").split()).upper()
        problem = code_problem(code, max_length=CODE_MAX_LENGTH)
        if problem:
            raise forms.ValidationError(problem)
        if PromoCode.objects.filter(code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                gettext("Another promo code is already %(code)s.") % {"code": code}
            )
        return code
