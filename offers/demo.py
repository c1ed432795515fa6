"""Demo offers for `manage.py seed_demo`: about 400 codes, deals and unique-code offers on the
demo merchants, with titles, discounts, minimum orders and caps that agree with each other.

Deterministic: a seeded random generator picks the offers and their public ids are UUID5s of
(merchant, position), so the demo is the same on every machine and re-running adds nothing.
Dates are relative to the day it runs: offers started in the past and end between today and
60 days out (a few within three days, some never); a few are paused or expired so the filters
have something to hide. Every unique-code offer that has not ended gets a book of codes.

Then a year of history for the operators' dashboard (`seed_history`): shoppers joining, their
and visitors' clicks and the stores' views by day, with a weekly rhythm, growth and the
festive peak before Diwali.
"""

import bisect
import math
import random
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from accounts.models import User
from catalog.demo import MERCHANTS as DEMO_MERCHANTS
from catalog.models import CashbackKind, Category, Merchant
from coupzii.core.money import format_inr

from .models import Click, DiscountType, Offer, OfferKind, OfferStatus, OfferViewDay

CODE, DEAL, UNIQUE = OfferKind.CODE, OfferKind.DEAL, OfferKind.UNIQUE_CODE
PCT, FIXED = DiscountType.PERCENTAGE, DiscountType.FIXED
BOGO, FREE_SHIPPING = DiscountType.BOGO, DiscountType.FREE_SHIPPING

DEMO_NAMESPACE = uuid.UUID("5b0d7a52-8f0e-4a44-9d0c-1f6f3f0c2a11")
SEED = 2026

BANKS = [
    ("HDFC Bank", "HDFC"),
    ("ICICI Bank", "ICICI"),
    ("SBI", "SBI"),
    ("Axis Bank", "AXIS"),
    ("Kotak", "KOTAK"),
    ("IDFC FIRST Bank", "IDFC"),
]
WALLETS = [
    ("Paytm UPI", "PAYTM"),
    ("Amazon Pay", "APAY"),
    ("MobiKwik", "MBK"),
    ("CRED UPI", "CRED"),
]
SALES = ["End of Season", "Big Saving Days", "Weekend", "Clearance", "Festive", "Grand Payday"]


@dataclass(frozen=True)
class Template:
    """One kind of offer. `title` may use {pct}, {amt}, {min}, {cap}, {bank}, {wallet},
    {sale}; `code` may use {P} (the merchant's prefix), {pct}, {amt}, {bank}, {wallet}."""

    kind: str
    discount_type: str
    title: str
    description: str
    pcts: tuple = ()
    amts: tuple = ()
    mins: tuple = ()
    caps: tuple = ()
    code: str = "{P}"
    # Main categories where this kind of offer would make no sense (free delivery of a ride).
    not_in: tuple = ()


def T(*args, **kwargs) -> Template:
    return Template(*args, **kwargs)


NOTHING_DELIVERED = ("travel", "hotels", "cabs-rides", "entertainment", "recharge-bills")
NO_SALES = ("food-dining", "cabs-rides", "entertainment", "recharge-bills", "groceries")

# fmt: off
GENERIC = [
    T(CODE, PCT, "Flat {pct}% off on your first order{cap}", "New customers only: apply the code on your first order.", pcts=(10, 15, 20, 25, 30), caps=(None, 100, 150, 200), code="NEW{pct}"),  # noqa: E501
    T(CODE, FIXED, "Extra {amt} off on {min} with {bank} cards", "Valid on {bank} credit and debit cards, once per card for the length of the offer.", amts=(100, 150, 200, 250, 500), mins=(999, 1499, 1999, 2499), code="{bank}{amt}"),  # noqa: E501
    T(CODE, FIXED, "{amt} off on orders above {min}", "Valid once per account on the total after other discounts.", amts=(50, 75, 100, 150, 200), mins=(499, 599, 799, 999), code="{P}{amt}"),  # noqa: E501
    T(DEAL, PCT, "Up to {pct}% off in the {sale} sale", "Prices as marked, no code needed. While stocks last.", pcts=(40, 50, 60, 70, 80), not_in=NO_SALES),  # noqa: E501
    T(DEAL, FREE_SHIPPING, "Free delivery on orders above {min}", "The delivery fee is waived automatically at checkout.", mins=(199, 299, 499, 799), not_in=NOTHING_DELIVERED),  # noqa: E501
    T(CODE, PCT, "Extra {pct}% off when you pay with {wallet}{cap}", "Pay with {wallet} and apply the code; once per user.", pcts=(5, 10), caps=(50, 75, 100), code="{wallet}{pct}"),  # noqa: E501
]

UNIQUE_TEMPLATES = [
    T(UNIQUE, FIXED, "Coupzii exclusive: your own {amt} off code on {min}", "Claim a personal code that only you can use. Each code works once.", amts=(100, 150, 200, 250, 500), mins=(499, 999, 1499, 1999)),  # noqa: E501
    T(UNIQUE, PCT, "Your personal {pct}% off code{cap}", "Claim a personal single-use code from Coupzii's allocation.", pcts=(15, 20, 25), caps=(150, 200, 300)),  # noqa: E501
]

