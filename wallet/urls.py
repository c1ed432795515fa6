"""Page routes of the wallet: /wallet/ and /referrals/."""

urlpatterns: list = []
