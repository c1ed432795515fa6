"""Demo categories and merchants for `manage.py seed_demo`: well-known Indian stores with
realistic cashback, terms and tracking templates, and generated logos (no downloads).

Idempotent: categories and merchants are found by slug, so re-running adds nothing.
"""

from decimal import Decimal
from urllib.parse import quote

from .logos import logo_attach
from .models import CashbackKind, Category, Merchant

# slug, name, icon, parent slug
CATEGORIES = [
    ("fashion", "Fashion", "👗", None),
    ("footwear", "Footwear", "👟", "fashion"),
    ("jewellery-watches", "Jewellery & Watches", "💍", "fashion"),
    ("electronics", "Electronics", "📱", None),
    ("food-dining", "Food & Dining", "🍕", None),
    ("groceries", "Groceries", "🛒", None),
    ("travel", "Travel", "✈️", None),
    ("hotels", "Hotels", "🏨", "travel"),
    ("cabs-rides", "Cabs & Rides", "🚕", "travel"),
    ("beauty", "Beauty & Personal Care", "💄", None),
    ("health-pharmacy", "Health & Pharmacy", "💊", None),
    ("home-furniture", "Home & Furniture", "🛋️", None),
    ("kids-baby", "Kids & Baby", "🧸", None),
    ("entertainment", "Entertainment", "🎬", None),
    ("recharge-bills", "Recharge & Bills", "📶", None),
]

CATEGORY_NAMES_HI = {
    "fashion": "फ़ैशन",
    "footwear": "जूते-चप्पल",
    "jewellery-watches": "ज्वेलरी और घड़ियाँ",
    "electronics": "इलेक्ट्रॉनिक्स",
    "food-dining": "खाना और रेस्टोरेंट",
    "groceries": "किराना",
    "travel": "यात्रा",
    "hotels": "होटल",
    "cabs-rides": "कैब और राइड",
    "beauty": "ब्यूटी और पर्सनल केयर",
    "health-pharmacy": "सेहत और दवाइयाँ",
    "home-furniture": "घर और फ़र्नीचर",
    "kids-baby": "बच्चे और शिशु",
    "entertainment": "मनोरंजन",
    "recharge-bills": "रिचार्ज और बिल",
}

# Each category's usual cashback terms and days until the network confirms a sale (returns
# and cancellations must be past first: travel waits for the stay, fashion for the return window).
CATEGORY_TERMS = {
    "fashion": (
        "Cashback is paid on the order value after discounts, excluding taxes, shipping and "
        "gift cards. Returned or exchanged items are not eligible.",
        50,
    ),
    "electronics": (
        "Cashback is paid on the final order value, excluding taxes and extended warranties. "
        "Orders paid with gift cards or store credit are not eligible.",
        60,
    ),
    "food-dining": (
        "Cashback is paid on the bill value after discounts, excluding delivery fees, packaging "
        "charges and tips. Cancelled orders are not eligible.",
        30,
    ),
    "groceries": (
        "Cashback is paid on the order value after discounts, excluding delivery fees. "
        "Cancelled or partly refunded orders earn cashback on what was kept.",
        35,
    ),
    "travel": (
        "Cashback is confirmed after your trip or stay is complete. Cancelled, rescheduled or "
        "no-show bookings are not eligible; taxes and convenience fees are excluded.",
        75,
    ),
    "beauty": (
        "Cashback is paid on the order value after discounts, excluding taxes, shipping and "
        "free gifts. Returned items are not eligible.",
        45,
    ),
    "health-pharmacy": (
        "Cashback is paid on the order value after discounts, excluding prescription medicines "
        "where the law forbids discounts, delivery fees and lab collection fees.",
        40,
    ),
    "home-furniture": (
        "Cashback is confirmed after the return window of the delivered item closes. "
        "Assembly and delivery charges are excluded.",
        70,
    ),
    "kids-baby": (
        "Cashback is paid on the order value after discounts, excluding taxes and shipping. "
        "Returned or exchanged items are not eligible.",
        45,
    ),
    "entertainment": (
        "Cashback is paid on the ticket price, excluding convenience fees and food and "
        "beverage add-ons. Cancelled bookings are not eligible.",
        30,
    ),
    "recharge-bills": (
        "Cashback is paid on successful recharges and bill payments only, once per number per "
        "day. Failed or reversed payments are not eligible.",
        10,
    ),
}