BY_CATEGORY = {
    "fashion": [
        T(DEAL, PCT, "Min {pct}% off on top brands", "Discount shown on the product page; no code needed.", pcts=(30, 40, 50)),  # noqa: E501
        T(DEAL, BOGO, "Buy 1 Get 1 free on T-shirts", "Add two eligible T-shirts; the cheaper one is free."),  # noqa: E501
        T(CODE, PCT, "Extra {pct}% off on ethnic wear{cap}", "Valid on kurtas, sarees and sherwanis.", pcts=(10, 15, 20), caps=(200, 300, None), code="ETHNIC{pct}"),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on winter wear", "Jackets, sweaters and thermals at sale prices.", pcts=(50, 60, 70)),  # noqa: E501
        T(CODE, FIXED, "Flat {amt} off on {min} on new arrivals", "Valid on the new-season collection only.", amts=(300, 400, 500), mins=(1999, 2499, 2999), code="{P}NEW{amt}"),  # noqa: E501
    ],
    "footwear": [
        T(DEAL, PCT, "Up to {pct}% off on running shoes", "Marked-down styles; sizes while stocks last.", pcts=(30, 40, 50)),  # noqa: E501
        T(CODE, PCT, "Extra {pct}% off on sneakers{cap}", "Valid on full-price and sale sneakers.", pcts=(10, 15), caps=(500, 750), code="KICKS{pct}"),  # noqa: E501
        T(DEAL, BOGO, "Buy 2 Get 1 free on socks and accessories", "The lowest-priced item is free."),  # noqa: E501
    ],
    "jewellery-watches": [
        T(DEAL, PCT, "Up to {pct}% off on making charges of diamond jewellery", "Off the making charges, not the metal or stone value.", pcts=(15, 20, 25)),  # noqa: E501
        T(CODE, FIXED, "Flat {amt} off on watches above {min}", "Valid on analog and smart watches.", amts=(500, 750, 1000), mins=(4999, 7999), code="TIME{amt}"),  # noqa: E501
        T(DEAL, PCT, "Flat {pct}% off on smartwatches", "Prices as marked.", pcts=(20, 25, 30)),
    ],
    "electronics": [
        T(DEAL, PCT, "Up to {pct}% off on headphones and earbuds", "Prices as marked; no code needed.", pcts=(40, 50, 60, 70)),  # noqa: E501
        T(DEAL, FIXED, "Up to {amt} off on smartphones with exchange", "Exchange value depends on the condition of your old phone.", amts=(2000, 3000, 5000)),  # noqa: E501
        T(CODE, FIXED, "Extra {amt} off on laptops above {min} with {bank} cards", "Valid on {bank} credit cards, including EMI.", amts=(1000, 1500, 2500), mins=(29999, 39999, 49999), code="{bank}LAP{amt}"),  # noqa: E501
        T(CODE, PCT, "Flat {pct}% off on smartwatches{cap}", "Valid on fitness bands and smartwatches.", pcts=(10, 15, 20), caps=(500, 1000), code="WATCH{pct}"),  # noqa: E501
        T(DEAL, FREE_SHIPPING, "Free delivery and installation on TVs above {min}", "Installation is booked once the TV is delivered.", mins=(14999, 19999)),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on home appliances", "Refrigerators, washing machines and ACs.", pcts=(35, 45, 55)),  # noqa: E501
    ],
    "food-dining": [
        T(CODE, PCT, "{pct}% off on orders above {min}{cap}", "Valid on selected restaurants.", pcts=(20, 30, 40, 50, 60), mins=(149, 199, 249), caps=(80, 100, 120, 150), code="TRY{pct}"),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off at top-rated restaurants", "Discount shown on the restaurant's menu.", pcts=(30, 40, 50, 60)),  # noqa: E501
        T(CODE, PCT, "{pct}% off on weekend orders{cap}", "Valid Saturday and Sunday only.", pcts=(15, 20), caps=(75, 100), code="WEEKEND{pct}"),  # noqa: E501
    ],
    "groceries": [
        T(CODE, FIXED, "Flat {amt} off on your first order above {min}", "New customers only.", amts=(100, 150, 200), mins=(599, 799, 999), code="FIRST{amt}"),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on fruits and vegetables", "Fresh produce at market prices or lower.", pcts=(20, 30, 40, 50)),  # noqa: E501
        T(CODE, PCT, "Extra {pct}% off on staples{cap}", "Atta, rice, dal and oil.", pcts=(5, 10), caps=(100, 150), code="STAPLES{pct}"),  # noqa: E501
        T(DEAL, BOGO, "Buy 1 Get 1 on packaged snacks", "Selected chips, biscuits and namkeen."),
    ],
    "travel": [
        T(CODE, PCT, "Flat {pct}% off on domestic flights{cap}", "Valid on one-way and return domestic flights.", pcts=(8, 10, 12), caps=(1000, 1500, 2000), code="{P}FLY"),  # noqa: E501
        T(CODE, FIXED, "Flat {amt} off on international flights above {min}", "Valid on economy and premium economy fares.", amts=(1500, 2500, 3000), mins=(15000, 25000), code="INTL{amt}"),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on hotels", "Member prices on thousands of hotels.", pcts=(30, 40, 50, 60)),  # noqa: E501
        T(CODE, PCT, "Extra {pct}% off on hotel stays with {bank} cards{cap}", "Valid on {bank} credit cards and EMI.", pcts=(10, 12, 15), caps=(1500, 2500, 3000), code="{bank}STAY"),  # noqa: E501
        T(CODE, FIXED, "{amt} off on bus tickets above {min}", "Valid on all operators.", amts=(100, 150, 200), mins=(500, 800), code="BUS{amt}"),  # noqa: E501
    ],
    "hotels": [
        T(DEAL, PCT, "Up to {pct}% off on weekend getaways", "Stays of one or two nights, Friday to Sunday.", pcts=(40, 50, 60)),  # noqa: E501
        T(CODE, PCT, "Flat {pct}% off on your first stay{cap}", "New customers only.", pcts=(15, 20, 25), caps=(750, 1000, 1500), code="STAY{pct}"),  # noqa: E501
    ],
    "cabs-rides": [
        T(CODE, FIXED, "Flat {amt} off on your next 3 rides", "Applies to three rides within seven days.", amts=(50, 75, 100), code="RIDE{amt}"),  # noqa: E501
        T(CODE, PCT, "{pct}% off on airport rides{cap}", "Valid on rides to or from the airport.", pcts=(10, 15, 20), caps=(100, 150, 200), code="AIRPORT{pct}"),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on auto rides this week", "Discount shown before you book.", pcts=(20, 25, 30)),  # noqa: E501
    ],
    "beauty": [
        T(CODE, PCT, "Flat {pct}% off on skincare{cap}", "Valid on serums, moisturisers and sunscreen.", pcts=(15, 20, 25), caps=(None, 300, 500), code="GLOW{pct}"),  # noqa: E501
        T(DEAL, BOGO, "Buy 2 Get 1 free on lipsticks", "The lowest-priced shade is free."),
        T(CODE, FIXED, "Extra {amt} off on {min}", "Valid once per account.", amts=(150, 200, 250), mins=(999, 1299, 1499), code="{P}{amt}"),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on top beauty brands", "Prices as marked.", pcts=(30, 40, 50)),  # noqa: E501
    ],
    "health-pharmacy": [
        T(CODE, PCT, "Flat {pct}% off on medicines{cap}", "Prescription needed for prescription medicines.", pcts=(15, 18, 20, 25), caps=(100, 150, 200, 300), code="MEDS{pct}"),  # noqa: E501
        T(CODE, FIXED, "{amt} off on lab tests above {min}", "Home sample collection included.", amts=(100, 150, 200), mins=(699, 999), code="LAB{amt}"),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on vitamins and supplements", "Genuine products, sealed.", pcts=(30, 40, 50)),  # noqa: E501
        T(DEAL, FREE_SHIPPING, "Free delivery on your first order", "New customers only."),
    ],
    "home-furniture": [
        T(DEAL, PCT, "Up to {pct}% off on sofas", "Prices as marked; delivery dates on the product page.", pcts=(40, 50, 60)),  # noqa: E501
        T(CODE, FIXED, "Extra {amt} off on {min}", "Valid on furniture and mattresses.", amts=(1000, 1500, 2000, 3000), mins=(9999, 14999, 19999), code="HOME{amt}"),  # noqa: E501
        T(CODE, PCT, "Flat {pct}% off on mattresses{cap}", "Valid on all sizes.", pcts=(10, 15, 20), caps=(2000, 3000), code="SLEEP{pct}"),  # noqa: E501
        T(DEAL, FREE_SHIPPING, "Free shipping and assembly on all furniture", "No delivery or assembly charge."),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on home decor", "Lamps, rugs, cushions and wall art.", pcts=(50, 60, 70)),  # noqa: E501
    ],
    "kids-baby": [
        T(CODE, PCT, "Flat {pct}% off on diapers{cap}", "Valid on all sizes and brands.", pcts=(15, 20, 25), caps=(300, 400), code="BABY{pct}"),  # noqa: E501
        T(DEAL, BOGO, "Buy 2 Get 1 free on toys", "The lowest-priced toy is free."),
        T(DEAL, PCT, "Up to {pct}% off on kids' clothing", "Prices as marked.", pcts=(40, 50, 60)),
        T(CODE, FIXED, "{amt} off for new parents on {min}", "First order only.", amts=(200, 250, 300), mins=(999, 1499), code="NEWMOM{amt}"),  # noqa: E501
    ],
    "entertainment": [
        T(CODE, BOGO, "Buy 1 Get 1 on movie tickets", "Valid on the second ticket of the same show{cap}.", caps=(250,), code="{P}BOGO"),  # noqa: E501
        T(CODE, FIXED, "Flat {amt} off on 2 movie tickets above {min}", "Valid on any format.", amts=(100, 125, 150), mins=(400, 500), code="MOVIE{amt}"),  # noqa: E501
        T(DEAL, PCT, "{pct}% off on food and beverages with your ticket", "Pre-order snacks while booking.", pcts=(15, 20, 25)),  # noqa: E501
        T(CODE, PCT, "Flat {pct}% off on live events{cap}", "Concerts, comedy and plays.", pcts=(10, 15), caps=(250, 500), code="LIVE{pct}"),  # noqa: E501
    ],
    "recharge-bills": [
        T(CODE, FIXED, "{amt} off on prepaid recharges above {min}", "Once per number per day.", amts=(20, 25, 30, 50), mins=(199, 299, 399), code="RECH{amt}"),  # noqa: E501
        T(CODE, FIXED, "Flat {amt} off on your first electricity bill payment above {min}", "First bill payment on the account.", amts=(50, 75, 100), mins=(500,), code="BILL{amt}"),  # noqa: E501
        T(CODE, PCT, "{pct}% off on DTH recharge{cap}", "Valid on all DTH operators.", pcts=(5, 10), caps=(50, 75), code="DTH{pct}"),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on postpaid plans for 3 months", "Discount applied to the first three bills.", pcts=(10, 20, 25)),  # noqa: E501
    ],
}

