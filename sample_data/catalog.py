"""The made-up shop behind the sample export: its pages, visitors' devices and the texts it emits.

All values are fixed so that a seed alone decides the generated export.
"""

from __future__ import annotations

# The shop's clock: a week of traffic in Central European Summer Time.
WEEK_START = "2025-05-12 00:00:00"
UTC_OFFSET = "+02:00"
DAY_WEIGHTS = (1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 1.25)
HOUR_WEIGHTS = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 0.9, 1.0, 1.0, 1.1,
    1.3, 1.3, 1.1, 1.0, 1.0, 1.1, 1.3, 1.6, 1.8, 1.8, 1.3, 0.6,
)  # fmt: skip

_MATERIALS = ("linen", "merino", "canvas", "leather", "cotton", "wool", "denim", "suede")
_ITEMS = ("shirt", "sweater", "tote-bag", "sneaker", "belt", "jacket", "scarf", "chino")
_COLOURS = ("navy", "olive", "sand", "black", "white")

# Every material/item pair, with a colour chosen by a fixed rule so the list never changes.
PRODUCTS: tuple[str, ...] = tuple(
    f"{material}-{item}-{_COLOURS[(m * 3 + i) % len(_COLOURS)]}"
    for m, material in enumerate(_MATERIALS)
    for i, item in enumerate(_ITEMS)
)

COLLECTIONS = ("new-in", "shirts", "knitwear", "shoes", "accessories", "sale")
BLOG_POSTS = ("how-to-wash-merino", "linen-care-guide", "our-denim-mill", "spring-edit-2025")
SEARCHES = ("linen+shirt", "white+sneakers", "gift+card", "wool+scarf", "belt+size")
HELP_PAGES = ("/help/delivery", "/help/returns", "/help/payment-methods", "/help/sizing")
DEAD_PAGES = (
    "/help/delivery-costs",
    "/products/summer-sandal-2023",
    "/pages/size-guide-v1",
    "/collections/black-friday-2024",
    "/help/klarna-faq",
)
BOT_PAGES = ("/", "/robots.txt", "/sitemap.xml", "/collections/sale", "/blog/linen-care-guide")

# (channel, weight, utm_source choices, landing choices). A landing of "product" is the product page.
CHANNELS: tuple[tuple[str, float, tuple[str, ...], tuple[str, ...]], ...] = (
    ("organic", 0.30, ("",), ("/", "/collections/{collection}", "/blog/{post}", "product")),
    ("paid search", 0.22, ("google", "bing"), ("product",)),
    ("email", 0.12, ("newsletter",), ("/?utm_source=newsletter&utm_medium=email&utm_campaign=may-wk20",)),
    ("social", 0.14, ("instagram", "facebook", "tiktok"), ("/collections/{collection}", "product")),
    ("direct", 0.15, ("",), ("/", "product")),
    ("referral", 0.07, ("",), ("/blog/{post}", "product")),
)

COUNTRIES = (("DE", 0.45), ("AT", 0.12), ("NL", 0.12), ("FR", 0.10), ("BE", 0.07), ("CH", 0.07), ("PL", 0.07))

DEVICE_WEIGHTS = (("desktop", 0.42), ("mobile", 0.50), ("tablet", 0.08))
USER_AGENTS: dict[str, tuple[str, ...]] = {
    "desktop": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    ),
    "mobile": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.82 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
    ),
    "tablet": (
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.82 Safari/537.36",
    ),
}
# Crawlers the analytics tool recognises (and labels "Bot traffic") come first.
KNOWN_CRAWLERS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
)
UNKNOWN_CRAWLERS = (
    "python-requests/2.31.0",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
)
# The shop's own checkout monitor, which runs a test purchase with a test card.
TEST_USER = "qa-checkout-monitor"
TEST_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/124.0.6367.60 Safari/537.36"
)

# Message lists, named by scene steps. The steps of one scene share one random pick. So a repeated
# form submit repeats its validation message, and a status list stays aligned with its messages.
MESSAGES: dict[str, tuple[str, ...]] = {
    "js_error": (
        "TypeError: Cannot read properties of undefined (reading 'token')",
        "Uncaught (in promise) [object Object]",
        "SyntaxError: Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON",
        "ChunkLoadError: Loading chunk 781 failed. (error: /assets/checkout.781.4f2a9c.js)",
        "ReferenceError: Stripe is not defined",
        "SyntaxError: Unexpected token '[' in JSON at position 1",
        "TypeError: null is not an object (evaluating 'form.elements[\"postcode\"].value')",
    ),
    "server_error": (
        "Internal Server Error",
        "Bad Gateway: upstream connect error or disconnect/reset before headers",
        "Service Unavailable",
        "Gateway Timeout",
    ),
    "benign_error": (
        "ResizeObserver loop completed with undelivered notifications.",
        "Script error.",
        "Non-Error promise rejection captured with value: undefined",
    ),
    "coupon": (
        "This code has expired.",
        "This code cannot be combined with items already on sale.",
        "Minimum order value for this code is €60.00.",
    ),
    "test_decline": ("Your card was declined. Request was in test mode with a live card.",),
    "validation_product": ("Please select a size.",),
    "validation_cart": ("Enter a valid discount code.",),
    "validation_shipping": (
        "Please enter a valid postal code.",
        "Phone number must be in international format, e.g. +49 30 901820.",
        "House number is required.",
        "Address line 1 may be at most 35 characters.",
        "Postal code [1010] does not match the selected country.",
    ),
    "validation_payment": (
        "Your card number is incomplete.",
        "The card's expiration date is in the past.",
        "Billing postal code does not match the card.",
        "Name on card may only contain letters.",
    ),
}
SERVER_STATUSES = (500, 502, 503, 504)

# The page, controls, endpoint and messages of each funnel stage, for the scenes set on that stage.
STAGE_CONTEXT: dict[str, dict[str, tuple[str, ...]]] = {
    "product": {
        "page": ("@product",),
        "button": ("button#add-to-cart",),
        "form": ("form.product-options",),
        "api": ("POST /api/cart/items",),
        "back": tuple(f"/collections/{name}" for name in COLLECTIONS),
        "hidden": ("div.size-picker__overlay", "span.price-badge"),
        "help_link": ("a.size-guide-link", "a.delivery-info"),
        "validation": MESSAGES["validation_product"],
    },
    "cart": {
        "page": ("/cart",),
        "button": ("button.cart__checkout",),
        "form": ("form#discount-code",),
        "api": ("PATCH /api/cart",),
        "back": ("@product",),
        "hidden": ("div.cart-summary", "div#cookie-banner"),
        "help_link": ("a.delivery-info", "a.cart-item__title"),
        "validation": MESSAGES["validation_cart"],
    },
    "shipping": {
        "page": ("/checkout/shipping",),
        "button": ("button#continue-to-payment",),
        "form": ("form#shipping-address",),
        "api": ("POST /api/checkout/shipping-rates",),
        "back": ("/cart",),
        "hidden": ("div.delivery-options", "div#cookie-banner", "footer.checkout-footer"),
        "help_link": ("a.delivery-info", "a.help-link"),
        "validation": MESSAGES["validation_shipping"],
    },
    "payment": {
        "page": ("/checkout/payment",),
        "button": ("button#place-order",),
        "form": ("form#card-details",),
        "api": ("POST /api/checkout/payment-intents",),
        "back": ("/checkout/shipping",),
        "hidden": ("div.payment-summary span.total", "div#cookie-banner", 'label[for="terms"]'),
        "help_link": ("a.help-link", "a.klarna-info"),
        "validation": MESSAGES["validation_payment"],
    },
}
