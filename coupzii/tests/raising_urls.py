"""The real URLs plus one view that fails, to see the 500 page a shopper would get."""

from django.urls import path

from coupzii.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("simulated failure")


urlpatterns = [*site_urlpatterns, path("broken/", broken)]