# A few brands' best-known offers, on top of their category's (or instead of them, for the
# brands in OWN_OFFERS_ONLY, whose category's offers would not fit: Lenskart sells no medicines).
BY_MERCHANT = {
    "dominos": [
        T(CODE, BOGO, "Buy 1 Get 1 on medium pizzas", "Valid on medium pan and hand-tossed pizzas, delivery and takeaway.", code="BOGOMED"),  # noqa: E501
        T(CODE, PCT, "Flat {pct}% off on pizzas above {min}", "Valid on all pizzas.", pcts=(20, 25, 30), mins=(399, 499), code="PIZZA{pct}"),  # noqa: E501
    ],
    "pizza-hut": [
        T(CODE, BOGO, "Buy 1 Get 1 on medium pizzas", "Valid on medium pan pizzas on weekdays.", code="HUTBOGO"),  # noqa: E501
        T(CODE, PCT, "Flat {pct}% off on pizzas above {min}", "Valid on all pizzas.", pcts=(20, 25, 30), mins=(399, 499), code="HUT{pct}"),  # noqa: E501
    ],
    "kfc": [
        T(DEAL, BOGO, "Buy 1 Get 1 on Zinger burgers", "Tuesdays only, in the app and on the website."),  # noqa: E501
        T(CODE, FIXED, "{amt} off on buckets above {min}", "Valid on all chicken buckets.", amts=(100, 125), mins=(599, 699), code="BUCKET{amt}"),  # noqa: E501
    ],
    "lenskart": [
        T(DEAL, BOGO, "Buy 1 Get 1 free on frames with Gold membership", "Lenses charged for both pairs."),  # noqa: E501
        T(CODE, PCT, "Flat {pct}% off on sunglasses", "Valid on the Vincent Chase and John Jacobs ranges.", pcts=(20, 25, 30), code="SUN{pct}"),  # noqa: E501
        T(CODE, FIXED, "Flat {amt} off on progressive lenses above {min}", "Valid on single-vision upgrades and progressive lenses.", amts=(500, 750), mins=(2999, 3999), code="LENS{amt}"),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on contact lenses", "Monthly and daily disposables from top brands.", pcts=(30, 40, 50)),  # noqa: E501
    ],
    "cult-fit": [
        T(CODE, PCT, "Flat {pct}% off on cultpass ELITE{cap}", "Valid on 3, 6 and 12 month memberships.", pcts=(20, 25, 30), caps=(3000, 5000), code="FIT{pct}"),  # noqa: E501
        T(CODE, FIXED, "Flat {amt} off on cultpass PRO", "Valid on 6 and 12 month memberships.", amts=(1000, 1500), code="PRO{amt}"),  # noqa: E501
        T(DEAL, PCT, "Up to {pct}% off on fitness equipment at cultsport", "Treadmills, cycles and dumbbells.", pcts=(40, 50, 60)),  # noqa: E501
    ],
    "bookmyshow": [
        T(DEAL, FIXED, "{amt} off on your first movie booking", "New users only; convenience fee waived.", amts=(100, 150)),  # noqa: E501
    ],
    "swiggy": [
        T(CODE, PCT, "Flat 50% off on your first order{cap}", "New users on orders above {min}.", pcts=(50,), mins=(149,), caps=(100,), code="SWIGGYIT"),  # noqa: E501
    ],
    "zomato": [
        T(CODE, PCT, "Flat 60% off on your first order{cap}", "New users on orders above {min}.", pcts=(60,), mins=(159,), caps=(120,), code="WELCOME60"),  # noqa: E501
    ],
}

