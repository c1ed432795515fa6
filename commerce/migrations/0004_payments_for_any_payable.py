# Payments and refunds name their payable by (kind, reference) and their payer, so any app's
# payable can use them; the shop's order link stays for its pages and admin.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast


def name_the_orders(apps, schema_editor):
    # Every payment and refund so far was an order's: kind "order", its primary key as the
    # reference, and the order's shopper as the payer.
    Order = apps.get_model("commerce", "Order")
    Payment = apps.get_model("commerce", "Payment")
    Refund = apps.get_model("commerce", "Refund")
    Payment.objects.update(
        payable_kind="order",
        payable_ref=Cast("order_id", CharField()),
        user_id=Subquery(Order.objects.filter(pk=OuterRef("order_id")).values("user_id")[:1]),
    )
    Refund.objects.update(payable_kind="order", payable_ref=Cast("order_id", CharField()))


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0003_order_event_note_languages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="payable_kind",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payment",
            name="payable_ref",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payment",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="currency",
            field=models.CharField(default="INR", max_length=3),
        ),
        migrations.AddField(
            model_name="refund",
            name="payable_kind",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="refund",
            name="payable_ref",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(name_the_orders, migrations.RunPython.noop),
    ]
