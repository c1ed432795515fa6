"""Site pages: one page of operator-written text per slug."""

from django.http import Http404
from django.views.generic import TemplateView

from . import selectors


class PageView(TemplateView):
    template_name = "pages/page.html"

    def get_context_data(self, **kwargs):
        page = selectors.page_published(slug=kwargs["slug"])
        if page is None:
            raise Http404
        return super().get_context_data(page=page, **kwargs)
