"""Generated gift-card pictures: the brand's name and "Gift Card" on its brand colour, as SVG.

Like the merchant logos (catalog/logos.py), nothing is downloaded: a brand's real card art is
its trademark. Demo gift cards, and any an operator adds without a picture, get a clean card.
"""

from xml.sax.saxutils import escape

from django.core.files.base import ContentFile

from .logos import safe_colour, text_colour_for
from .models import Product, ProductImage

WIDTH, HEIGHT = 320, 200  # a bank card's proportions, near enough (85.6 x 54 mm)
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"
CHIP_COLOUR = "#e9c46a"
_ATTRIBUTE_ENTITIES = {'"': "&quot;"}


def name_font_size(label: str) -> int:
    """Large for short names, smaller for long ones, so the name fits across the card."""
    # Bold sans-serif letters average about 0.62 em (DejaVu, a common fallback, nearer 0.68);
    # the name may take 272 of the card's 320 units.
    return max(16, min(34, int(272 / (0.68 * max(1, len(label))))))


def card_svg(label: str, brand_colour: str) -> str:
    """A card on the brand colour with a soft sheen, the brand's name, "GIFT CARD", a chip
    and the Coupzii mark; text white or near-black, whichever reads better."""
    colour = safe_colour(brand_colour)
    ink = text_colour_for(colour)
    name = escape(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(label, _ATTRIBUTE_ENTITIES)} gift card">'
        "<defs>"
        '<linearGradient id="sheen" x1="0" y1="0" x2="1" y2="1">'
        '<stop offset="0" stop-color="#ffffff" stop-opacity="0.28"/>'
        '<stop offset="0.55" stop-color="#ffffff" stop-opacity="0"/>'
        '<stop offset="1" stop-color="#000000" stop-opacity="0.18"/>'
        "</linearGradient>"
        "</defs>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" rx="16" fill="{colour}"/>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" rx="16" fill="url(#sheen)"/>'
        '<circle cx="292" cy="-8" r="96" fill="#ffffff" fill-opacity="0.08"/>'
        '<circle cx="330" cy="150" r="72" fill="#ffffff" fill-opacity="0.06"/>'
        f'<text x="24" y="62" fill="{ink}" font-family="{FONT}" font-weight="800" '
        f'font-size="{name_font_size(label)}" letter-spacing="-0.5">{name}</text>'
        f'<text x="24" y="90" fill="{ink}" fill-opacity="0.85" font-family="{FONT}" '
        'font-weight="600" font-size="13" letter-spacing="3">GIFT CARD</text>'
        f'<rect x="24" y="124" width="42" height="32" rx="6" fill="{CHIP_COLOUR}"/>'
        '<path d="M24 140h42M45 124v32M35 132h20M35 148h20" stroke="#b08d2e" '
        'stroke-width="1.2" fill="none"/>'
        f'<text x="296" y="178" fill="{ink}" fill-opacity="0.8" font-family="{FONT}" '
        'font-weight="700" font-size="12" text-anchor="end">Coupzii</text>'
        "</svg>"
    )


def card_image_attach(product: Product, *, label: str = "") -> ProductImage | None:
    """Give a gift card with no picture a generated one (the brand's name, or `label`, on the
    brand colour) as its first image, written through default storage. Returns the new image,
    or None when the product already has one."""
    if product.images.exists():
        return None
    merchant = product.merchant
    label = label or merchant.name
    image = ProductImage(product=product, alt=f"{label} gift card", position=0)
    content = ContentFile(card_svg(label, merchant.brand_color).encode())
    # A file left behind by an earlier database (media outlives a reset) is this card's old
    # picture: replace it rather than pile up "amazon-pay_x7Yz.svg" copies.
    storage = image.image.storage
    filename = f"{product.slug}.svg"
    name = image.image.field.generate_filename(image, filename)
    if storage.exists(name):
        storage.delete(name)
    image.image.save(filename, content, save=False)
    image.save()
    return image