# Hindi for every title above, with the same placeholders ({cap} reads ", अधिकतम ₹100").
TITLES_HI = {
    "Flat {pct}% off on your first order{cap}": "पहले ऑर्डर पर फ़्लैट {pct}% छूट{cap}",
    "Extra {amt} off on {min} with {bank} cards": "{bank} कार्ड से {min} पर {amt} की अतिरिक्त छूट",
    "{amt} off on orders above {min}": "{min} से ज़्यादा के ऑर्डर पर {amt} की छूट",
    "Up to {pct}% off in the {sale} sale": "{sale} सेल में {pct}% तक की छूट",
    "Free delivery on orders above {min}": "{min} से ज़्यादा के ऑर्डर पर मुफ़्त डिलीवरी",
    "Extra {pct}% off when you pay with {wallet}{cap}": "{wallet} से भुगतान पर {pct}% की अतिरिक्त छूट{cap}",  # noqa: E501
    "Coupzii exclusive: your own {amt} off code on {min}": "Coupzii एक्सक्लूसिव: {min} पर {amt} की छूट का आपका अपना कोड",  # noqa: E501
    "Your personal {pct}% off code{cap}": "{pct}% छूट का आपका निजी कोड{cap}",
    "Min {pct}% off on top brands": "टॉप ब्रांड पर कम से कम {pct}% छूट",
    "Buy 1 Get 1 free on T-shirts": "टी-शर्ट पर एक के साथ एक मुफ़्त",
    "Extra {pct}% off on ethnic wear{cap}": "एथनिक वियर पर {pct}% की अतिरिक्त छूट{cap}",
    "Up to {pct}% off on winter wear": "सर्दियों के कपड़ों पर {pct}% तक की छूट",
    "Flat {amt} off on {min} on new arrivals": "नए कलेक्शन में {min} पर फ़्लैट {amt} की छूट",
    "Up to {pct}% off on running shoes": "रनिंग शूज़ पर {pct}% तक की छूट",
    "Extra {pct}% off on sneakers{cap}": "स्नीकर्स पर {pct}% की अतिरिक्त छूट{cap}",
    "Buy 2 Get 1 free on socks and accessories": "मोज़ों और एक्सेसरीज़ पर दो के साथ एक मुफ़्त",
    "Up to {pct}% off on making charges of diamond jewellery": "डायमंड ज्वेलरी के मेकिंग चार्ज पर {pct}% तक की छूट",  # noqa: E501
    "Flat {amt} off on watches above {min}": "{min} से ज़्यादा की घड़ियों पर फ़्लैट {amt} की छूट",
    "Flat {pct}% off on smartwatches": "स्मार्टवॉच पर फ़्लैट {pct}% छूट",
    "Up to {pct}% off on headphones and earbuds": "हेडफ़ोन और ईयरबड्स पर {pct}% तक की छूट",
    "Up to {amt} off on smartphones with exchange": "एक्सचेंज के साथ स्मार्टफ़ोन पर {amt} तक की छूट",
    "Extra {amt} off on laptops above {min} with {bank} cards": "{bank} कार्ड से {min} से ज़्यादा के लैपटॉप पर {amt} की अतिरिक्त छूट",  # noqa: E501
    "Flat {pct}% off on smartwatches{cap}": "स्मार्टवॉच पर फ़्लैट {pct}% छूट{cap}",
    "Free delivery and installation on TVs above {min}": "{min} से ज़्यादा के टीवी पर मुफ़्त डिलीवरी और इंस्टॉलेशन",  # noqa: E501
    "Up to {pct}% off on home appliances": "घरेलू उपकरणों पर {pct}% तक की छूट",
    "{pct}% off on orders above {min}{cap}": "{min} से ज़्यादा के ऑर्डर पर {pct}% छूट{cap}",
    "Up to {pct}% off at top-rated restaurants": "टॉप रेटेड रेस्टोरेंट में {pct}% तक की छूट",
    "{pct}% off on weekend orders{cap}": "वीकेंड के ऑर्डर पर {pct}% छूट{cap}",
    "Flat {amt} off on your first order above {min}": "{min} से ज़्यादा के पहले ऑर्डर पर फ़्लैट {amt} की छूट",
    "Up to {pct}% off on fruits and vegetables": "फल और सब्ज़ियों पर {pct}% तक की छूट",
    "Extra {pct}% off on staples{cap}": "राशन के सामान पर {pct}% की अतिरिक्त छूट{cap}",
    "Buy 1 Get 1 on packaged snacks": "पैकेट वाले स्नैक्स पर एक के साथ एक मुफ़्त",
    "Flat {pct}% off on domestic flights{cap}": "घरेलू उड़ानों पर फ़्लैट {pct}% छूट{cap}",
    "Flat {amt} off on international flights above {min}": "{min} से ज़्यादा की अंतरराष्ट्रीय उड़ानों पर फ़्लैट {amt} की छूट",  # noqa: E501
    "Up to {pct}% off on hotels": "होटलों पर {pct}% तक की छूट",
    "Extra {pct}% off on hotel stays with {bank} cards{cap}": "{bank} कार्ड से होटल में ठहरने पर {pct}% की अतिरिक्त छूट{cap}",  # noqa: E501
    "{amt} off on bus tickets above {min}": "{min} से ज़्यादा के बस टिकट पर {amt} की छूट",
    "Up to {pct}% off on weekend getaways": "वीकेंड ट्रिप पर {pct}% तक की छूट",
    "Flat {pct}% off on your first stay{cap}": "पहली बार ठहरने पर फ़्लैट {pct}% छूट{cap}",
    "Flat {amt} off on your next 3 rides": "अगली 3 राइड पर फ़्लैट {amt} की छूट",
    "{pct}% off on airport rides{cap}": "एयरपोर्ट राइड पर {pct}% छूट{cap}",
    "Up to {pct}% off on auto rides this week": "इस हफ़्ते ऑटो राइड पर {pct}% तक की छूट",
    "Flat {pct}% off on skincare{cap}": "स्किनकेयर पर फ़्लैट {pct}% छूट{cap}",
    "Buy 2 Get 1 free on lipsticks": "लिपस्टिक पर दो के साथ एक मुफ़्त",
    "Extra {amt} off on {min}": "{min} पर {amt} की अतिरिक्त छूट",
    "Up to {pct}% off on top beauty brands": "टॉप ब्यूटी ब्रांड पर {pct}% तक की छूट",
    "Flat {pct}% off on medicines{cap}": "दवाइयों पर फ़्लैट {pct}% छूट{cap}",
    "{amt} off on lab tests above {min}": "{min} से ज़्यादा के लैब टेस्ट पर {amt} की छूट",
    "Up to {pct}% off on vitamins and supplements": "विटामिन और सप्लीमेंट पर {pct}% तक की छूट",
    "Free delivery on your first order": "पहले ऑर्डर पर मुफ़्त डिलीवरी",
    "Up to {pct}% off on sofas": "सोफ़ों पर {pct}% तक की छूट",
    "Flat {pct}% off on mattresses{cap}": "गद्दों पर फ़्लैट {pct}% छूट{cap}",
    "Free shipping and assembly on all furniture": "सभी फ़र्नीचर पर मुफ़्त शिपिंग और फ़िटिंग",
    "Up to {pct}% off on home decor": "होम डेकोर पर {pct}% तक की छूट",
    "Flat {pct}% off on diapers{cap}": "डायपर पर फ़्लैट {pct}% छूट{cap}",
    "Buy 2 Get 1 free on toys": "खिलौनों पर दो के साथ एक मुफ़्त",
    "Up to {pct}% off on kids' clothing": "बच्चों के कपड़ों पर {pct}% तक की छूट",
    "{amt} off for new parents on {min}": "नए माता-पिता के लिए {min} पर {amt} की छूट",
    "Buy 1 Get 1 on movie tickets": "मूवी टिकट पर एक के साथ एक मुफ़्त",
    "Flat {amt} off on 2 movie tickets above {min}": "{min} से ज़्यादा के 2 मूवी टिकट पर फ़्लैट {amt} की छूट",  # noqa: E501
    "{pct}% off on food and beverages with your ticket": "टिकट के साथ खाने-पीने पर {pct}% छूट",
    "Flat {pct}% off on live events{cap}": "लाइव इवेंट पर फ़्लैट {pct}% छूट{cap}",
    "{amt} off on prepaid recharges above {min}": "{min} से ज़्यादा के प्रीपेड रिचार्ज पर {amt} की छूट",
    "Flat {amt} off on your first electricity bill payment above {min}": "{min} से ज़्यादा के पहले बिजली बिल भुगतान पर फ़्लैट {amt} की छूट",  # noqa: E501
    "{pct}% off on DTH recharge{cap}": "DTH रिचार्ज पर {pct}% छूट{cap}",
    "Up to {pct}% off on postpaid plans for 3 months": "3 महीने तक पोस्टपेड प्लान पर {pct}% तक की छूट",
    "Buy 1 Get 1 on medium pizzas": "मीडियम पिज़्ज़ा पर एक के साथ एक मुफ़्त",
    "Flat {pct}% off on pizzas above {min}": "{min} से ज़्यादा के पिज़्ज़ा पर फ़्लैट {pct}% छूट",
    "Buy 1 Get 1 on Zinger burgers": "ज़िंगर बर्गर पर एक के साथ एक मुफ़्त",
    "{amt} off on buckets above {min}": "{min} से ज़्यादा की बकेट पर {amt} की छूट",
    "Buy 1 Get 1 free on frames with Gold membership": "गोल्ड मेंबरशिप के साथ फ़्रेम पर एक के साथ एक मुफ़्त",
    "Flat {pct}% off on sunglasses": "धूप के चश्मों पर फ़्लैट {pct}% छूट",
    "Flat {amt} off on progressive lenses above {min}": "{min} से ज़्यादा के प्रोग्रेसिव लेंस पर फ़्लैट {amt} की छूट",  # noqa: E501
    "Up to {pct}% off on contact lenses": "कॉन्टैक्ट लेंस पर {pct}% तक की छूट",
    "Flat {pct}% off on cultpass ELITE{cap}": "cultpass ELITE पर फ़्लैट {pct}% छूट{cap}",
    "Flat {amt} off on cultpass PRO": "cultpass PRO पर फ़्लैट {amt} की छूट",
    "Up to {pct}% off on fitness equipment at cultsport": "cultsport पर फ़िटनेस उपकरणों पर {pct}% तक की छूट",  # noqa: E501
    "{amt} off on your first movie booking": "पहली मूवी बुकिंग पर {amt} की छूट",
    "Flat 50% off on your first order{cap}": "पहले ऑर्डर पर फ़्लैट 50% छूट{cap}",
    "Flat 60% off on your first order{cap}": "पहले ऑर्डर पर फ़्लैट 60% छूट{cap}",
}

