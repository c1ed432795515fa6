"""The footer's pages for `manage.py seed_demo`, in English and Hindi. Operators edit them in
the admin; the figures (minimum withdrawal, bonuses) are this site's settings when seeded."""

# ruff: noqa: E501  (each paragraph is one line: a newline inside one would show as a line break)

from decimal import Decimal

from django.conf import settings

from coupzii.core.money import format_inr

from .models import Page

CONTACT_EMAIL = "support@coupzii.in"


def seed(log) -> None:
    for spec in demo_pages():
        _, created = Page.objects.get_or_create(slug=spec["slug"], defaults=spec["fields"])
        if created:
            log(f"page /pages/{spec['slug']}/")


def demo_pages() -> list[dict]:
    figures = {
        "minimum": format_inr(Decimal(settings.WALLET_MIN_WITHDRAWAL)),
        "per_day": settings.WALLET_WITHDRAWALS_PER_DAY,
        "referral": format_inr(Decimal(settings.WALLET_REFERRAL_BONUS)),
        "welcome": format_inr(Decimal(settings.WALLET_WELCOME_BONUS)),
        "email": CONTACT_EMAIL,
    }
    pages = [
        ("about", ABOUT),
        ("help", HELP),
        ("terms", TERMS),
        ("privacy", PRIVACY),
        ("contact", CONTACT),
    ]
    return [
        {
            "slug": slug,
            "fields": {
                f"{field}_{language}": text.strip().format(**figures)
                for (field, language), text in texts.items()
            },
        }
        for slug, texts in pages
    ]


ABOUT = {
    ("title", "en"): "About Coupzii",
    ("title", "hi"): "Coupzii के बारे में",
    ("summary", "en"): "Coupons, cashback and gift cards from the stores you already shop at.",
    ("summary", "hi"): "जिन स्टोर से आप पहले से खरीदारी करते हैं, उन्हीं के कूपन, कैशबैक और गिफ़्ट कार्ड।",
    ("body", "en"): """
Coupzii helps shoppers in India pay less at the online stores they already use. We check coupon codes and deals every day, and when you click through to a store from Coupzii, the store pays us a commission on your order. We share most of it with you as cashback.

You can also buy gift cards of popular brands, often below their face value, and pay with UPI, cards, net banking or your Coupzii wallet.

Coupzii is free to use. We never sell your personal details, and every rupee of cashback we show you is tracked in your wallet until it is paid out to your UPI id or bank account.
""",
    ("body", "hi"): """
Coupzii भारत के खरीदारों को उन्हीं ऑनलाइन स्टोर पर कम पैसे देने में मदद करता है जिनका वे पहले से इस्तेमाल करते हैं। हम हर दिन कूपन कोड और डील जाँचते हैं, और जब आप Coupzii से किसी स्टोर पर जाते हैं, तो स्टोर आपके ऑर्डर पर हमें कमीशन देता है। इसका ज़्यादातर हिस्सा हम आपको कैशबैक के रूप में देते हैं।

आप लोकप्रिय ब्रांड के गिफ़्ट कार्ड भी खरीद सकते हैं, अक्सर उनके मूल्य से कम में, और UPI, कार्ड, नेट बैंकिंग या अपने Coupzii वॉलेट से भुगतान कर सकते हैं।

Coupzii का इस्तेमाल मुफ़्त है। हम आपकी निजी जानकारी कभी नहीं बेचते, और जो भी कैशबैक हम आपको दिखाते हैं, उसका हर रुपया आपके वॉलेट में तब तक दर्ज रहता है जब तक वह आपकी UPI id या बैंक खाते में नहीं भेज दिया जाता।
""",
}

