"""Referral bonuses: when a referred shopper's first cashback is confirmed, their referrer gets
a bonus and they get a welcome bonus, both from `promotions`, each exactly once.

No bonus when the two accounts look like one person: a phone number both have verified, or a
payout destination (UPI id or bank account) they share.
"""

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import PhoneCodeDevice, User
from accounts.services import notification_send
from coupzii.core.money import format_inr

from .. import leaderboard, ledger
from ..models import AccountKind, KycProfile, ReferralReward, ReferralStatus, TransactionKind


def referral_reward(*, referred: User) -> ReferralReward | None:
    """Decide, once, the bonuses for `referred`: call when their cashback is confirmed (inside
    the transaction that confirms it). Returns the decision, or None when nobody referred them.
    """
    referrer = referred.referred_by
    if referrer is None:
        return None
    existing = ReferralReward.objects.filter(referred=referred).first()
    if existing:
        return existing
    reason = _same_person_reason(referrer, referred)
    reward = ReferralReward(referred=referred, referrer=referrer)
    if reason:
        reward.status, reward.reason = ReferralStatus.BLOCKED, reason
    else:
        reward.status = ReferralStatus.REWARDED
        reward.referrer_bonus = Decimal(settings.WALLET_REFERRAL_BONUS)
        reward.welcome_bonus = Decimal(settings.WALLET_WELCOME_BONUS)
    try:
        with transaction.atomic():
            reward.save()
    except IntegrityError:
        # Two of the shopper's sales confirmed at once: the other decided first.
        return ReferralReward.objects.get(referred=referred)
    if reward.status == ReferralStatus.REWARDED:
        _pay(reward)
    return reward


def _same_person_reason(referrer: User, referred: User) -> str:
    phones = PhoneCodeDevice.objects.filter(confirmed=True)
    shared_phone = (
        phones.filter(user=referrer)
        .values("phone")
        .intersection(phones.filter(user=referred).values("phone"))
    )
    if shared_phone.exists():
        return "shared verified phone"
    kyc = {k.user_id: k for k in KycProfile.objects.filter(user__in=[referrer, referred])}
    first, second = kyc.get(referrer.pk), kyc.get(referred.pk)
    if first and second:
        if first.upi_digest and first.upi_digest == second.upi_digest:
            return "shared UPI id"
        if first.bank_digest and first.bank_digest == second.bank_digest:
            return "shared bank account"
    return ""


def _pay(reward: ReferralReward) -> None:
    promotions = ledger.platform_account(AccountKind.PROMOTIONS)
    accounts = ledger.accounts_for_users([reward.referrer_id, reward.referred_id])
    entries = [
        _bonus_entry(
            reward,
            TransactionKind.REFERRAL_BONUS,
            "referrer",
            promotions,
            accounts[reward.referrer_id][AccountKind.AVAILABLE],
            reward.referrer_bonus,
        ),
        _bonus_entry(
            reward,
            TransactionKind.WELCOME_BONUS,
            "welcome",
            promotions,
            accounts[reward.referred_id][AccountKind.AVAILABLE],
            reward.welcome_bonus,
        ),
    ]
    # A bonus configured as zero is simply not paid.
    ledger.transactions_post([e for e in entries if e.legs[1][1] > 0])
    if reward.referrer_bonus > 0:
        month = timezone.localdate().strftime("%Y-%m")
        transaction.on_commit(lambda: leaderboard.add(month=month, user_id=reward.referrer_id))
    _notify(reward)


def _bonus_entry(reward, kind, who, promotions, available, amount) -> ledger.Entry:
    return ledger.Entry(
        kind=kind,
        idempotency_key=f"referral:{reward.referred_id}:{who}",
        legs=[(promotions, -amount), (available, amount)],
        reference_type="referral",
        reference_id=str(reward.referred.public_id),
    )


def _notify(reward: ReferralReward) -> None:
    if reward.referrer_bonus > 0:
        _notify_referrer(reward)
    if reward.welcome_bonus > 0:
        _notify_welcome(reward)


def _notify_referrer(reward: ReferralReward) -> None:
    referrer, referred = reward.referrer, reward.referred
    notification_send(
        user=referrer,
        kind="referral_joined",
        title=lambda: (
            _("You earned a %(amount)s referral bonus")
            % {"amount": format_inr(reward.referrer_bonus)}
        ),
        body=lambda: (
            _("%(name)s, who joined with your code, earned their first cashback.")
            % {"name": referred.get_short_name()}
        ),
        link="/referrals/",
    )


def _notify_welcome(reward: ReferralReward) -> None:
    notification_send(
        user=reward.referred,
        kind="referral_joined",
        title=lambda: (
            _("Welcome bonus: %(amount)s added to your wallet")
            % {"amount": format_inr(reward.welcome_bonus)}
        ),
        body=gettext_lazy("Thanks for joining through a friend's invitation."),
        link="/wallet/",
    )