# Hindi for every description above, with the same placeholders.
DESCRIPTIONS_HI = {
    'New customers only: apply the code on your first order.': 'सिर्फ़ नए ग्राहकों के लिए: पहले ऑर्डर पर कोड लगाएँ।',  # noqa: E501
    'Valid on {bank} credit and debit cards, once per card for the length of the offer.': '{bank} क्रेडिट और डेबिट कार्ड पर मान्य, ऑफ़र की अवधि में हर कार्ड पर एक बार।',  # noqa: E501
    'Valid once per account on the total after other discounts.': 'दूसरी छूटों के बाद की कुल राशि पर, हर खाते पर एक बार मान्य।',  # noqa: E501
    'Prices as marked, no code needed. While stocks last.': 'दाम जैसे लिखे हैं, कोड की ज़रूरत नहीं। स्टॉक रहने तक।',  # noqa: E501
    'The delivery fee is waived automatically at checkout.': 'चेकआउट पर डिलीवरी फ़ीस अपने-आप हट जाती है।',  # noqa: E501
    'Pay with {wallet} and apply the code; once per user.': '{wallet} से भुगतान करें और कोड लगाएँ; हर यूज़र पर एक बार।',  # noqa: E501
    'Claim a personal code that only you can use. Each code works once.': 'ऐसा निजी कोड लें जिसे सिर्फ़ आप इस्तेमाल कर सकते हैं। हर कोड एक बार चलता है।',  # noqa: E501
    "Claim a personal single-use code from Coupzii's allocation.": 'Coupzii के हिस्से से एक बार चलने वाला निजी कोड लें।',  # noqa: E501
    'Discount shown on the product page; no code needed.': 'छूट प्रोडक्ट पेज पर दिखती है; कोड की ज़रूरत नहीं।',  # noqa: E501
    'Add two eligible T-shirts; the cheaper one is free.': 'दो योग्य टी-शर्ट जोड़ें; सस्ती वाली मुफ़्त है।',
    'Valid on kurtas, sarees and sherwanis.': 'कुर्ते, साड़ी और शेरवानी पर मान्य।',
    'Jackets, sweaters and thermals at sale prices.': 'जैकेट, स्वेटर और थर्मल सेल के दामों पर।',
    'Valid on the new-season collection only.': 'सिर्फ़ नए सीज़न के कलेक्शन पर मान्य।',
    'Marked-down styles; sizes while stocks last.': 'घटे दाम वाले स्टाइल; साइज़ स्टॉक रहने तक।',
    'Valid on full-price and sale sneakers.': 'पूरे दाम और सेल वाले स्नीकर्स पर मान्य।',
    'The lowest-priced item is free.': 'सबसे कम दाम वाला सामान मुफ़्त है।',
    'Off the making charges, not the metal or stone value.': 'छूट मेकिंग चार्ज पर है, धातु या पत्थर के मूल्य पर नहीं।',  # noqa: E501
    'Valid on analog and smart watches.': 'एनालॉग और स्मार्ट घड़ियों पर मान्य।',
    'Prices as marked.': 'दाम जैसे लिखे हैं।',
    'Prices as marked; no code needed.': 'दाम जैसे लिखे हैं; कोड की ज़रूरत नहीं।',
    'Exchange value depends on the condition of your old phone.': 'एक्सचेंज मूल्य आपके पुराने फ़ोन की हालत पर निर्भर करता है।',  # noqa: E501
    'Valid on {bank} credit cards, including EMI.': '{bank} क्रेडिट कार्ड पर मान्य, EMI सहित।',
    'Valid on fitness bands and smartwatches.': 'फ़िटनेस बैंड और स्मार्टवॉच पर मान्य।',
    'Installation is booked once the TV is delivered.': 'टीवी डिलीवर होते ही इंस्टॉलेशन बुक हो जाता है।',
    'Refrigerators, washing machines and ACs.': 'फ़्रिज, वॉशिंग मशीन और AC।',
    'Valid on selected restaurants.': 'चुनिंदा रेस्टोरेंट पर मान्य।',
    "Discount shown on the restaurant's menu.": 'छूट रेस्टोरेंट के मेन्यू पर दिखती है।',
    'Valid Saturday and Sunday only.': 'सिर्फ़ शनिवार और रविवार को मान्य।',
    'New customers only.': 'सिर्फ़ नए ग्राहकों के लिए।',
    'Fresh produce at market prices or lower.': 'ताज़ा फल-सब्ज़ियाँ बाज़ार भाव या उससे कम पर।',
    'Atta, rice, dal and oil.': 'आटा, चावल, दाल और तेल।',
    'Selected chips, biscuits and namkeen.': 'चुनिंदा चिप्स, बिस्किट और नमकीन।',
    'Valid on one-way and return domestic flights.': 'घरेलू वन-वे और रिटर्न उड़ानों पर मान्य।',
    'Valid on economy and premium economy fares.': 'इकॉनमी और प्रीमियम इकॉनमी किराए पर मान्य।',
    'Member prices on thousands of hotels.': 'हज़ारों होटलों पर मेंबर दाम।',
    'Valid on {bank} credit cards and EMI.': '{bank} क्रेडिट कार्ड और EMI पर मान्य।',
    'Valid on all operators.': 'सभी ऑपरेटरों पर मान्य।',
    'Stays of one or two nights, Friday to Sunday.': 'शुक्रवार से रविवार, एक या दो रात का ठहराव।',
    'Applies to three rides within seven days.': 'सात दिनों में तीन राइड पर लागू।',
    'Valid on rides to or from the airport.': 'एयरपोर्ट आने-जाने की राइड पर मान्य।',
    'Discount shown before you book.': 'बुक करने से पहले छूट दिखती है।',
    'Valid on serums, moisturisers and sunscreen.': 'सीरम, मॉइस्चराइज़र और सनस्क्रीन पर मान्य।',
    'The lowest-priced shade is free.': 'सबसे कम दाम वाला शेड मुफ़्त है।',
    'Valid once per account.': 'हर खाते पर एक बार मान्य।',
    'Prescription needed for prescription medicines.': 'प्रिस्क्रिप्शन वाली दवाओं के लिए प्रिस्क्रिप्शन ज़रूरी है।',  # noqa: E501
    'Home sample collection included.': 'घर से सैंपल लेना शामिल है।',
    'Genuine products, sealed.': 'असली प्रोडक्ट, सील बंद।',
    'Prices as marked; delivery dates on the product page.': 'दाम जैसे लिखे हैं; डिलीवरी की तारीख़ प्रोडक्ट पेज पर।',  # noqa: E501
    'Valid on furniture and mattresses.': 'फ़र्नीचर और गद्दों पर मान्य।',
    'Valid on all sizes.': 'सभी साइज़ पर मान्य।',
    'No delivery or assembly charge.': 'कोई डिलीवरी या फ़िटिंग चार्ज नहीं।',
    'Lamps, rugs, cushions and wall art.': 'लैंप, दरी, कुशन और वॉल आर्ट।',
    'Valid on all sizes and brands.': 'सभी साइज़ और ब्रांड पर मान्य।',
    'The lowest-priced toy is free.': 'सबसे कम दाम वाला खिलौना मुफ़्त है।',
    'First order only.': 'सिर्फ़ पहले ऑर्डर पर।',
    'Valid on the second ticket of the same show{cap}.': 'उसी शो के दूसरे टिकट पर मान्य{cap}।',
    'Valid on any format.': 'किसी भी फ़ॉर्मेट पर मान्य।',
    'Pre-order snacks while booking.': 'बुकिंग के समय ही स्नैक्स पहले से ऑर्डर करें।',
    'Concerts, comedy and plays.': 'कॉन्सर्ट, कॉमेडी और नाटक।',
    'Once per number per day.': 'हर नंबर पर दिन में एक बार।',
    'First bill payment on the account.': 'खाते पर पहला बिल भुगतान।',
    'Valid on all DTH operators.': 'सभी DTH ऑपरेटरों पर मान्य।',
    'Discount applied to the first three bills.': 'छूट पहले तीन बिलों पर लगती है।',
    'Valid on medium pan and hand-tossed pizzas, delivery and takeaway.': 'मीडियम पैन और हैंड-टॉस्ड पिज़्ज़ा पर मान्य, डिलीवरी और टेकअवे दोनों।',  # noqa: E501
    'Valid on all pizzas.': 'सभी पिज़्ज़ा पर मान्य।',
    'Valid on medium pan pizzas on weekdays.': 'हफ़्ते के दिनों में मीडियम पैन पिज़्ज़ा पर मान्य।',
    'Tuesdays only, in the app and on the website.': 'सिर्फ़ मंगलवार को, ऐप और वेबसाइट पर।',
    'Valid on all chicken buckets.': 'सभी चिकन बकेट पर मान्य।',
    'Lenses charged for both pairs.': 'दोनों जोड़ों के लेंस का दाम लगेगा।',
    'Valid on the Vincent Chase and John Jacobs ranges.': 'Vincent Chase और John Jacobs रेंज पर मान्य।',  # noqa: E501
    'Valid on single-vision upgrades and progressive lenses.': 'सिंगल-विज़न अपग्रेड और प्रोग्रेसिव लेंस पर मान्य।',  # noqa: E501
    'Monthly and daily disposables from top brands.': 'टॉप ब्रांड के मंथली और डेली डिस्पोज़ेबल लेंस।',
    'Valid on 3, 6 and 12 month memberships.': '3, 6 और 12 महीने की मेंबरशिप पर मान्य।',
    'Valid on 6 and 12 month memberships.': '6 और 12 महीने की मेंबरशिप पर मान्य।',
    'Treadmills, cycles and dumbbells.': 'ट्रेडमिल, साइकिल और डंबल।',
    'New users only; convenience fee waived.': 'सिर्फ़ नए यूज़र के लिए; सुविधा शुल्क माफ़।',
    'New users on orders above {min}.': '{min} से ज़्यादा के ऑर्डर पर नए यूज़र के लिए।',
}

