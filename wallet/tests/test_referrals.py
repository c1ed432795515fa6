"""Referral bonuses: paid once to both at the referred shopper's first confirmed cashback,
configurable, refused to accounts that look like one person, and counted on the leaderboard."""

from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Notification, PhoneCodeDevice
from accounts.tests.factories import UserFactory
from offers.tests.factories import ClickFactory
from wallet import leaderboard, ledger
from wallet.models import AccountKind, ReferralReward, ReferralStatus, Transaction, TransactionKind
from wallet.networks.base import SaleStatus
from wallet.selectors import referral_earnings, referral_leaderboard
from wallet.services.cashback import cashback_match_unmatched, cashback_report
from wallet.services.kyc import kyc_submit
from wallet.services.referrals import referral_reward
from wallet.tests.factories import confirmed_cashback, sale_for, with_status

pytestmark = pytest.mark.django_db
AVAILABLE = AccountKind.AVAILABLE
BONUS_KINDS = (TransactionKind.REFERRAL_BONUS, TransactionKind.WELCOME_BONUS)


def _pair():
    referrer = UserFactory()
    return referrer, UserFactory(referred_by=referrer)


def _available(user) -> D:
    return ledger.balances(user)[AVAILABLE]


def _bonuses() -> int:
    return Transaction.objects.filter(kind__in=BONUS_KINDS).count()


def _verified_phone(user, phone: str, *, confirmed=True) -> PhoneCodeDevice:
    return PhoneCodeDevice.objects.create(user=user, name="Phone", phone=phone, confirmed=confirmed)


def _kyc(user, **details):
    return kyc_submit(user=user, legal_name="Asha Verma", pan="ABCDE1234F", **details)


def _month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def test_the_first_confirmed_cashback_pays_both_bonuses_once(django_capture_on_commit_callbacks):
    # given
    referrer, friend = _pair()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_cashback(friend, "40.00")
    # then
    assert _available(referrer) == D("100.00")
    assert _available(friend) == D("90.00")  # 40 cashback + 50 welcome
    reward = ReferralReward.objects.get(referred=friend)
    assert (reward.status, reward.referrer, reward.referrer_bonus, reward.welcome_bonus) == (
        ReferralStatus.REWARDED,
        referrer,
        D("100.00"),
        D("50.00"),
    )
    assert ledger.platform_balance(AccountKind.PROMOTIONS) == D("-150.00")
    assert Notification.objects.filter(user=referrer, kind="referral_joined").count() == 1
    assert Notification.objects.filter(user=friend, kind="referral_joined").count() == 1
    assert referral_earnings(referrer) == D("100.00")
    # when: a second sale is confirmed, and the first is replayed
    with django_capture_on_commit_callbacks(execute=True):
        event = confirmed_cashback(friend, "30.00")
        cashback_report(
            sale=with_status(
                sale_for(event.click, transaction_id=event.network_txn_id), SaleStatus.CONFIRMED
            )
        )
    # then: nothing more
    assert _available(referrer) == D("100.00")
    assert _available(friend) == D("120.00")
    assert _bonuses() == 2
    assert ReferralReward.objects.count() == 1
    assert leaderboard.top(month=_month()) == [(referrer.pk, D("100.00"))]
    assert ledger.ledger_problems() == []


def test_pending_or_declined_cashback_pays_no_bonus():
    referrer, friend = _pair()
    sale = sale_for(ClickFactory(user=friend))
    cashback_report(sale=sale)
    assert _bonuses() == 0
    cashback_report(sale=with_status(sale, SaleStatus.DECLINED))
    assert _bonuses() == 0
    assert not ReferralReward.objects.exists()
    assert _available(referrer) == D("0.00")


def test_a_shopper_nobody_referred_gets_no_bonus():
    shopper = UserFactory()
    confirmed_cashback(shopper, "40.00")
    assert referral_reward(referred=shopper) is None
    assert not ReferralReward.objects.exists()
    assert _available(shopper) == D("40.00")