HELP = {
    ("title", "en"): "Help and FAQ",
    ("title", "hi"): "सहायता और अक्सर पूछे जाने वाले सवाल",
    (
        "summary",
        "en",
    ): "How cashback works, when you can withdraw it, and what to do if it is missing.",
    ("summary", "hi"): "कैशबैक कैसे काम करता है, कब निकाला जा सकता है, और न दिखे तो क्या करें।",
    ("body", "en"): """
How do I earn cashback?
Sign in, open a store or offer on Coupzii and press the button that takes you to the store. Shop in that same tab as usual. The store tells us about your order, and the cashback appears in your wallet.

What do "pending" and "confirmed" mean?
Cashback is pending from the moment the store reports your order. The store confirms it once the return window is over, usually 30 to 60 days later (each store's page says how long). Confirmed cashback moves to your available balance. If the order is cancelled or returned, the pending cashback is declined.

When can I withdraw?
Once your available balance is at least {minimum}. Add your PAN and a UPI id or bank account under Wallet, KYC; after a quick check you can withdraw to UPI or by bank transfer, up to {per_day} times a day. Payouts usually reach you within 2 working days.

My cashback is missing. What now?
Give it 72 hours: some stores report late. After that, open Wallet, Missing cashback, and tell us the order number, date and amount with a photo of the receipt. We ask the store and reply within 30 days.

How does the referral bonus work?
Share your referral link. When a friend joins with it and their first cashback is confirmed, you get {referral} and they get {welcome}.

I bought a gift card. Where are the codes?
Open Orders and the order: the codes and PINs are shown there once the order is delivered, and we email them to you as well.
""",
    ("body", "hi"): """
मैं कैशबैक कैसे कमाऊँ?
साइन इन करें, Coupzii पर कोई स्टोर या ऑफ़र खोलें और वह बटन दबाएँ जो आपको स्टोर पर ले जाता है। उसी टैब में हमेशा की तरह खरीदारी करें। स्टोर हमें आपके ऑर्डर के बारे में बताता है, और कैशबैक आपके वॉलेट में दिखने लगता है।

"लंबित" और "पक्का" का क्या मतलब है?
स्टोर के आपका ऑर्डर बताते ही कैशबैक लंबित हो जाता है। वापसी की अवधि पूरी होने पर, आम तौर पर 30 से 60 दिन बाद, स्टोर इसकी पुष्टि करता है और यह पक्का हो जाता है (हर स्टोर के पेज पर अवधि लिखी है)। पक्का कैशबैक आपके उपलब्ध बैलेंस में आ जाता है। ऑर्डर रद्द होने या लौटाने पर लंबित कैशबैक नामंज़ूर हो जाता है।

मैं पैसे कब निकाल सकता हूँ?
जब आपका उपलब्ध बैलेंस कम से कम {minimum} हो। वॉलेट में KYC के तहत अपना PAN और UPI id या बैंक खाता जोड़ें; एक छोटी जाँच के बाद आप UPI या बैंक ट्रांसफ़र से पैसे निकाल सकते हैं, दिन में {per_day} बार तक। भुगतान आम तौर पर 2 कार्यदिवसों में पहुँच जाता है।

मेरा कैशबैक नहीं दिख रहा। अब क्या करूँ?
72 घंटे इंतज़ार करें: कुछ स्टोर देर से बताते हैं। उसके बाद वॉलेट में "गुम कैशबैक" खोलें और ऑर्डर नंबर, तारीख और रकम रसीद की फ़ोटो के साथ बताएँ। हम स्टोर से पूछते हैं और 30 दिनों के भीतर जवाब देते हैं।

रेफ़रल बोनस कैसे मिलता है?
अपना रेफ़रल लिंक शेयर करें। जब कोई दोस्त उससे जुड़ता है और उसका पहला कैशबैक पक्का होता है, तो आपको {referral} और उसे {welcome} मिलते हैं।

मैंने गिफ़्ट कार्ड खरीदा। कोड कहाँ हैं?
ऑर्डर में जाकर वह ऑर्डर खोलें: डिलीवर होने पर कोड और PIN वहीं दिखते हैं, और हम उन्हें आपको ईमेल भी करते हैं।
""",
}

