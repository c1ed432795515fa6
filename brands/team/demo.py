"""Demo brands and their teams for `manage.py seed_demo`: two verified brands owning the first
two demo stores, three departments each, and known logins (README).

Logins (password `coupzii-brand-demo` for all):
  owner@<brand>.coupzii.test     owner, two-factor with the RFC 6238 test key (base32
                                 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ, as the operator's demo login)
  analyst@<brand>.coupzii.test   analyst, Analytics department
  till@<brand>.coupzii.test      till, Stores department
  both@brands.coupzii.test       editor in Marketing of both brands (uses the brand switcher)
where <brand> is each brand's slug (the store's: myntra, ajio).

Idempotent: brands are found by slug and people by email, so re-running adds nothing.
"""

from allauth.account.models import EmailAddress
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from catalog.demo import MERCHANTS
from catalog.models import Merchant

from ..models import Brand, BrandStatus, BrandStore, Department, DepartmentAccess, Membership, Role

PASSWORD = "coupzii-brand-demo"  # noqa: S105 (a documented demo login)
# RFC 6238's test key (hex of "12345678901234567890"), published for local use only.
DEMO_OWNER_TOTP_HEX = "3132333435363738393031323334353637383930"
DEMO_OWNER_TOTP_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
DEPARTMENTS = [
    ("Marketing", DepartmentAccess.ALL),
    ("Stores", DepartmentAccess.OWN),
    ("Analytics", DepartmentAccess.ALL),
]
# (email local part, role, department); the address is <local>@<brand slug>.coupzii.test.
STAFF = [
    ("owner", Role.OWNER, None),
    ("analyst", Role.ANALYST, "Analytics"),
    ("till", Role.TILL, "Stores"),
]
SHARED_EMAIL = "both@brands.coupzii.test"
BRAND_COUNT = 2


def seed_team(log=lambda message: None) -> list[Brand]:
    """The demo brands (created once), with their departments and staff. Needs the catalog's
    demo stores; returns [] (and says so) when they are not there."""
    slugs = [spec[1] for spec in MERCHANTS[:BRAND_COUNT]]
    merchants = {merchant.slug: merchant for merchant in Merchant.objects.filter(slug__in=slugs)}
    if len(merchants) < BRAND_COUNT:
        log("brands: the catalog's demo stores are missing; seed the catalog first")
        return []
    shared = _person(SHARED_EMAIL, "Priya Nair", log)
    brands = []
    for slug in slugs:
        brand = _brand(merchants[slug], log)
        departments = {
            name: Department.objects.get_or_create(
                brand=brand, name=name, defaults={"access": level}
            )[0]
            for name, level in DEPARTMENTS
        }
        for local, role, department in STAFF:
            email = f"{local}@{brand.slug}.coupzii.test"
            user = _person(email, f"{brand.name} {role.label}", log)
            if role == Role.OWNER:
                _authenticator(user, log)
            _member(brand, user, role, departments.get(department))
        _member(brand, shared, Role.EDITOR, departments["Marketing"])
        brands.append(brand)
    return brands


def _brand(merchant: Merchant, log) -> Brand:
    brand, created = Brand.objects.get_or_create(
        slug=merchant.slug,
        defaults={
            "name": merchant.name,
            "work_email": f"partners@{merchant.slug}.coupzii.test",
            "website": merchant.website,
            "status": BrandStatus.VERIFIED,
            "verified_at": timezone.now(),
        },
    )
    if created:
        log(f"brand {brand.name} (/brand/{brand.slug}/)")
    BrandStore.objects.get_or_create(merchant=merchant, defaults={"brand": brand})
    return brand


def _person(email: str, full_name: str, log) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, PASSWORD, full_name=full_name)
        log(f"brand login {email} / {PASSWORD}")
    # Demo addresses count as confirmed, so the logins work straight away.
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _authenticator(user: User, log) -> None:
    _device, created = TOTPDevice.objects.get_or_create(
        user=user,
        name="Demo authenticator",
        defaults={"key": DEMO_OWNER_TOTP_HEX, "confirmed": True},
    )
    if created:
        log(f"two-factor for {user.email}: secret {DEMO_OWNER_TOTP_BASE32}")


def _member(brand: Brand, user: User, role: str, department: Department | None) -> Membership:
    return Membership.objects.get_or_create(
        brand=brand, user=user, defaults={"role": role, "department": department}
    )[0]