SALES_HI = {
    "End of Season": "एंड ऑफ़ सीज़न",
    "Big Saving Days": "बिग सेविंग डेज़",
    "Weekend": "वीकेंड",
    "Clearance": "क्लियरेंस",
    "Festive": "त्योहारी",
    "Grand Payday": "ग्रैंड पेडे",
}
# fmt: on


OWN_OFFERS_ONLY = {"lenskart", "cult-fit"}


def _prefix(merchant: Merchant) -> str:
    """A code prefix shoppers would recognise: MYNTRA, MMT (MakeMyTrip), SOULED, TATA1MG."""
    words = [w for w in re.findall(r"[A-Za-z0-9]+", merchant.name) if w.lower() != "the"]
    joined = "".join(words)
    if len(joined) <= 9:
        return joined.upper()
    capitals = re.findall(r"[A-Z]", joined)
    if len(words) == 1 and len(capitals) >= 2:
        return "".join(capitals)
    return words[0].upper()[:9]


def _render(template: Template, merchant: Merchant, rng: random.Random) -> dict:
    pct = rng.choice(template.pcts) if template.pcts else None
    amt = rng.choice(template.amts) if template.amts else None
    minimum = rng.choice(template.mins) if template.mins else None
    cap = rng.choice(template.caps) if template.caps else None
    bank, bank_code = rng.choice(BANKS)
    wallet, wallet_code = rng.choice(WALLETS)
    words = {
        "pct": pct,
        "amt": format_inr(amt) if amt else "",
        "min": format_inr(minimum) if minimum else "",
        "cap": f", up to {format_inr(cap)}" if cap else "",
        "bank": bank,
        "wallet": wallet,
        "sale": rng.choice(SALES),
    }
    words_hi = {
        **words,
        "cap": f", अधिकतम {format_inr(cap)}" if cap else "",
        "sale": SALES_HI[words["sale"]],
    }
    code_words = {**words, "P": _prefix(merchant), "amt": amt or "", "bank": bank_code}
    code_words["wallet"] = wallet_code
    if template.discount_type == PCT:
        value = Decimal(pct)
    elif template.discount_type == FIXED:
        value = Decimal(amt)
    else:
        value = None
    return {
        "kind": template.kind,
        "discount_type": template.discount_type,
        "title": template.title.format(**words),
        "title_hi": TITLES_HI[template.title].format(**words_hi),
        "description_hi": DESCRIPTIONS_HI[template.description].format(**words_hi),
        "description": template.description.format(**words),
        "code": template.code.format(**code_words) if template.kind == CODE else "",
        "discount_value": value,
        "min_order": Decimal(minimum) if minimum else None,
        "max_discount": Decimal(cap) if cap else None,
    }


def _terms(offer: dict) -> str:
    lines = ["Valid once per account unless stated otherwise."]
    if offer["min_order"]:
        lines.append(f"Minimum order {format_inr(offer['min_order'])}.")
    if offer["max_discount"]:
        lines.append(f"Maximum discount {format_inr(offer['max_discount'])}.")
    lines.append("Cannot be combined with other coupon codes. The store's terms apply.")
    return " ".join(lines)


def _terms_hi(offer: dict) -> str:
    lines = ["जब तक अलग से न लिखा हो, हर खाते पर एक बार मान्य।"]
    if offer["min_order"]:
        lines.append(f"न्यूनतम ऑर्डर {format_inr(offer['min_order'])}।")
    if offer["max_discount"]:
        lines.append(f"अधिकतम छूट {format_inr(offer['max_discount'])}।")
    lines.append("दूसरे कूपन कोड के साथ नहीं जुड़ता। स्टोर की शर्तें लागू।")
    return " ".join(lines)


def _end_of_day(moment: datetime, days: int) -> datetime:
    local = timezone.localtime(moment)
    day = local.date() + timedelta(days=days)
    return datetime.combine(day, time(23, 59), tzinfo=local.tzinfo)


def build(merchants: list[Merchant], categories: dict[int, Category], now: datetime) -> list:
    """The demo offers as unsaved `Offer`s: the same ones, in the same order, on every run
    (only their dates move with `now`)."""
    rng = random.Random(SEED)  # noqa: S311 - demo content, not security
    offers = []
    for merchant in merchants:
        main_category = categories.get(merchant.id)
        pool = list(BY_CATEGORY.get(main_category.slug, [])) if main_category else []
        if merchant.slug in OWN_OFFERS_ONLY:
            pool = []
        slug = main_category.slug if main_category else ""
        pool += [t for t in GENERIC if rng.random() < 0.7 and slug not in t.not_in]
        rng.shuffle(pool)
        chosen = list(BY_MERCHANT.get(merchant.slug, [])) + pool[: rng.randint(4, 7)]
        if rng.random() < 0.3:
            chosen.append(rng.choice(UNIQUE_TEMPLATES))
        titles, codes = set(), set()
        for position, template in enumerate(chosen):
            fields = _render(template, merchant, rng)
            if fields["title"] in titles:
                continue
            titles.add(fields["title"])
            while fields["code"] and fields["code"] in codes:
                fields["code"] += str(rng.randint(1, 9))
            codes.add(fields["code"])
            offers.append(_dated(merchant, main_category, position, fields, rng, now))
    return offers