# The same terms in Hindi, for each merchant's cashback_terms_hi.
CATEGORY_TERMS_HI = {
    "fashion": "कैशबैक छूट के बाद की ऑर्डर राशि पर मिलता है, टैक्स, शिपिंग और गिफ़्ट कार्ड छोड़कर। "
    "लौटाए या बदले गए सामान पर कैशबैक नहीं मिलता।",
    "electronics": "कैशबैक ऑर्डर की अंतिम राशि पर मिलता है, टैक्स और एक्सटेंडेड वारंटी छोड़कर। "
    "गिफ़्ट कार्ड या स्टोर क्रेडिट से भुगतान किए गए ऑर्डर पर कैशबैक नहीं मिलता।",
    "food-dining": "कैशबैक छूट के बाद के बिल पर मिलता है, डिलीवरी फ़ीस, पैकेजिंग चार्ज और टिप "
    "छोड़कर। रद्द ऑर्डर पर कैशबैक नहीं मिलता।",
    "groceries": "कैशबैक छूट के बाद की ऑर्डर राशि पर मिलता है, डिलीवरी फ़ीस छोड़कर। रद्द या आंशिक "
    "रिफ़ंड वाले ऑर्डर पर उतने सामान पर कैशबैक मिलता है जितना रखा गया।",
    "travel": "कैशबैक आपकी यात्रा या ठहरना पूरा होने के बाद पक्का होता है। रद्द, बदली गई या "
    "न पहुँचने वाली बुकिंग पर कैशबैक नहीं मिलता; टैक्स और सुविधा शुल्क शामिल नहीं हैं।",
    "beauty": "कैशबैक छूट के बाद की ऑर्डर राशि पर मिलता है, टैक्स, शिपिंग और मुफ़्त गिफ़्ट "
    "छोड़कर। लौटाए गए सामान पर कैशबैक नहीं मिलता।",
    "health-pharmacy": "कैशबैक छूट के बाद की ऑर्डर राशि पर मिलता है, उन प्रिस्क्रिप्शन दवाओं को "
    "छोड़कर जिन पर क़ानूनन छूट नहीं दी जा सकती, और डिलीवरी व लैब कलेक्शन फ़ीस छोड़कर।",
    "home-furniture": "कैशबैक डिलीवर हुए सामान की वापसी अवधि ख़त्म होने के बाद पक्का होता है। "
    "फ़िटिंग और डिलीवरी चार्ज शामिल नहीं हैं।",
    "kids-baby": "कैशबैक छूट के बाद की ऑर्डर राशि पर मिलता है, टैक्स और शिपिंग छोड़कर। लौटाए या "
    "बदले गए सामान पर कैशबैक नहीं मिलता।",
    "entertainment": "कैशबैक टिकट की क़ीमत पर मिलता है, सुविधा शुल्क और खाने-पीने के ऐड-ऑन "
    "छोड़कर। रद्द बुकिंग पर कैशबैक नहीं मिलता।",
    "recharge-bills": "कैशबैक सिर्फ़ सफल रिचार्ज और बिल भुगतान पर मिलता है, हर नंबर पर दिन में "
    "एक बार। असफल या वापस हुए भुगतान पर कैशबैक नहीं मिलता।",
}