def test_a_referrer_earns_once_per_friend_and_for_every_friend(django_capture_on_commit_callbacks):
    referrer = UserFactory()
    friends = [UserFactory(referred_by=referrer) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for friend in friends:
            confirmed_cashback(friend, "10.00")
            confirmed_cashback(friend, "10.00")
    assert _available(referrer) == D("300.00")
    assert referral_earnings(referrer) == D("300.00")
    assert leaderboard.top(month=_month()) == [(referrer.pk, D("300.00"))]


def test_the_bonus_amounts_follow_the_settings(settings):
    settings.WALLET_REFERRAL_BONUS = "250.00"
    settings.WALLET_WELCOME_BONUS = "75.50"
    referrer, friend = _pair()
    confirmed_cashback(friend, "10.00")
    assert _available(referrer) == D("250.00")
    assert _available(friend) == D("85.50")


def test_a_welcome_bonus_set_to_zero_is_simply_not_paid(settings):
    settings.WALLET_WELCOME_BONUS = "0.00"
    referrer, friend = _pair()
    confirmed_cashback(friend, "10.00")
    assert _available(referrer) == D("100.00")
    assert _available(friend) == D("10.00")
    assert list(
        Transaction.objects.filter(kind__in=BONUS_KINDS).values_list("kind", flat=True)
    ) == [TransactionKind.REFERRAL_BONUS]
    assert ledger.ledger_problems() == []


# --- Same person ------------------------------------------------------------------------------


def test_no_bonus_when_both_verified_the_same_phone():
    # given
    referrer, friend = _pair()
    _verified_phone(referrer, "+919876543210")
    _verified_phone(friend, "+919876543210")
    # when
    confirmed_cashback(friend, "40.00")
    # then
    reward = ReferralReward.objects.get(referred=friend)
    assert (reward.status, reward.reason) == (ReferralStatus.BLOCKED, "shared verified phone")
    assert (reward.referrer_bonus, reward.welcome_bonus) == (D("0.00"), D("0.00"))
    assert _available(referrer) == D("0.00")
    assert _available(friend) == D("40.00")
    assert _bonuses() == 0
    assert referral_earnings(referrer) == D("0.00")


def test_a_phone_one_of_them_never_confirmed_does_not_block_the_bonus():
    referrer, friend = _pair()
    _verified_phone(referrer, "+919876543210")
    _verified_phone(friend, "+919876543210", confirmed=False)
    _verified_phone(friend, "+919812345678")
    confirmed_cashback(friend, "40.00")
    assert ReferralReward.objects.get(referred=friend).status == ReferralStatus.REWARDED
    assert _available(referrer) == D("100.00")


def test_no_bonus_when_they_share_a_upi_id():
    referrer, friend = _pair()
    _kyc(referrer, upi_id="family@okaxis")
    _kyc(friend, upi_id="FAMILY@okaxis")
    confirmed_cashback(friend, "40.00")
    reward = ReferralReward.objects.get(referred=friend)
    assert (reward.status, reward.reason) == (ReferralStatus.BLOCKED, "shared UPI id")
    assert _bonuses() == 0


def test_no_bonus_when_they_share_a_bank_account():
    referrer, friend = _pair()
    _kyc(referrer, bank_account="123456789012", ifsc="HDFC0001234", upi_id="one@okaxis")
    _kyc(friend, bank_account="1234-5678-9012", ifsc="HDFC0001234", upi_id="two@okaxis")
    confirmed_cashback(friend, "40.00")
    reward = ReferralReward.objects.get(referred=friend)
    assert (reward.status, reward.reason) == (ReferralStatus.BLOCKED, "shared bank account")
    assert _bonuses() == 0


def test_different_payout_destinations_do_not_block_the_bonus():
    referrer, friend = _pair()
    _kyc(referrer, upi_id="one@okaxis", bank_account="123456789012", ifsc="HDFC0001234")
    _kyc(friend, upi_id="two@okaxis", bank_account="123456789013", ifsc="HDFC0001234")
    confirmed_cashback(friend, "40.00")
    assert ReferralReward.objects.get(referred=friend).status == ReferralStatus.REWARDED


def test_a_blocked_referral_stays_blocked_after_the_shared_detail_changes():
    # the decision is taken once, at the first confirmed cashback
    referrer, friend = _pair()
    _kyc(referrer, upi_id="family@okaxis")
    _kyc(friend, upi_id="family@okaxis")
    confirmed_cashback(friend, "40.00")
    _kyc(friend, upi_id="mine@okaxis")
    confirmed_cashback(friend, "40.00")
    assert ReferralReward.objects.get(referred=friend).status == ReferralStatus.BLOCKED
    assert _bonuses() == 0


def test_a_sale_reversed_before_its_click_was_matched_pays_no_referral_bonus():
    # given: the friend's sale is confirmed and then reversed while its click is unmatched
    referrer, friend = _pair()
    click = ClickFactory.build(user=friend)
    sale = sale_for(click)
    cashback_report(sale=sale)
    cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))
    cashback_report(sale=with_status(sale, SaleStatus.DECLINED))
    click.offer.merchant.save()
    click.offer.save()
    click.save()
    # when
    assert cashback_match_unmatched() == 1
    # then: the friend has no confirmed cashback, so no bonus
    assert _bonuses() == 0
    assert _available(referrer) == D("0.00")
    assert ledger.ledger_problems() == []


