"""The operators' dashboard at /admin/ (the admin's own index, with the dashboard above its list
of apps) and each chart's CSV and Excel export. Both are wrapped in the admin site's
`admin_view` in urls.py: staff who passed their second factor, as for the rest of the admin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import cards, charts, exports, figures
from .forms import PRESETS, RangeForm
from .health import health_snapshot

# Charts drawn side by side on a laptop: pairs that read together.
CHART_ROWS = (
    ("revenue", "orders-by-status"),
    ("traffic", "cashback"),
    ("top-stores-clicks", "top-stores-commission"),
    ("sales-by-category", "funnel"),
)


@require_safe
def dashboard(request):
    today = timezone.localdate()
    form = RangeForm(request.GET or None, today=today)
    if form.is_bound and not form.is_valid():
        messages.warning(request, _("Those dates can't be shown: showing the last 30 days."))
    start, end = form.chosen_range()
    typed = form.typed_dates()
    range_figures = figures.range_figures(start=start, end=end)
    shown = charts.shown_charts(range_figures)
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard"),
        "subtitle": None,
        "app_list": admin.site.get_app_list(request),
        "form": form,
        "presets": PRESETS,
        "preset": form.preset(),
        "start": start,
        "end": end,
        "today": today,
        # What the date inputs hold: the user's own dates when they were refused.
        "start_value": typed[0] if typed else start.isoformat(),
        "end_value": typed[1] if typed else end.isoformat(),
        "range_query": exports.range_query(start, end),
        "cards": cards.dashboard_cards(
            today=today, start=start, end=end, range_figures=range_figures
        ),
        "chart_rows": [[shown[key] for key in row] for row in CHART_ROWS],
        "health": health_snapshot(),
    }
    request.current_app = admin.site.name
    return TemplateResponse(request, "admin/dashboard/index.html", context)


@require_safe
def export(request, chart: str, fmt: str):
    """One chart's figures for the range in the query string (start and end), as a download."""
    if chart not in charts.CHARTS or fmt not in exports.FORMATS:
        raise Http404
    today = timezone.localdate()
    form = RangeForm(request.GET, today=today)
    if not form.is_valid():
        problems = [str(error) for errors in form.errors.values() for error in errors]
        return HttpResponseBadRequest(" ".join(problems), content_type="text/plain; charset=utf-8")
    start, end = form.chosen_range()
    body = exports.export(charts.CHARTS[chart], figures.range_figures(start=start, end=end), fmt)
    response = HttpResponse(body, content_type=exports.FORMATS[fmt])
    filename = exports.filename(chart, start, end, fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
