"""KYC: formats with a message per field, PAN and bank account encrypted at rest and shown
masked, and the review cycle (changed details go back to review)."""

import pytest
from django.db import connection

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from coupzii.core.crypto import decrypt
from wallet.errors import InvalidTransition, NotAnOperator, SelfReview
from wallet.models import KycProfile, KycStatus
from wallet.services.kyc import KycInvalid, kyc_reject, kyc_submit, kyc_verify
from wallet.tests.factories import operator

pytestmark = pytest.mark.django_db

GOOD = {"legal_name": "Asha Verma", "pan": "ABCDE1234F", "upi_id": "asha.verma@okaxis"}
BANK = {"legal_name": "Asha Verma", "pan": "ABCDE1234F", "bank_account": "1234 5678 9012"}


def _submit(user=None, **details):
    return kyc_submit(user=user or UserFactory(), **{**GOOD, **details})


def _refused(**details) -> dict[str, list[str]]:
    with pytest.raises(KycInvalid) as refused:
        _submit(**details)
    assert not KycProfile.objects.exists()
    return refused.value.fields


def _raw_columns(profile) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pan, bank_account FROM wallet_kycprofile WHERE id = %s", [profile.pk]
        )
        return cursor.fetchone()


# --- Formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pan", ["ABCDE1234", "ABCD12345F", "ABCDE12345", "1BCDE1234F", "ABCDE 1234F"]
)
def test_a_malformed_pan_is_refused_with_a_message_on_the_pan_field(pan):
    fields = _refused(pan=pan)
    assert list(fields) == ["pan"]
    assert fields["pan"] == ["A PAN is 10 characters: 5 letters, 4 digits, 1 letter (ABCDE1234F)."]


def test_a_pan_typed_in_lower_case_with_spaces_around_is_accepted_in_capitals():
    profile = _submit(pan="  abcde1234f ")
    assert profile.pan == "ABCDE1234F"


@pytest.mark.parametrize(
    "upi_id", ["asha", "asha@", "@okaxis", "a@okaxis", "asha@ok axis", "as ha@okaxis", "asha@1bank"]
)
def test_a_malformed_upi_id_is_refused(upi_id):
    assert _refused(upi_id=upi_id) == {"upi_id": ["A UPI id looks like name@bank."]}


@pytest.mark.parametrize("upi_id", ["9876543210@ybl", "asha.verma-1@okhdfcbank", "Asha_V@Paytm"])
def test_real_looking_upi_ids_are_accepted_and_kept_in_lower_case(upi_id):
    assert _submit(upi_id=upi_id).upi_id == upi_id.lower()


@pytest.mark.parametrize("ifsc", ["HDFC001234", "HDFC1001234", "HDF00001234", "HDFC0001234X"])
def test_a_malformed_ifsc_is_refused(ifsc):
    fields = _refused(**BANK, ifsc=ifsc)
    assert fields == {"ifsc": ["An IFSC is 11 characters: 4 letters, 0, then 6 letters or digits."]}


@pytest.mark.parametrize("account", ["12345678", "1234567890123456789", "12345678A0", "abc"])
def test_a_malformed_bank_account_number_is_refused(account):
    fields = _refused(**{**BANK, "bank_account": account}, ifsc="HDFC0001234")
    assert fields == {"bank_account": ["A bank account number has 9 to 18 digits."]}


def test_an_ifsc_without_an_account_number_is_refused_on_the_account_field():
    fields = _refused(upi_id="", ifsc="HDFC0001234")
    assert fields == {"bank_account": ["A bank account number has 9 to 18 digits."]}


def test_an_account_number_without_an_ifsc_is_refused_on_the_ifsc_field():
    assert "ifsc" in _refused(**BANK)


def test_a_payout_destination_is_required():
    assert _refused(upi_id="") == {"upi_id": ["Add a UPI id or a bank account to be paid to."]}


def test_every_bad_field_is_named_at_once():
    fields = _refused(legal_name=" A ", pan="nope", upi_id="nope", ifsc="nope")
    assert set(fields) == {"legal_name", "pan", "upi_id", "bank_account", "ifsc"}


def test_bank_details_are_cleaned_and_upi_is_optional_beside_them():
    profile = _submit(**BANK, upi_id="", ifsc=" hdfc0001234 ")
    assert profile.bank_account == "123456789012"  # spaces and dashes dropped
    assert profile.ifsc == "HDFC0001234"
    assert profile.upi_id == ""
    assert profile.status == KycStatus.SUBMITTED


# --- Encryption and masking -------------------------------------------------------------------


def test_pan_and_bank_account_are_encrypted_at_rest():
    # given
    profile = _submit(**BANK, ifsc="HDFC0001234")
    # when: the columns are read the way a database dump would show them
    raw_pan, raw_account = _raw_columns(profile)
    # then
    assert "ABCDE1234F" not in raw_pan
    assert "123456789012" not in raw_account
    assert decrypt(raw_pan) == "ABCDE1234F"
    assert decrypt(raw_account) == "123456789012"
    # and the same PAN encrypts differently each time (no dictionary attack on equal values)
    other = _submit(**BANK, ifsc="HDFC0001234")
    assert _raw_columns(other)[0] != raw_pan
    # the code reading the model sees plaintext
    fresh = KycProfile.objects.get(pk=profile.pk)
    assert (fresh.pan, fresh.bank_account) == ("ABCDE1234F", "123456789012")