# --- Leaderboard ------------------------------------------------------------------------------


def test_the_leaderboard_counts_a_bonus_only_after_the_commit(django_capture_on_commit_callbacks):
    # given a board already read this month (so built)
    top_referrer, runner_up = UserFactory(full_name="Asha Verma"), UserFactory(full_name="Ravi K")
    assert leaderboard.top(month=_month()) == []
    friends = [UserFactory(referred_by=top_referrer) for _ in range(2)]
    friends.append(UserFactory(referred_by=runner_up))
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for friend in friends:
            confirmed_cashback(friend, "10.00")
    # then: nothing is on the board until the transaction commits
    assert leaderboard.top(month=_month()) == []
    for callback in callbacks:
        callback()
    callbacks[0]()  # a repeated callback counts nothing twice
    assert leaderboard.top(month=_month()) == [
        (top_referrer.pk, D("200.00")),
        (runner_up.pk, D("100.00")),
    ]
    month, rows, rank = referral_leaderboard(viewer=runner_up)
    assert month == _month()
    assert [(row.rank, row.name, row.earned, row.is_you) for row in rows] == [
        (1, "Asha V.", D("200.00"), False),
        (2, "Ravi K.", D("100.00"), True),
    ]
    assert rank == 2


def test_a_blocked_referral_is_not_on_the_leaderboard(django_capture_on_commit_callbacks):
    referrer, friend = _pair()
    _verified_phone(referrer, "+919876543210")
    _verified_phone(friend, "+919876543210")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_cashback(friend, "40.00")
    assert leaderboard.top(month=_month()) == []
    assert leaderboard.standing(month=_month(), user_id=referrer.pk) is None


def test_a_leaderboard_redis_lost_is_rebuilt_from_the_ledger_when_read(
    django_capture_on_commit_callbacks,
):
    referrer, friend = _pair()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_cashback(friend, "40.00")

    cache.clear()  # Redis restarted, or another process wrote to its own in-process Redis

    assert leaderboard.top(month=_month()) == [(referrer.pk, D("100.00"))]
    assert leaderboard.standing(month=_month(), user_id=referrer.pk) == (1, D("100.00"))
    assert leaderboard.rebuild(month=_month()) == 1


def test_a_bonus_paid_before_the_board_was_ever_read_is_on_it(django_capture_on_commit_callbacks):
    # given: the bonus is paid while nobody has read (built) this month's board
    referrer, friend = _pair()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_cashback(friend, "40.00")
    cache.clear()
    second = UserFactory(referred_by=referrer)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_cashback(second, "40.00")

    # then the first read builds it from the ledger: both bonuses, counted once each
    assert leaderboard.top(month=_month()) == [(referrer.pk, D("200.00"))]


# --- Found in review (fixed) -------------------------------------------------------


def test_a_zero_referrer_bonus_puts_nobody_on_the_leaderboard(
    settings, django_capture_on_commit_callbacks
):
    settings.WALLET_REFERRAL_BONUS = "0.00"
    referrer, friend = _pair()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_cashback(friend, "40.00")
    assert leaderboard.standing(month=_month(), user_id=referrer.pk) is None
    # nor told they earned nothing; the friend still gets their welcome bonus
    assert not Notification.objects.filter(user=referrer).exists()
    assert Notification.objects.filter(user=friend, kind="referral_joined").count() == 1
    assert _available(friend) == D("90.00")