# Each merchant's description in Hindi (brand names as the brands write them).
MERCHANT_DESCRIPTIONS_HI = {
    "myntra": "भारत का फ़ैशन ठिकाना: कपड़ों, जूतों और एक्सेसरीज़ के 6,000+ ब्रांड।",
    "ajio": "Reliance का चुनिंदा फ़ैशन: अंतरराष्ट्रीय ब्रांड, देसी लेबल और AJIO एक्सक्लूसिव।",
    "meesho": "फ़ैशन, घर और किचन पर सबसे कम दाम, सीधे छोटे विक्रेताओं से।",
    "bewakoof": "भारत में डिज़ाइन की गई मज़ेदार टी-शर्ट, जॉगर्स और ओवरसाइज़्ड फ़िट।",
    "the-souled-store": "आधिकारिक पॉप-कल्चर मर्चेंडाइज़: Marvel, DC, Harry Potter, एनीमे और बहुत कुछ।",
    "shoppers-stop": "500+ ब्रांड का प्रीमियम फ़ैशन, ब्यूटी और घड़ियाँ।",
    "lifestyle": "पूरे परिवार के लिए ट्रेंडी फ़ैशन, जूते और एक्सेसरीज़।",
    "max-fashion": "पुरुषों, महिलाओं और बच्चों के लिए किफ़ायती फ़ैशन, हर हफ़्ते नया।",
    "zivame": "हर शरीर के फ़िट वाली लॉन्जरी, स्लीपवियर और एक्टिववियर।",
    "clovia": "ईमानदार दामों पर लॉन्जरी, शेपवियर और नाइटवियर।",
    "puma": "दुनिया भर के स्पोर्ट्स ब्रांड के स्पोर्ट्स शूज़, स्नीकर्स और एथलीज़र।",
    "adidas": "रनिंग, ट्रेनिंग और Originals जूते और कपड़े।",
    "nike": "Just do it: हर खेल के लिए जूते, कपड़े और सामान।",
    "decathlon": "70+ खेलों के लिए खेल का सामान और कपड़े, रोज़ाना कम दामों पर।",
    "titan": "भारत के पसंदीदा घड़ी निर्माता की घड़ियाँ, स्मार्ट वियरेबल और चश्मे।",
    "tanishq": "टाटा समूह की सोने और हीरे की ज्वेलरी।",
    "caratlane": "रोज़ पहनने वाली हीरे और सोने की ज्वेलरी, घर पर ट्राई करने की सुविधा के साथ।",
    "jabong": "बंद: Jabong अब Myntra का हिस्सा है।",
    "amazon": "फ़ोन से लेकर किराने तक सब कुछ, Prime की तेज़ डिलीवरी के साथ।",
    "zara": "स्पेन का फ़ास्ट फ़ैशन: महिलाओं, पुरुषों और बच्चों के नए कलेक्शन हर हफ़्ते।",
    "flipkart": "भारत का अपना मार्केटप्लेस: मोबाइल, इलेक्ट्रॉनिक्स, फ़ैशन और बहुत कुछ।",
    "tata-cliq": "टाटा समूह से इलेक्ट्रॉनिक्स, फ़ैशन और लग्ज़री के असली ब्रांड।",
    "croma": "टाटा का इलेक्ट्रॉनिक्स स्टोर: टीवी, लैपटॉप, फ़ोन और घरेलू उपकरण।",
    "reliance-digital": "पूरे भारत में सर्विस के साथ इलेक्ट्रॉनिक्स और घरेलू उपकरण।",
    "vijay-sales": "1967 से मुंबई का इलेक्ट्रॉनिक्स रिटेलर, अब ऑनलाइन।",
    "samsung": "Galaxy फ़ोन, टीवी और घरेलू उपकरण, सीधे Samsung से।",
    "boat": "भारत के लिए बने ईयरबड्स, हेडफ़ोन, स्पीकर और स्मार्टवॉच।",
    "noise": "किफ़ायती दामों पर स्मार्टवॉच और ट्रू वायरलेस ईयरबड्स।",
    "swiggy": "आपके पसंदीदा रेस्टोरेंट का खाना, मिनटों में डिलीवर।",
    "zomato": "आस-पास के रेस्टोरेंट से खाना मँगाएँ और टेबल बुक करें।",
    "dominos": "30 मिनट में गरमागरम पिज़्ज़ा की डिलीवरी।",
    "pizza-hut": "डिलीवरी या टेकअवे के लिए पैन पिज़्ज़ा, साइड्स और डेज़र्ट।",
    "kfc": "लाजवाब फ़्राइड चिकन, बर्गर और बकेट।",
    "bigbasket": "किराना, ताज़े फल और सब्ज़ियाँ, आपके चुने समय पर डिलीवर।",
    "blinkit": "किराना और ज़रूरी सामान लगभग दस मिनट में डिलीवर।",
    "zepto": "किराने, ताज़े फल-सब्ज़ियों और बहुत कुछ की दस मिनट में डिलीवरी।",
    "makemytrip": "फ़्लाइट, होटल, हॉलिडे, ट्रेन और बस, सब एक जगह।",
    "goibibo": "goCash रिवॉर्ड के साथ फ़्लाइट और होटल।",
    "cleartrip": "Flipkart की ट्रैवल सर्विस से तेज़ फ़्लाइट और होटल बुकिंग।",
    "yatra": "हर बजट के लिए फ़्लाइट, होटल और हॉलिडे पैकेज।",
    "oyo": "भारत के 800+ शहरों में बजट होटल और घर।",
    "agoda": "दुनिया भर के होटल और घर, मेंबर दामों पर।",
    "booking-com": "200+ देशों में होटल, घर और ठहरने की जगहें।",
    "uber": "मिनटों में राइड: ऑटो, Moto, Go और Premier।",
    "ola": "पूरे भारत में ऑटो, बाइक और कैब बुक करें।",
    "nykaa": "4,000+ ब्यूटी ब्रांड का मेकअप, स्किनकेयर और हेयरकेयर।",
    "mamaearth": "टॉक्सिन-फ़्री स्किनकेयर, हेयरकेयर और बेबी केयर।",
    "sugar-cosmetics": "भारतीय त्वचा के रंगों के लिए लंबे समय तक टिकने वाला, क्रूरता-मुक्त मेकअप।",
    "purplle": "किफ़ायती ब्यूटी: मेकअप, स्किनकेयर और पर्सनल केयर।",
    "1mg": "दवाइयाँ, लैब टेस्ट और डॉक्टर से ऑनलाइन सलाह।",
    "pharmeasy": "दवाइयाँ और हेल्थ प्रोडक्ट आपके दरवाज़े तक।",
    "netmeds": "Reliance की भरोसेमंद ऑनलाइन फ़ार्मेसी।",
    "healthkart": "असली प्रोटीन, विटामिन और फ़िटनेस सप्लीमेंट।",
    "cult-fit": "जिम, ग्रुप वर्कआउट और घर पर फ़िटनेस की मेंबरशिप।",
    "lenskart": "चश्मे, धूप के चश्मे और कॉन्टैक्ट लेंस, मुफ़्त आँखों की जाँच के साथ।",
    "pepperfry": "फ़िटिंग सहित फ़र्नीचर और होम डेकोर।",
    "urban-ladder": "भारतीय घरों के लिए डिज़ाइन किया गया ठोस लकड़ी का फ़र्नीचर।",
    "ikea": "किफ़ायती स्वीडिश होम फ़र्निशिंग, बड़े शहरों में डिलीवर।",
    "wakefit": "100 रातों के ट्रायल के साथ गद्दे, बेड और सोफ़े।",
    "firstcry": "बच्चों और शिशुओं के लिए सब कुछ: कपड़े, डायपर, खिलौने।",
    "hopscotch": "बच्चों के लिए चुनिंदा स्टाइल, हर दिन नए।",
    "hamleys": "1760 से दुनिया की सबसे बेहतरीन खिलौनों की दुकान।",
    "bookmyshow": "आपके आस-पास की मूवी टिकट, इवेंट, नाटक और खेल।",
    "pvr-inox": "भारत की सबसे बड़ी सिनेमा चेन में सीट बुक करें।",
    "airtel": "प्रीपेड और पोस्टपेड मोबाइल, ब्रॉडबैंड और DTH।",
    "jio": "True 5G मोबाइल प्लान, JioFiber और JioCinema।",
    "paytm": "रिचार्ज, बिल भुगतान और UPI, एक ही ऐप में।",
    "mobikwik": "SuperCash के साथ वॉलेट, UPI और बिल भुगतान।",
    "vi": "Vodafone Idea के प्रीपेड और पोस्टपेड प्लान।",
}