def _dated(merchant, category, position, fields, rng, now) -> Offer:
    starts_at = now - timedelta(days=rng.randint(1, 45), hours=rng.randint(0, 23))
    roll = rng.random()
    status = OfferStatus.ACTIVE
    if not merchant.is_active or roll < 0.04:
        status, ends_at = OfferStatus.EXPIRED, now - timedelta(days=rng.randint(1, 20))
        starts_at = min(starts_at, ends_at - timedelta(days=7))
    elif roll < 0.08:
        status, ends_at = OfferStatus.PAUSED, _end_of_day(now, rng.randint(5, 40))
    elif roll < 0.22:
        ends_at = None
    elif roll < 0.27:
        ends_at = _end_of_day(now, 0)
    elif roll < 0.34:
        ends_at = _end_of_day(now, rng.randint(1, 3))
    else:
        ends_at = _end_of_day(now, rng.randint(4, 60))
    cashback_kind, cashback_value = "", None
    if rng.random() < 0.1:
        # A boosted rate for this offer only, above the store's usual one.
        if merchant.cashback_kind == CashbackKind.FLAT:
            cashback_kind = CashbackKind.FLAT
            cashback_value = merchant.cashback_value + rng.choice([25, 50, 100])
        else:
            cashback_kind = CashbackKind.PERCENT
            cashback_value = min(merchant.cashback_value + rng.choice([2, 3, 5]), Decimal(15))
    is_unique = fields["kind"] == UNIQUE
    clicks = int(rng.paretovariate(1.2) * 40)
    return Offer(
        public_id=uuid.uuid5(DEMO_NAMESPACE, f"{merchant.slug}/{position}"),
        merchant=merchant,
        category=category,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        exclusive=is_unique or rng.random() < 0.07,
        featured=rng.random() < 0.08,
        verified=rng.random() < 0.6,
        cashback_kind=cashback_kind,
        cashback_value=cashback_value,
        terms=_terms(fields),
        terms_hi=_terms_hi(fields),
        clicks_count=clicks,
        views_count=clicks * rng.randint(4, 12),
        claims_count=rng.randint(0, clicks) if is_unique else 0,
        **fields,
    )


def seed(log) -> None:
    merchants = list(Merchant.objects.filter(slug__in=[row[1] for row in DEMO_MERCHANTS]))
    merchants.sort(key=lambda merchant: merchant.slug)
    if not merchants:
        log("no demo merchants: run the catalog demo first")
        return
    categories = _main_categories(merchants)
    offers = build(merchants, categories, timezone.now())
    existing = set(
        Offer.objects.filter(public_id__in=[o.public_id for o in offers]).values_list(
            "public_id", flat=True
        )
    )
    new = [offer for offer in offers if offer.public_id not in existing]
    Offer.objects.bulk_create(new, batch_size=200)
    _fill_hindi(offers, existing)
    # created_at is set on insert; backdate it to the start so "newest" reads naturally.
    for offer in new:
        Offer.objects.filter(public_id=offer.public_id).update(created_at=offer.starts_at)
    log(f"{len(new)} new offers ({len(offers)} in the demo)")
    seed_books(log)
    seed_history(log)


def _fill_hindi(offers: list[Offer], existing: set) -> None:
    """Hindi titles, descriptions and terms for demo offers seeded before offers had Hindi
    columns."""
    built = {offer.public_id: offer for offer in offers if offer.public_id in existing}
    stale = list(Offer.objects.filter(public_id__in=list(built), title_hi__isnull=True))
    for offer in stale:
        offer.title_hi = built[offer.public_id].title_hi
        offer.description_hi = built[offer.public_id].description_hi
        offer.terms_hi = built[offer.public_id].terms_hi
    Offer.objects.bulk_update(stale, ["title_hi", "description_hi", "terms_hi"], batch_size=200)


def _main_categories(merchants: list[Merchant]) -> dict[int, Category]:
    """Each merchant's main category: the first listed in the catalog demo."""
    first = {row[1]: row[4][0] for row in DEMO_MERCHANTS}
    by_slug = Category.objects.in_bulk(set(first.values()), field_name="slug")
    return {m.id: by_slug[first[m.slug]] for m in merchants if first[m.slug] in by_slug}


# The first two unique-code offers get these books; every other one gets a smaller book named
# after its store, so no unique-code offer in the demo answers "not being handed out".
DEMO_BOOKS = [
    ("Launch week codes", "CZ-####-????", 500),
    ("Festive single-use codes", "FEST-****-##", 300),
]
OTHER_BOOK_CODES = 100


def seed_books(log) -> None:
    """A live book with generated codes for every unique-code offer that has not ended,
    through the books service. Idempotent: an offer that has a book already is left alone."""
    from .books import codes_generate
    from .models import CouponBook

    unique_offers = list(
        Offer.objects.filter(kind=OfferKind.UNIQUE_CODE)
        .exclude(status=OfferStatus.EXPIRED)
        .filter(models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=timezone.now()))
        .select_related("merchant")
        .order_by("id")
    )
    with_books = set(CouponBook.objects.values_list("offer_id", flat=True))
    created = 0
    for position, offer in enumerate(unique_offers):
        if offer.pk in with_books:
            continue
        if position < len(DEMO_BOOKS):
            name, pattern, count = DEMO_BOOKS[position]
        else:
            name = f"{offer.merchant.name} personal codes"
            pattern, count = f"{_prefix(offer.merchant)}-####-??", OTHER_BOOK_CODES
        book = CouponBook.objects.create(offer=offer, name=name, code_pattern=pattern)
        codes_generate(book=book, count=count)
        created += 1
    log(f"{created} new coupon books ({len(unique_offers)} unique-code offers)")


# --- A year of history for the operators' dashboard ---------------------------------------------
#
# The operators' dashboard charts a year; the demo above makes today's site. This part writes a
# year of the rows the site itself would have written by now: the crowd of shoppers who joined
# over the year, their clicks and visitors' clicks, and the stores' views by day. The money
# apps' demos (wallet, commerce) then derive sales, cashback and gift-card orders from these
# clicks, so every chart follows the same days. History rows move no money: the ledger only
# holds what the demo's services posted.

HISTORY_DAYS = 365
HISTORY_SEED = 16  # the number: the same history on every machine
HISTORY_AGENT = "Coupzii demo history"
# The history's shoppers sign in nowhere (unusable passwords); their addresses end so, and the
# money apps' demos find them by it. Not "@coupzii.test": the demo logins are those.
HISTORY_EMAIL_DOMAIN = "@shoppers.coupzii.test"
HISTORY_SHOPPERS = 420
# Clicks on an ordinary weekday at the start of the year; the rest follows `day_weight`.
BASE_CLICKS = 30
# Monday .. Sunday: shoppers browse at the weekend.
WEEKDAY_WEIGHT = (0.92, 0.88, 0.9, 0.94, 1.02, 1.3, 1.38)
# Diwali's date by year: the festive peak (the sales of the fortnight before it) follows it.
DIWALI = {
    2025: date(2025, 10, 20),
    2026: date(2026, 11, 8),
    2027: date(2027, 10, 29),
    2028: date(2028, 10, 17),
    2029: date(2029, 11, 5),
    2030: date(2030, 10, 26),
}
# The stores most clicks go to; every other active store gets a small seeded weight.
STORE_WEIGHT = {
    "amazon": 30,
    "flipkart": 24,
    "myntra": 18,
    "ajio": 6,
    "swiggy": 5.5,
    "zomato": 5.5,
    "nykaa": 4.5,
    "makemytrip": 3.5,
    "meesho": 3,
    "croma": 2.5,
}
# Shoppers' evenings: the hour of a click, by weight.
HOUR_WEIGHT = (1, 1, 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 5, 5, 4, 4, 4, 5, 6, 7, 8, 8, 6, 3)
# fmt: off
FIRST_NAMES = (
    "Aarav", "Aditi", "Akash", "Ananya", "Arjun", "Diya", "Farhan", "Gaurav", "Ishaan", "Kavya",
    "Kiran", "Meera", "Neha", "Nikhil", "Pooja", "Priya", "Rahul", "Riya", "Rohan", "Sakshi",
    "Sameer", "Sana", "Shreya", "Siddharth", "Sneha", "Tanvi", "Varun", "Vikram", "Yash", "Zoya",
    "Aisha", "Deepak", "Harini", "Imran", "Jaya", "Lakshmi", "Manish", "Naveen", "Omkar",
    "Pallavi",
)
LAST_NAMES = (
    "Sharma", "Verma", "Gupta", "Iyer", "Nair", "Reddy", "Patel", "Shah", "Mehta", "Joshi",
    "Kulkarni", "Desai", "Rao", "Menon", "Singh", "Khan", "Das", "Bose", "Chatterjee", "Banerjee",
    "Pillai", "Naidu", "Agarwal", "Jain", "Kapoor", "Malhotra", "Chopra", "Saxena",
)
# fmt: on