def test_payout_digests_do_not_reveal_the_destination_but_match_across_users():
    first = _submit(**BANK, ifsc="HDFC0001234", upi_id="asha@okaxis")
    second = _submit(**BANK, ifsc="ICIC0000001", upi_id="ASHA@okaxis")
    assert "123456789012" not in first.bank_digest and "asha" not in first.upi_digest
    assert first.bank_digest == second.bank_digest
    assert first.upi_digest == second.upi_digest


def test_pan_and_bank_account_are_shown_masked():
    profile = _submit(**BANK, ifsc="HDFC0001234")
    assert profile.pan_masked == "XXXXXX234F"
    assert profile.bank_masked == "XXXXXX9012"
    assert "ABCDE" not in profile.pan_masked
    assert "ABCDE1234F" not in str(profile)
    upi_only = _submit()
    assert upi_only.bank_masked == ""


# --- Review -----------------------------------------------------------------------------------


def test_a_submission_goes_to_review_and_an_operator_verifies_it():
    user = UserFactory()
    profile = _submit(user)
    assert (profile.status, profile.submitted_at is not None) == (KycStatus.SUBMITTED, True)
    staff = operator()
    verified = kyc_verify(profile=profile, operator=staff)
    assert verified.status == KycStatus.VERIFIED
    assert (verified.reviewed_by, verified.reviewed_at is not None) == (staff, True)
    notice = Notification.objects.get(user=user)
    assert notice.title == "Your KYC details are verified"


def test_a_rejection_needs_a_reason_and_tells_the_shopper():
    user = UserFactory()
    profile = _submit(user)
    with pytest.raises(KycInvalid) as refused:
        kyc_reject(profile=profile, operator=operator(), reason="  ")
    assert "reason" in refused.value.fields
    rejected = kyc_reject(profile=profile, operator=operator(), reason="Name differs from PAN")
    assert (rejected.status, rejected.rejection_reason) == (
        KycStatus.REJECTED,
        "Name differs from PAN",
    )
    assert Notification.objects.get(user=user).body == "Name differs from PAN"


def test_only_operators_review_kyc():
    profile = _submit()
    with pytest.raises(NotAnOperator):
        kyc_verify(profile=profile, operator=UserFactory())
    with pytest.raises(NotAnOperator):
        kyc_reject(profile=profile, operator=profile.user, reason="x")
    assert KycProfile.objects.get(pk=profile.pk).status == KycStatus.SUBMITTED


def test_only_a_submission_under_review_can_be_verified_or_rejected():
    profile = kyc_verify(profile=_submit(), operator=operator())
    with pytest.raises(InvalidTransition):
        kyc_verify(profile=profile, operator=operator())
    with pytest.raises(InvalidTransition):
        kyc_reject(profile=profile, operator=operator(), reason="changed my mind")
    assert KycProfile.objects.get(pk=profile.pk).status == KycStatus.VERIFIED


def test_resubmitting_the_same_details_keeps_verified_kyc_verified():
    user = UserFactory()
    profile = kyc_verify(profile=_submit(user), operator=operator())
    again = _submit(user, upi_id=" ASHA.VERMA@okaxis ")  # the same after cleaning
    assert again.status == KycStatus.VERIFIED
    assert again.reviewed_at == profile.reviewed_at


@pytest.mark.parametrize(
    "change",
    [
        {"upi_id": "asha.new@ybl"},
        {"pan": "ABCDE9999F"},
        {"legal_name": "Asha V Verma"},
        {"bank_account": "987654321", "ifsc": "SBIN0000001"},
    ],
)
def test_changed_details_send_verified_kyc_back_to_review(change):
    # given
    user = UserFactory()
    kyc_verify(profile=_submit(user), operator=operator())
    # when
    changed = _submit(user, **change)
    # then
    assert changed.status == KycStatus.SUBMITTED
    assert (changed.reviewed_by, changed.reviewed_at) == (None, None)
    assert KycProfile.objects.filter(user=user).count() == 1
    for name, value in change.items():
        assert getattr(KycProfile.objects.get(user=user), name) == value


def test_rejected_kyc_can_be_resubmitted_even_unchanged():
    user = UserFactory()
    kyc_reject(profile=_submit(user), operator=operator(), reason="blurry")
    again = _submit(user)
    assert (again.status, again.rejection_reason) == (KycStatus.SUBMITTED, "")


def test_staff_cannot_verify_their_own_kyc():
    staff = operator()
    profile = _submit(staff)
    with pytest.raises(SelfReview):
        kyc_verify(profile=profile, operator=staff)
    with pytest.raises(SelfReview):
        kyc_reject(profile=profile, operator=staff, reason="mine")
    assert KycProfile.objects.get(pk=profile.pk).status == KycStatus.SUBMITTED


def test_a_upi_id_longer_than_the_column_is_a_field_error():
    assert "upi_id" in _refused(upi_id="a" * 120 + "@okaxis")
    assert len(_submit(upi_id="a" * 64 + "@okaxis").upi_id) <= 100


def test_a_legal_name_longer_than_the_column_is_a_field_error():
    assert "legal_name" in _refused(legal_name="Asha " * 30)


def test_a_rejection_reason_longer_than_the_column_is_a_field_error():
    profile = _submit()
    with pytest.raises(KycInvalid) as refused:
        kyc_reject(profile=profile, operator=operator(), reason="x" * 256)
    assert "reason" in refused.value.fields