P, F, N = CashbackKind.PERCENT, CashbackKind.FLAT, CashbackKind.NONE

# name, slug, domain, brand colour, categories (first is the main one), network,
# cashback kind, cashback value, featured, short description
# fmt: off
MERCHANTS = [
    # Fashion
    ("Myntra", "myntra", "www.myntra.com", "#ff3f6c", ["fashion", "beauty"], "cuelinks", P, "7", True, "India's fashion destination: 6,000+ brands of clothing, footwear and accessories."),  # noqa: E501
    ("AJIO", "ajio", "www.ajio.com", "#2c4152", ["fashion"], "admitad", P, "8", True, "Curated fashion from Reliance: international brands, Indie labels and AJIO exclusives."),  # noqa: E501
    ("Meesho", "meesho", "www.meesho.com", "#9f2089", ["fashion", "home-furniture"], "inrdeals", P, "5", False, "Lowest prices on fashion, home and kitchen, straight from small sellers."),  # noqa: E501
    ("Bewakoof", "bewakoof", "www.bewakoof.com", "#fdd835", ["fashion"], "vcommission", P, "9", False, "Quirky T-shirts, joggers and oversized fits designed in India."),  # noqa: E501
    ("The Souled Store", "the-souled-store", "www.thesouledstore.com", "#e21b23", ["fashion"], "cuelinks", P, "6", False, "Official pop-culture merchandise: Marvel, DC, Harry Potter, anime and more."),  # noqa: E501
    ("Shoppers Stop", "shoppers-stop", "www.shoppersstop.com", "#1a1a1a", ["fashion", "beauty"], "admitad", P, "5", False, "Premium fashion, beauty and watches from 500+ brands."),  # noqa: E501
    ("Lifestyle", "lifestyle", "www.lifestylestores.com", "#f36f21", ["fashion"], "vcommission", P, "4.5", False, "Trendy fashion, footwear and accessories for the whole family."),  # noqa: E501
    ("Max Fashion", "max-fashion", "www.maxfashion.in", "#0d4c92", ["fashion", "kids-baby"], "vcommission", P, "4", False, "Value fashion for men, women and kids, refreshed every week."),  # noqa: E501
    ("Zivame", "zivame", "www.zivame.com", "#c2185b", ["fashion"], "cuelinks", P, "10", False, "Lingerie, sleepwear and activewear with a fit for every body."),  # noqa: E501
    ("Clovia", "clovia", "www.clovia.com", "#e91e63", ["fashion"], "inrdeals", P, "12", False, "Lingerie, shapewear and nightwear at honest prices."),  # noqa: E501
    ("Puma", "puma", "in.puma.com", "#111111", ["footwear", "fashion"], "impact", P, "6", False, "Sports shoes, sneakers and athleisure from the global sports brand."),  # noqa: E501
    ("Adidas", "adidas", "www.adidas.co.in", "#000000", ["footwear", "fashion"], "impact", P, "5", False, "Running, training and Originals shoes and apparel."),  # noqa: E501
    ("Nike", "nike", "www.nike.com", "#222222", ["footwear", "fashion"], "impact", P, "4", False, "Just do it: shoes, clothing and gear for every sport."),  # noqa: E501
    ("Decathlon", "decathlon", "www.decathlon.in", "#0082c3", ["footwear", "fashion"], "direct", F, "60", False, "Sports equipment and clothing for 70+ sports at everyday low prices."),  # noqa: E501
    ("Titan", "titan", "www.titan.co.in", "#7b1e1e", ["jewellery-watches", "fashion"], "admitad", P, "4", False, "Watches, smart wearables and eyewear from India's favourite watchmaker."),  # noqa: E501
    ("Tanishq", "tanishq", "www.tanishq.co.in", "#832729", ["jewellery-watches"], "admitad", F, "500", False, "Gold and diamond jewellery from the house of Tata."),  # noqa: E501
    ("CaratLane", "caratlane", "www.caratlane.com", "#4a2c6f", ["jewellery-watches"], "cuelinks", P, "3", False, "Everyday diamond and gold jewellery, with try-at-home."),  # noqa: E501
    ("Zara", "zara", "www.zara.com", "#000000", ["fashion"], "admitad", P, "4", False, "Spanish fast fashion: new women's, men's and kids' collections every week."),  # noqa: E501
    ("Jabong", "jabong", "www.jabong.com", "#333333", ["fashion"], "direct", P, "5", False, "Closed: Jabong merged into Myntra."),  # noqa: E501
    # Electronics and marketplaces
    ("Amazon", "amazon", "www.amazon.in", "#ff9900", ["electronics", "fashion", "groceries", "home-furniture"], "direct", P, "2.5", True, "Everything from phones to groceries, with fast Prime delivery."),  # noqa: E501
    ("Flipkart", "flipkart", "www.flipkart.com", "#2874f0", ["electronics", "fashion", "home-furniture"], "direct", P, "3", True, "India's homegrown marketplace: mobiles, electronics, fashion and more."),  # noqa: E501
    ("Tata CLiQ", "tata-cliq", "www.tatacliq.com", "#da1c5c", ["electronics", "fashion"], "admitad", P, "6", False, "Genuine brands in electronics, fashion and luxury from the Tata group."),  # noqa: E501
    ("Croma", "croma", "www.croma.com", "#0d8c82", ["electronics"], "cuelinks", P, "2", True, "Tata's electronics store: TVs, laptops, phones and appliances."),  # noqa: E501
    ("Reliance Digital", "reliance-digital", "www.reliancedigital.in", "#e42529", ["electronics"], "admitad", P, "2", False, "Electronics and appliances with pan-India service."),  # noqa: E501
    ("Vijay Sales", "vijay-sales", "www.vijaysales.com", "#ed1c24", ["electronics"], "vcommission", F, "150", False, "Mumbai's electronics retailer since 1967, now online."),  # noqa: E501
    ("Samsung", "samsung", "www.samsung.com", "#1428a0", ["electronics"], "impact", P, "3", False, "Galaxy phones, TVs and home appliances, straight from Samsung."),  # noqa: E501
    ("boAt", "boat", "www.boat-lifestyle.com", "#e31e24", ["electronics"], "cuelinks", P, "11", True, "Earbuds, headphones, speakers and smartwatches made for India."),  # noqa: E501
    ("Noise", "noise", "www.gonoise.com", "#111111", ["electronics"], "cuelinks", P, "10", False, "Smartwatches and true wireless earbuds at friendly prices."),  # noqa: E501
    # Food
    ("Swiggy", "swiggy", "www.swiggy.com", "#fc8019", ["food-dining", "groceries"], "direct", F, "40", True, "Food from your favourite restaurants, delivered in minutes."),  # noqa: E501
    ("Zomato", "zomato", "www.zomato.com", "#e23744", ["food-dining"], "direct", F, "35", True, "Order food and book tables at restaurants near you."),  # noqa: E501
    ("Domino's", "dominos", "www.dominos.co.in", "#006491", ["food-dining"], "vcommission", P, "6", False, "Pizzas delivered hot in 30 minutes."),  # noqa: E501
    ("Pizza Hut", "pizza-hut", "www.pizzahut.co.in", "#c8102e", ["food-dining"], "vcommission", P, "7", False, "Pan pizzas, sides and desserts for delivery or takeaway."),  # noqa: E501
    ("KFC", "kfc", "online.kfc.co.in", "#a3080c", ["food-dining"], "vcommission", F, "25", False, "Finger lickin' good fried chicken, burgers and buckets."),  # noqa: E501
    # Groceries
    ("BigBasket", "bigbasket", "www.bigbasket.com", "#84c225", ["groceries"], "admitad", F, "75", True, "Groceries, fresh fruit and vegetables, delivered on your schedule."),  # noqa: E501
    ("Blinkit", "blinkit", "blinkit.com", "#f8cb46", ["groceries"], "direct", F, "30", False, "Groceries and essentials delivered in about ten minutes."),  # noqa: E501
    ("Zepto", "zepto", "www.zeptonow.com", "#3c006b", ["groceries"], "direct", F, "30", False, "Ten-minute delivery of groceries, fresh produce and more."),  # noqa: E501
    # Travel
    ("MakeMyTrip", "makemytrip", "www.makemytrip.com", "#e7131a", ["travel", "hotels"], "admitad", F, "250", True, "Flights, hotels, holidays, trains and buses in one place."),  # noqa: E501
    ("Goibibo", "goibibo", "www.goibibo.com", "#2276e3", ["travel", "hotels"], "admitad", F, "200", False, "Flights and hotels with goCash rewards."),  # noqa: E501
    ("Cleartrip", "cleartrip", "www.cleartrip.com", "#f77728", ["travel"], "cuelinks", F, "180", False, "Fast flight and hotel booking from Flipkart's travel arm."),  # noqa: E501
    ("Yatra", "yatra", "www.yatra.com", "#e5203c", ["travel"], "vcommission", F, "150", False, "Flights, hotels and holiday packages for every budget."),  # noqa: E501
    ("OYO", "oyo", "www.oyorooms.com", "#ee2e24", ["hotels"], "admitad", P, "8", False, "Budget hotels and homes in 800+ Indian cities."),  # noqa: E501
    ("Agoda", "agoda", "www.agoda.com", "#5392f9", ["hotels"], "impact", P, "5", False, "Hotels and homes worldwide at member prices."),  # noqa: E501
    ("Booking.com", "booking-com", "www.booking.com", "#003580", ["hotels"], "impact", P, "4", False, "Hotels, homes and stays in 200+ countries."),  # noqa: E501
    ("Uber", "uber", "www.uber.com", "#000000", ["cabs-rides"], "impact", F, "25", False, "Rides in minutes: autos, Moto, Go and Premier."),  # noqa: E501
    ("Ola", "ola", "www.olacabs.com", "#1c1c1c", ["cabs-rides"], "direct", F, "25", False, "Book autos, bikes and cabs across India."),  # noqa: E501
    # Beauty
    ("Nykaa", "nykaa", "www.nykaa.com", "#fc2779", ["beauty"], "cuelinks", P, "8", True, "Makeup, skincare and haircare from 4,000+ beauty brands."),  # noqa: E501
    ("Mamaearth", "mamaearth", "mamaearth.in", "#00a3e0", ["beauty", "kids-baby"], "inrdeals", P, "12", False, "Toxin-free skincare, haircare and baby care."),  # noqa: E501
    ("Sugar Cosmetics", "sugar-cosmetics", "in.sugarcosmetics.com", "#111111", ["beauty"], "inrdeals", P, "10", False, "Long-wear, cruelty-free makeup for Indian skin tones."),  # noqa: E501
    ("Purplle", "purplle", "www.purplle.com", "#7a1fa2", ["beauty"], "vcommission", P, "9", False, "Affordable beauty: makeup, skincare and personal care."),  # noqa: E501
    # Health
    ("Tata 1mg", "1mg", "www.1mg.com", "#ff6f61", ["health-pharmacy"], "admitad", P, "6", False, "Medicines, lab tests and doctor consultations online."),  # noqa: E501
    ("PharmEasy", "pharmeasy", "pharmeasy.in", "#10847e", ["health-pharmacy"], "admitad", P, "7", False, "Medicines and health products delivered to your door."),  # noqa: E501
    ("Netmeds", "netmeds", "www.netmeds.com", "#24aeb1", ["health-pharmacy"], "vcommission", P, "6", False, "India's trusted online pharmacy, from Reliance."),  # noqa: E501
    ("HealthKart", "healthkart", "www.healthkart.com", "#00b5b7", ["health-pharmacy"], "cuelinks", P, "8", False, "Genuine protein, vitamins and fitness supplements."),  # noqa: E501
    ("Cult.fit", "cult-fit", "www.cult.fit", "#ff3278", ["health-pharmacy"], "direct", F, "200", False, "Gyms, group workouts and at-home fitness memberships."),  # noqa: E501
    ("Lenskart", "lenskart", "www.lenskart.com", "#000042", ["health-pharmacy", "fashion"], "cuelinks", P, "8", True, "Spectacles, sunglasses and contact lenses with free eye tests."),  # noqa: E501
    # Home
    ("Pepperfry", "pepperfry", "www.pepperfry.com", "#f16521", ["home-furniture"], "admitad", P, "5", False, "Furniture and home decor with assembly included."),  # noqa: E501
    ("Urban Ladder", "urban-ladder", "www.urbanladder.com", "#5b3a29", ["home-furniture"], "vcommission", P, "6", False, "Solid-wood furniture designed for Indian homes."),  # noqa: E501
    ("IKEA", "ikea", "www.ikea.com", "#0058a3", ["home-furniture"], "direct", N, "0", False, "Affordable Swedish home furnishing, delivered in major cities."),  # noqa: E501
    ("Wakefit", "wakefit", "www.wakefit.co", "#5f3dc4", ["home-furniture"], "inrdeals", P, "9", False, "Mattresses, beds and sofas with a 100-night trial."),  # noqa: E501
    # Kids
    ("FirstCry", "firstcry", "www.firstcry.com", "#f47b20", ["kids-baby"], "admitad", P, "7", False, "Everything for babies and kids: clothes, diapers, toys."),  # noqa: E501
    ("Hopscotch", "hopscotch", "www.hopscotch.in", "#ff5a5f", ["kids-baby"], "cuelinks", P, "8", False, "Handpicked styles for kids, new every day."),  # noqa: E501
    ("Hamleys", "hamleys", "www.hamleys.in", "#c8102e", ["kids-baby", "entertainment"], "vcommission", P, "6", False, "The world's finest toy shop, since 1760."),  # noqa: E501
    # Entertainment
    ("BookMyShow", "bookmyshow", "in.bookmyshow.com", "#c4242b", ["entertainment"], "direct", F, "50", True, "Movie tickets, events, plays and sports near you."),  # noqa: E501
    ("PVR INOX", "pvr-inox", "www.pvrcinemas.com", "#f5b100", ["entertainment"], "vcommission", F, "40", False, "Book seats at India's largest cinema chain."),  # noqa: E501
    # Recharge and bills
    ("Airtel", "airtel", "www.airtel.in", "#e40000", ["recharge-bills"], "direct", F, "30", False, "Prepaid and postpaid mobile, broadband and DTH."),  # noqa: E501
    ("Jio", "jio", "www.jio.com", "#0a2885", ["recharge-bills"], "direct", N, "0", False, "True 5G mobile plans, JioFiber and JioCinema."),  # noqa: E501
    ("Paytm", "paytm", "paytm.com", "#00baf2", ["recharge-bills"], "direct", P, "1", False, "Recharges, bill payments and UPI in one app."),  # noqa: E501
    ("MobiKwik", "mobikwik", "www.mobikwik.com", "#2b67f6", ["recharge-bills"], "direct", P, "2", False, "Wallet, UPI and bill payments with SuperCash."),  # noqa: E501
    ("Vi", "vi", "www.myvi.in", "#ee2e3e", ["recharge-bills"], "direct", F, "25", False, "Vodafone Idea prepaid and postpaid plans."),  # noqa: E501
]
# fmt: on