def history_window(today: date) -> tuple[date, date]:
    """The history's first and last day: a year ending today."""
    return today - timedelta(days=HISTORY_DAYS - 1), today


def diwali_in(first_day: date, last_day: date) -> date | None:
    """The Diwali that falls in (or just after) the window, whose run-up the history shows."""
    for year in (last_day.year, first_day.year):
        day = DIWALI.get(year)
        if day and first_day <= day <= last_day + timedelta(days=14):
            return day
    return None


def day_weight(day: date, first_day: date, last_day: date) -> float:
    """How busy a day is against an ordinary weekday at the start of the year: the week's
    rhythm, the site growing (about 1.8x over the year) and the festive fortnight before
    Diwali; no noise (the caller adds it)."""
    span = max((last_day - first_day).days, 1)
    growth = 1 + 0.8 * (day - first_day).days / span
    festive = 1.0
    diwali = diwali_in(first_day, last_day)
    if diwali is not None:
        # Sales peak about five days before Diwali and fade within a week after it.
        offset = (day - diwali).days + 5
        festive += 1.7 * math.exp(-(offset**2) / (2 * 6.5**2))
    return WEEKDAY_WEIGHT[day.weekday()] * growth * festive


def seed_history(log, *, today: date | None = None) -> None:
    """A year of shoppers, clicks and views (see the section's comment). Idempotent: nothing
    is written when the history's clicks exist."""
    if Click.objects.filter(user_agent=HISTORY_AGENT).exists():
        return
    today = today or timezone.localdate()
    first_day, last_day = history_window(today)
    rng = random.Random(HISTORY_SEED)  # noqa: S311 - demo content, not security
    merchants = list(
        Merchant.objects.filter(
            is_active=True, slug__in=[row[1] for row in DEMO_MERCHANTS]
        ).order_by("slug")
    )
    offers_of = _offers_by_merchant(merchants)
    merchants = [m for m in merchants if m.pk in offers_of]
    if not merchants:
        return
    shoppers = _history_shoppers(rng, first_day, last_day)
    clicks, per_store_day = _history_clicks(
        rng, merchants, offers_of, shoppers, first_day, last_day
    )
    Click.objects.bulk_create(clicks, batch_size=2000)
    views = _history_views(rng, merchants, offers_of, per_store_day, first_day, last_day)
    OfferViewDay.objects.bulk_create(views, batch_size=2000, ignore_conflicts=True)
    log(
        f"a year of history: {len(shoppers)} shoppers, {len(clicks)} clicks,"
        f" {sum(v.views for v in views)} views"
    )


def _offers_by_merchant(merchants: list[Merchant]) -> dict[int, list[Offer]]:
    offers_of: dict[int, list[Offer]] = {}
    for offer in Offer.objects.filter(merchant__in=merchants).order_by("pk"):
        offers_of.setdefault(offer.merchant_id, []).append(offer)
    return offers_of


def _history_shoppers(rng: random.Random, first_day: date, last_day: date) -> list:
    """The shoppers who joined over the year, more of them as the site grew; each with a
    favourite category (the first of their weights). Made once, found again by address."""
    existing = list(
        User.objects.filter(email__endswith=HISTORY_EMAIL_DOMAIN).order_by("date_joined", "pk")
    )
    if existing:
        return existing
    zone = timezone.get_default_timezone()
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    weights = [day_weight(day, first_day, last_day) for day in days]
    unusable = make_password(None)  # they never sign in: one hash serves them all
    shoppers = []
    for number, day in enumerate(sorted(rng.choices(days, weights=weights, k=HISTORY_SHOPPERS))):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        joined = datetime.combine(day, time(rng.randrange(7, 23), rng.randrange(60)), tzinfo=zone)
        shoppers.append(
            User(
                email=f"{first}.{last}.{number}{HISTORY_EMAIL_DOMAIN}".lower(),
                full_name=f"{first} {last}",
                password=unusable,
                date_joined=min(joined, timezone.now()),
            )
        )
    User.objects.bulk_create(shoppers, batch_size=500)
    return list(
        User.objects.filter(email__endswith=HISTORY_EMAIL_DOMAIN).order_by("date_joined", "pk")
    )


def _history_clicks(rng, merchants, offers_of, shoppers, first_day, last_day):
    """Click rows for every day of the window; about half by shoppers (mostly in their
    favourite category's stores), the rest by visitors. Returns the rows and the clicks per
    (store, day)."""
    zone = timezone.get_default_timezone()
    now = timezone.now()
    main = _main_categories(merchants)
    store_weight = {m.pk: STORE_WEIGHT.get(m.slug, rng.uniform(0.1, 1.2)) for m in merchants}
    by_category: dict[int, list[Merchant]] = {}
    for merchant in merchants:
        if merchant.pk in main:
            by_category.setdefault(main[merchant.pk].pk, []).append(merchant)
    categories = list(by_category)
    favourite = {s.pk: rng.choice(categories) for s in shoppers}
    joined = [timezone.localdate(s.date_joined) for s in shoppers]
    everyone_weights = [store_weight[m.pk] for m in merchants]
    clicks, per_store_day = [], {}
    day = first_day
    while day <= last_day:
        count = round(BASE_CLICKS * day_weight(day, first_day, last_day) * rng.uniform(0.85, 1.15))
        members = bisect.bisect_right(joined, day)
        for _ in range(count):
            shopper = None
            if members and rng.random() < 0.55:
                # Early joiners are the regulars: a skewed pick among those who had joined.
                shopper = shoppers[int(members * rng.random() ** 1.6)]
            if shopper is not None and rng.random() < 0.6:
                pool = by_category[favourite[shopper.pk]]
                merchant = rng.choices(pool, weights=[store_weight[m.pk] for m in pool])[0]
            else:
                merchant = rng.choices(merchants, weights=everyone_weights)[0]
            hour = rng.choices(range(24), weights=HOUR_WEIGHT)[0]
            moment = time(hour, rng.randrange(60), rng.randrange(60))
            at = datetime.combine(day, moment, tzinfo=zone)
            if at > now or (shopper is not None and at < shopper.date_joined):
                continue
            offers = offers_of[merchant.pk]
            offer = offers[min(int(len(offers) * rng.random() ** 2), len(offers) - 1)]
            clicks.append(
                Click(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    offer_id=offer.pk,
                    merchant_id=merchant.pk,
                    user_id=shopper.pk if shopper else None,
                    created_at=at,
                    user_agent=HISTORY_AGENT,
                )
            )
            key = (merchant.pk, day)
            per_store_day[key] = per_store_day.get(key, 0) + 1
        day += timedelta(days=1)
    return clicks, per_store_day


def _history_views(rng, merchants, offers_of, per_store_day, first_day, last_day):
    """Each store's views by day, on its first offer: about ten views a click. Only days with
    clicks: a row per store and day for a year is what the dashboard's rollup then reads, and
    `make run` seeds on SQLite."""
    views = []
    for merchant in merchants:
        offer = offers_of[merchant.pk][0]
        day = first_day
        while day <= last_day:
            clicks = per_store_day.get((merchant.pk, day), 0)
            if clicks:
                count = round(clicks * rng.uniform(8, 13)) + rng.randrange(0, 12)
                views.append(OfferViewDay(offer_id=offer.pk, date=day, views=count))
            day += timedelta(days=1)
    return views
