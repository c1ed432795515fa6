"""Demo users for `manage.py seed_demo`: one operator and one shopper with known passwords."""

from .models import User

DEMO_USERS = [
    {
        "email": "admin@coupzii.test",
        "password": "coupzii-admin-demo",
        "full_name": "Coupzii Operator",
        "is_staff": True,
        "is_superuser": True,
    },
    {
        "email": "asha@coupzii.test",
        "password": "coupzii-shopper-demo",
        "full_name": "Asha Verma",
        "phone": "+919876543210",
    },
]


def seed(log) -> None:
    for spec in DEMO_USERS:
        fields = {key: value for key, value in spec.items() if key not in ("email", "password")}
        user = User.objects.filter(email=spec["email"]).first()
        if user is None:
            User.objects.create_user(spec["email"], spec["password"], **fields)
            log(f"user {spec['email']} / {spec['password']}")