TERMS = {
    ("title", "en"): "Terms of use",
    ("title", "hi"): "उपयोग की शर्तें",
    ("summary", "en"): "The rules for using Coupzii, earning cashback and buying gift cards.",
    ("summary", "hi"): "Coupzii इस्तेमाल करने, कैशबैक कमाने और गिफ़्ट कार्ड खरीदने के नियम।",
    ("body", "en"): """
By using Coupzii you agree to these terms. Coupzii is run from India and these terms are governed by Indian law.

Accounts. One account per person. Keep your password and sign-in codes to yourself; you are responsible for what is done with your account. We may suspend accounts used for fraud, such as fake orders, self-referrals or orders cancelled after the cashback is confirmed.

Cashback. Cashback is paid only on orders the store reports to us and confirms. Stores set their own rates and exclusions, shown on each store's page; a store can decline cashback on cancelled, returned or exchanged orders, or orders paid with some coupons. Pending cashback is not yet money you can withdraw. If a store reverses cashback after it was confirmed, we deduct it from your balance.

Withdrawals. You can withdraw available cashback of at least {minimum} to a UPI id or bank account in your own name, after KYC. We may hold a withdrawal while we check it.

Coupons and deals. We check offers regularly, but stores can change or end them at any time. The store's own terms apply to every purchase you make there.

Gift cards. Gift cards are delivered as codes on your order page and by email. They cannot be returned or exchanged for cash once delivered, except where the brand or the law allows it. Each card is valid for the period its brand states.

Changes. We may change these terms; we will tell you of important changes by email before they apply.
""",
    ("body", "hi"): """
Coupzii का इस्तेमाल करके आप इन शर्तों से सहमत होते हैं। Coupzii भारत से चलाया जाता है और ये शर्तें भारतीय क़ानून के अधीन हैं।

खाते। हर व्यक्ति का एक खाता। अपना पासवर्ड और साइन-इन कोड किसी को न बताएँ; आपके खाते से जो भी किया जाता है, उसकी ज़िम्मेदारी आपकी है। धोखाधड़ी, जैसे नकली ऑर्डर, ख़ुद को रेफ़र करना या कैशबैक पक्का होने के बाद ऑर्डर रद्द करना, के लिए इस्तेमाल हुए खाते हम निलंबित कर सकते हैं।

कैशबैक। कैशबैक सिर्फ़ उन्हीं ऑर्डर पर मिलता है जिन्हें स्टोर हमें बताता है और जिनकी पुष्टि करता है। स्टोर अपनी दरें और अपवाद ख़ुद तय करते हैं, जो हर स्टोर के पेज पर दिखते हैं; रद्द, लौटाए या बदले गए ऑर्डर पर, या कुछ कूपन से भुगतान किए गए ऑर्डर पर स्टोर कैशबैक अस्वीकार कर सकता है। लंबित कैशबैक अभी निकालने लायक पैसा नहीं है। पक्का होने के बाद अगर स्टोर कैशबैक वापस ले लेता है, तो हम उसे आपके बैलेंस से घटा देते हैं।

निकासी। KYC के बाद आप कम से कम {minimum} का उपलब्ध कैशबैक अपने ही नाम की UPI id या बैंक खाते में निकाल सकते हैं। जाँच के दौरान हम किसी निकासी को रोक सकते हैं।

कूपन और डील। हम ऑफ़र नियमित रूप से जाँचते हैं, पर स्टोर उन्हें कभी भी बदल या बंद कर सकते हैं। वहाँ की हर खरीदारी पर स्टोर की अपनी शर्तें लागू होती हैं।

गिफ़्ट कार्ड। गिफ़्ट कार्ड आपके ऑर्डर पेज पर और ईमेल से कोड के रूप में दिए जाते हैं। डिलीवर होने के बाद इन्हें लौटाया या नकद में बदला नहीं जा सकता, सिवाय जहाँ ब्रांड या क़ानून इसकी अनुमति दे। हर कार्ड उतने समय तक मान्य है जितना उसका ब्रांड बताता है।

बदलाव। हम इन शर्तों को बदल सकते हैं; ज़रूरी बदलाव लागू होने से पहले हम आपको ईमेल से बताएँगे।
""",
}

