"""Platform accounts become insert-only and kinds come from a registry.

- Account.kind and Transaction.kind lose their choices (apps register kinds in wallet.kinds,
  no migration for a new one); Account.kind is widened to 40 characters; the owner check
  takes any non-user kind for a platform account.
- The shop's escrow account "escrow" becomes "escrow:shop" (one escrow account per purpose).
- A platform account's cached balance is no longer the truth: it is set to 0 and kept there
  (a check constraint); its balance is a rollup plus the postings after it. With no rollup row
  yet, that is the sum of all its postings, which is exactly what the cached balance held.
"""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    Account = apps.get_model("wallet", "Account")
    if not Account.objects.filter(user=None, kind="escrow:shop").exists():
        Account.objects.filter(user=None, kind="escrow").update(kind="escrow:shop")
    Account.objects.filter(user=None).exclude(balance=0).update(balance=Decimal("0.00"))


def backwards(apps, schema_editor):
    # Restore the cached platform balances from their postings, and the old escrow name.
    Account = apps.get_model("wallet", "Account")
    Posting = apps.get_model("wallet", "Posting")
    Account.objects.filter(user=None, kind="escrow:shop").update(kind="escrow")
    sums = (
        Posting.objects.filter(account__user=None)
        .values("account_id")
        .annotate(total=models.Sum("amount"))
    )
    for row in sums:
        total = Decimal(row["total"] or 0).quantize(Decimal("0.01"))
        Account.objects.filter(pk=row["account_id"]).update(balance=total)


class Migration(migrations.Migration):

    dependencies = [
        ('wallet', '0005_private_receipts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PlatformRollup',
            fields=[
                ('account', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='rollup', serialize=False, to='wallet.account')),
                ('balance', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='balance')),
                ('watermark', models.BigIntegerField(default=0)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'platform balance rollup',
                'verbose_name_plural': 'platform balance rollups',
            },
        ),
        migrations.RemoveConstraint(
            model_name='account',
            name='wallet_account_owner_matches_kind',
        ),
        migrations.AlterField(
            model_name='account',
            name='kind',
            field=models.CharField(max_length=40, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='transaction',
            name='kind',
            field=models.CharField(max_length=32, verbose_name='kind'),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddConstraint(
            model_name='account',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('user__isnull', False), ('kind__in', ('available', 'pending', 'held'))), models.Q(('user__isnull', True), models.Q(('kind__in', ('available', 'pending', 'held')), _negated=True)), _connector='OR'), name='wallet_account_owner_matches_kind'),
        ),
        migrations.AddConstraint(
            model_name='account',
            constraint=models.CheckConstraint(condition=models.Q(('user__isnull', False), ('balance', 0), _connector='OR'), name='wallet_account_platform_uncached'),
        ),
    ]
