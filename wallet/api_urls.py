"""Routes under /api/v1/ for the wallet: balances, transactions, cashback, withdrawals, KYC,
missing-cashback claims and referrals.

Ids in paths are strings, not <uuid:>: a malformed id then answers the API's 404 error shape
instead of Django's HTML 404 page.
"""

from django.urls import path

from . import api

urlpatterns = [
    path("wallet/", api.WalletSummaryView.as_view(), name="api-wallet"),
    path("wallet/transactions/", api.TransactionListView.as_view(), name="api-wallet-transactions"),
    path("wallet/cashback/", api.CashbackListView.as_view(), name="api-wallet-cashback"),
    path(
        "wallet/cashback/<str:public_id>/",
        api.CashbackDetailView.as_view(),
        name="api-wallet-cashback-detail",
    ),
    path("wallet/withdrawals/", api.WithdrawalListView.as_view(), name="api-wallet-withdrawals"),
    path(
        "wallet/withdrawals/<str:public_id>/",
        api.WithdrawalDetailView.as_view(),
        name="api-wallet-withdrawal-detail",
    ),
    path("wallet/kyc/", api.KycView.as_view(), name="api-wallet-kyc"),
    path("cashback/claims/", api.CashbackClaimListView.as_view(), name="api-cashback-claims"),
    path(
        "cashback/claims/<str:public_id>/receipt/",
        api.CashbackClaimReceiptView.as_view(),
        name="api-cashback-claim-receipt",
    ),
    path(
        "cashback/claimable-clicks/",
        api.ClaimableClickListView.as_view(),
        name="api-cashback-claimable-clicks",
    ),
    path("referrals/", api.ReferralsView.as_view(), name="api-referrals"),
    path("referrals/leaderboard/", api.LeaderboardView.as_view(), name="api-referrals-leaderboard"),
]