PRIVACY = {
    ("title", "en"): "Privacy",
    ("title", "hi"): "गोपनीयता",
    ("summary", "en"): "What we collect, why, who sees it, and how to have it deleted.",
    ("summary", "hi"): "हम क्या जानकारी लेते हैं, क्यों, उसे कौन देखता है, और उसे कैसे हटवाएँ।",
    ("body", "en"): """
What we collect. Your name, email address and phone number; the stores you click through to and the orders they report; your wallet and withdrawals; for KYC, your name as on PAN, the last four digits of your PAN and bank account, your UPI id and IFSC. Receipts you upload for missing cashback are seen only by you and our support team.

Why. To track and pay your cashback, deliver gift cards, keep your account safe, and meet our legal duties (tax and anti-fraud rules).

Who sees it. Stores and affiliate networks receive a random click id, never your name or contact details. Payment partners (Razorpay) process payments. We never sell your data or share it for advertising.

How we protect it. Bank and PAN details are encrypted, passwords are never stored in readable form, and operators must sign in with a second factor.

Your choices. Choose which emails and texts we send in your profile. To get a copy of your data or have your account deleted, write to {email}; we reply within 30 days. Records we must keep by law (payouts, tax) are kept for the period the law requires.
""",
    ("body", "hi"): """
हम क्या लेते हैं। आपका नाम, ईमेल पता और फ़ोन नंबर; जिन स्टोर पर आप जाते हैं और जो ऑर्डर वे बताते हैं; आपका वॉलेट और निकासी; KYC के लिए PAN पर लिखा आपका नाम, PAN और बैंक खाते के आख़िरी चार अंक, आपकी UPI id और IFSC। गुम कैशबैक के लिए अपलोड की गई रसीदें सिर्फ़ आप और हमारी सहायता टीम देखती है।

क्यों। आपका कैशबैक दर्ज करने और भेजने, गिफ़्ट कार्ड देने, आपका खाता सुरक्षित रखने और क़ानूनी दायित्व (टैक्स और धोखाधड़ी-रोधी नियम) पूरे करने के लिए।

कौन देखता है। स्टोर और एफ़िलिएट नेटवर्क को सिर्फ़ एक रैंडम क्लिक id मिलती है, आपका नाम या संपर्क कभी नहीं। भुगतान पार्टनर (Razorpay) भुगतान प्रोसेस करते हैं। हम आपका डेटा न कभी बेचते हैं, न विज्ञापन के लिए साझा करते हैं।

हम इसे कैसे सुरक्षित रखते हैं। बैंक और PAN की जानकारी एन्क्रिप्ट की जाती है, पासवर्ड कभी पढ़ने लायक रूप में नहीं रखे जाते, और ऑपरेटर दूसरे चरण के साथ ही साइन इन कर सकते हैं।

आपके विकल्प। हम कौन से ईमेल और मैसेज भेजें, यह अपनी प्रोफ़ाइल में चुनें। अपने डेटा की कॉपी पाने या खाता हटवाने के लिए {email} पर लिखें; हम 30 दिनों के भीतर जवाब देते हैं। जो रिकॉर्ड क़ानूनन रखने ज़रूरी हैं (भुगतान, टैक्स), वे क़ानून में तय अवधि तक रखे जाते हैं।
""",
}

CONTACT = {
    ("title", "en"): "Contact us",
    ("title", "hi"): "संपर्क करें",
    ("summary", "en"): "Write to us about cashback, withdrawals, gift cards or your account.",
    ("summary", "hi"): "कैशबैक, निकासी, गिफ़्ट कार्ड या अपने खाते के बारे में हमें लिखें।",
    ("body", "en"): """
Email {email} from the address you signed up with, and include the order number or withdrawal amount if your question is about one. We answer within one working day, Monday to Saturday, 10:00 to 18:00 IST.

Missing cashback is quickest through Wallet, Missing cashback, where you can attach the receipt.

Grievances. If you are not happy with our answer, write to our grievance officer at grievance@coupzii.in. We acknowledge every complaint within 48 hours and resolve it within 15 days.
""",
    ("body", "hi"): """
जिस ईमेल पते से आपने साइन अप किया था, उससे {email} पर लिखें, और अगर सवाल किसी ऑर्डर या निकासी के बारे में है तो ऑर्डर नंबर या निकासी की रकम भी लिखें। हम एक कार्यदिवस में जवाब देते हैं, सोमवार से शनिवार, सुबह 10:00 से शाम 6:00 बजे (IST) तक।

गुम कैशबैक के लिए सबसे तेज़ तरीका वॉलेट में "गुम कैशबैक" है, जहाँ आप रसीद भी लगा सकते हैं।

शिकायत। अगर आप हमारे जवाब से संतुष्ट नहीं हैं, तो हमारे शिकायत अधिकारी को grievance@coupzii.in पर लिखें। हम हर शिकायत 48 घंटे में स्वीकार करते हैं और 15 दिनों में हल करते हैं।
""",
}
