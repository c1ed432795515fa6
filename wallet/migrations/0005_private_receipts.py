"""Missing-cashback receipts move from the public media storage, under the names shoppers gave
them, to the private storage under random names.

Not atomic, on purpose: files are not rolled back with a transaction. Each receipt is copied,
its row then points at the copy (committed at once), and only then is the public file deleted;
a run cut short leaves every row pointing at a file that exists, and running it again skips
the receipts already moved. A receipt not found in the public storage is left as it is and
counted (its page answers 404): copy the old media folder into the bucket's public prefix and
run this again (deploy/README.md, "Static and uploaded files").
"""

from django.core.files.storage import storages
from django.db import migrations, models

import coupzii.core.files
from coupzii.core.files import RandomName

FOLDER = "cashback-receipts"


def receipts_to_private_storage(apps, schema_editor):
    claims = apps.get_model("wallet", "CashbackClaim").objects
    public, private = storages["default"], storages["private"]
    random_name = RandomName(FOLDER)
    moved, missing = 0, 0
    for claim_id, old_name in claims.exclude(receipt="").values_list("pk", "receipt").iterator():
        if private.exists(old_name):
            continue
        try:
            with public.open(old_name, "rb") as receipt:
                new_name = private.save(random_name(None, old_name), receipt)
        except FileNotFoundError:
            missing += 1
            continue
        claims.filter(pk=claim_id).update(receipt=new_name)
        public.delete(old_name)
        moved += 1
    if moved or missing:
        print(f"\n  receipts made private: {moved}; not found in the public storage: {missing}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("wallet", "0004_gift_card_kinds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cashbackclaim",
            name="receipt",
            field=models.ImageField(
                blank=True,
                storage=coupzii.core.files.private_storage,
                upload_to=coupzii.core.files.RandomName("cashback-receipts"),
                verbose_name="receipt",
            ),
        ),
        # Backwards leaves the files private: making shoppers' receipts public again is not
        # a rollback anyone wants, and the previous release's admin links only break.
        migrations.RunPython(receipts_to_private_storage, migrations.RunPython.noop),
    ]