INACTIVE_SLUGS = {"jabong"}
TRACKING_TEMPLATE = "https://track.coupzii.test/{network}/{slug}?sub={{click_id}}&url={url}"


def tracking_template(*, network: str, slug: str, domain: str) -> str:
    """The demo network's link: `{click_id}` is left for the click-out to fill in."""
    return TRACKING_TEMPLATE.format(
        network=network, slug=slug, url=quote(f"https://{domain}", safe="")
    )


def seed(log) -> None:
    categories = _seed_categories(log)
    created = 0
    for row in MERCHANTS:
        name, slug, domain, colour, category_slugs, network, kind, value, featured, about = row
        terms, days = CATEGORY_TERMS[_top_level(category_slugs[0])]
        merchant, is_new = Merchant.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "brand_color": colour,
                "website": f"https://{domain}/",
                "description": about,
                "description_hi": MERCHANT_DESCRIPTIONS_HI[slug],
                "affiliate_network": network,
                "tracking_url_template": tracking_template(
                    network=network, slug=slug, domain=domain
                ),
                "cashback_kind": kind,
                "cashback_value": Decimal(value),
                "cashback_terms": terms if kind != N else "",
                "cashback_terms_hi": CATEGORY_TERMS_HI[_top_level(category_slugs[0])]
                if kind != N
                else "",
                # Flat-rate partners settle faster than the category's usual window.
                "confirmation_days": days - 10 if kind == F and days > 20 else days,
                "featured": featured,
                "is_active": slug not in INACTIVE_SLUGS,
            },
        )
        if is_new:
            merchant.categories.set([categories[s] for s in category_slugs])
            created += 1
        elif not merchant.description_hi:  # a demo seeded before merchants had Hindi text
            merchant.description_hi = MERCHANT_DESCRIPTIONS_HI[slug]
            if kind != N:
                merchant.cashback_terms_hi = CATEGORY_TERMS_HI[_top_level(category_slugs[0])]
            merchant.save(update_fields=["description_hi", "cashback_terms_hi"])
        logo_attach(merchant)
    log(f"{len(categories)} categories, {created} new merchants ({len(MERCHANTS)} in the demo)")


def _top_level(slug: str) -> str:
    parents = {child: parent for child, _, _, parent in CATEGORIES if parent}
    return parents.get(slug, slug)


def _seed_categories(log) -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for position, (slug, name, icon, parent_slug) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_hi": CATEGORY_NAMES_HI[slug],
                "icon": icon,
                "position": position,
                "parent": categories[parent_slug] if parent_slug else None,
            },
        )
        if not category.name_hi:  # a demo seeded before categories had Hindi names
            category.name_hi = CATEGORY_NAMES_HI[slug]
            category.save(update_fields=["name_hi"])
        categories[slug] = category
    return categories
