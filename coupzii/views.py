"""Pages that belong to no single app."""

from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.views.generic import TemplateView

from catalog import selectors as catalog_selectors
from offers import selectors as offer_selectors
from offers import services as offer_services
from offers.selectors import catalog_cached

RAIL_LENGTH = 8
# Top offers, featured stores and categories change only when the catalog does (which
# retires the cache at once); rails that depend on the clock are kept a minute.
STABLE_SECONDS = 10 * 60
CLOCK_SECONDS = 60


class HomeView(TemplateView):
    """Featured stores, top, trending and expiring offers, categories, and for a signed-in
    shopper the "Picked for you" rail (offers.foryou: from their own activity, with a line
    saying why; an empty state until they have some). A rail that would only repeat another
    (trending falls back to the top offers) is left out."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        top = catalog_cached(
            "home:top",
            lambda: list(offer_selectors.offers_top(RAIL_LENGTH)),
            timeout=STABLE_SECONDS,
        )
        trending = list(offer_selectors.offers_trending(RAIL_LENGTH))
        # Signed out, "For you" is trending, which the trending rail already shows.
        for_you = None
        if self.request.user.is_authenticated:
            for_you = offer_selectors.offers_for_you(self.request.user, RAIL_LENGTH)
        picked = for_you.offers if for_you is not None and for_you.personal else []
        top_ids = [offer.pk for offer in top]
        if [offer.pk for offer in trending] == top_ids:
            trending = []
        expiring = catalog_cached(
            "home:expiring",
            lambda: list(offer_selectors.offers_expiring(within_days=3, limit=RAIL_LENGTH)),
            timeout=CLOCK_SECONDS,
        )
        on_page = {offer.pk: offer for offer in [*top, *trending, *picked, *expiring]}
        # Each offer on the home page counts one view (buffered in Redis, no query).
        offer_services.offer_views_count(on_page)
        context.update(
            {
                "hero_offer": top[0] if top else None,
                "top_offers": top,
                "trending_offers": trending,
                # None signed out; not personal: the empty state (trending is its own rail).
                "for_you": for_you,
                "picked_offers": picked,
                "expiring_offers": expiring,
                "featured_merchants": catalog_cached(
                    "home:featured",
                    lambda: list(catalog_selectors.merchants_featured(12)),
                    timeout=STABLE_SECONDS,
                ),
                "categories": catalog_cached(
                    "home:categories",
                    lambda: list(catalog_selectors.categories_active()),
                    timeout=STABLE_SECONDS,
                ),
                "uses_today": offer_selectors.offers_uses_today(list(on_page.values())),
            }
        )
        return context


def favicon(request):
    """/favicon.ico, which browsers ask for whatever a page links (the admin, the API's pages,
    a JSON answer): the static icon, under its versioned static URL."""
    return HttpResponseRedirect(static("img/favicon.ico"))
