"""Demo wallet: the demo shopper's history covers every state, and the ledger stays sound."""

from decimal import Decimal as D

import pytest
from django.core.management import call_command

from accounts.models import User
from wallet import ledger, selectors
from wallet.models import (
    CashbackClaim,
    CashbackEvent,
    KycStatus,
    ReferralReward,
    Transaction,
    WithdrawalStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def asha(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return User.objects.get(email="asha@coupzii.test")


def test_the_demo_shopper_has_cashback_in_every_state_and_both_withdrawals(asha):
    events = CashbackEvent.objects.filter(user=asha)
    assert set(events.values_list("status", flat=True)) == {"pending", "confirmed", "declined"}
    assert events.filter(reversed_at__isnull=False).exists()
    statuses = set(asha.withdrawals.values_list("status", flat=True))
    assert statuses == {WithdrawalStatus.PAID, WithdrawalStatus.REQUESTED}
    assert asha.kyc.status == KycStatus.VERIFIED
    assert CashbackClaim.objects.filter(user=asha, status="open").exists()
    # Ravi's first confirmed cashback paid Asha's referral bonus
    assert ReferralReward.objects.get(referrer=asha).status == "rewarded"
    summary = selectors.wallet_summary(asha)
    assert summary.available > 0 and summary.pending > 0 and summary.held == D("150.00")
    assert ledger.ledger_problems() == []


def test_seeding_again_moves_no_money(asha):
    transactions = Transaction.objects.count()
    call_command("seed_demo")
    assert Transaction.objects.count() == transactions
    assert ledger.ledger_problems() == []
