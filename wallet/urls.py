"""Page routes of the wallet: /wallet/, /referrals/ and its leaderboard."""

from django.urls import path

from . import views

urlpatterns = [
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/withdraw/", views.wallet_withdraw, name="wallet_withdraw"),
    path("wallet/kyc/", views.wallet_kyc, name="wallet_kyc"),
    path("wallet/claims/", views.wallet_claim, name="wallet_claim"),
    path(
        "wallet/claims/<uuid:claim_id>/receipt/",
        views.wallet_claim_receipt,
        name="wallet_claim_receipt",
    ),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/leaderboard/", views.referral_leaderboard, name="referrals_leaderboard"),
]
