"""The portal's code-book pages: the list of books with their code totals, create and edit a
book, one book (totals, jobs with progress, generate, import, export, pause/close), and its
codes with search and a status filter."""

from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coupzii.core.errors import DomainError
from coupzii.core.pagination import paginate
from offers.models import BookStatus

from .. import access
from ..models import JobStatus
from ..portal import brand_page
from ..tiers import limits_for
from . import exports, selectors, services
from .forms import BookForm, CodeFilterForm, GenerateForm, ImportForm

BOOKS_PER_PAGE = 20
CODES_PER_PAGE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book_or_404(request, book_id):
    book = selectors.book_for(request.membership, book_id)
    if book is None:
        raise Http404(_("No such book."))
    return book


def _book_url(request, book) -> str:
    return reverse("brands:book_detail", args=[request.brand.slug, book.public_id])


@require_GET
@brand_page(access.MANAGE_BOOKS)
def book_list(request):
    page, page_range = paginate(
        request, selectors.books_for(request.membership), per_page=BOOKS_PER_PAGE
    )
    totals = selectors.book_code_totals([book.pk for book in page])
    rows = [(book, totals[book.pk]) for book in page]
    return render(
        request,
        "brands/books/book_list.html",
        {"page": page, "page_range": page_range, "rows": rows},
    )


@require_http_methods(["GET", "POST"])
@brand_page(access.MANAGE_BOOKS)
def book_create(request):
    form = BookForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            book = services.book_create(
                membership=request.membership,
                actor=request.user,
                offer=form.cleaned_data["offer"],
                **form.settings(),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Book created. Now generate or import its codes."))
            return redirect(_book_url(request, book))
    return render(
        request,
        "brands/books/book_form.html",
        {"form": form, "book": None, "has_offers": form.fields["offer"].queryset.exists()},
    )


@require_http_methods(["GET", "POST"])
@brand_page(access.MANAGE_BOOKS)
def book_edit(request, book_id):
    book = _book_or_404(request, book_id)
    form = BookForm(request.POST or None, membership=request.membership, book=book)
    if request.method == "POST" and form.is_valid():
        try:
            services.book_update(book=book, actor=request.user, **form.settings())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect(_book_url(request, book))
    return render(
        request, "brands/books/book_form.html", {"form": form, "book": book, "has_offers": True}
    )


@require_GET
@brand_page(access.MANAGE_BOOKS)
def book_detail(request, book_id):
    book = _book_or_404(request, book_id)
    return render(request, "brands/books/book_detail.html", _detail_context(request, book))


def _detail_context(request, book, **forms) -> dict:
    limit = limits_for(request.brand).codes_per_book
    return {
        "book": book,
        "totals": selectors.book_code_totals([book.pk])[book.pk],
        "jobs": [{"job": job, **job_context(job)} for job in selectors.book_jobs(book)],
        "lock_minutes": max(1, book.lock_ttl_seconds // 60),
        "generate_form": forms.get("generate_form") or GenerateForm(limit=limit),
        "import_form": forms.get("import_form") or ImportForm(),
        "limit": limit,
        "closed": book.status == BookStatus.CLOSED,
    }


@require_POST
@brand_page(access.MANAGE_BOOKS)
def book_generate(request, book_id):
    book = _book_or_404(request, book_id)
    limit = limits_for(request.brand).codes_per_book
    form = GenerateForm(request.POST, limit=limit)
    if form.is_valid():
        try:
            services.codes_generate_start(
                membership=request.membership,
                book=book,
                count=form.cleaned_data["count"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Generating codes: the progress is shown below."))
            return redirect(_book_url(request, book))
    return render(
        request,
        "brands/books/book_detail.html",
        _detail_context(request, book, generate_form=form),
        status=400,
    )


@require_POST
@brand_page(access.MANAGE_BOOKS)
def book_import(request, book_id):
    book = _book_or_404(request, book_id)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.codes_import_start(
                membership=request.membership,
                book=book,
                name=upload.name,
                content=upload.read(services.IMPORT_MAX_BYTES + 1),
                actor=request.user,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            if job.status == JobStatus.DONE:
                messages.success(request, _("Import finished: the report is below."))
            else:
                messages.success(request, _("Importing codes: the progress is shown below."))
            return redirect(reverse("brands:book_job", args=[request.brand.slug, job.public_id]))
    return render(
        request,
        "brands/books/book_detail.html",
        _detail_context(request, book, import_form=form),
        status=400,
    )


@require_POST
@brand_page(access.MANAGE_BOOKS)
def book_status(request, book_id):
    book = _book_or_404(request, book_id)
    try:
        services.book_set_status(
            book=book, status=request.POST.get("status", ""), actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The book's status is changed."))
    return redirect(_book_url(request, book))


@require_GET
@brand_page(access.MANAGE_BOOKS)
def book_codes(request, book_id):
    book = _book_or_404(request, book_id)
    filters = CodeFilterForm(request.GET or None)
    codes = selectors.book_codes(book, **filters.filters())
    page, page_range = paginate(request, codes, per_page=CODES_PER_PAGE)
    return render(
        request,
        "brands/books/book_codes.html",
        {
            "book": book,
            "filters": filters,
            "filtered": any(filters.filters().values()),
            "page": page,
            "page_range": page_range,
        },
    )


@require_GET
@brand_page(access.MANAGE_BOOKS)
def book_export(request, book_id):
    book = _book_or_404(request, book_id)
    return export_response(book, request.GET.get("format", "csv"))


def export_response(book, file_format: str) -> StreamingHttpResponse:
    """The book's codes as a streamed CSV or XLSX download (CSV for an unknown format)."""
    rows = selectors.book_export_rows(book)
    name = slugify(book.name) or "codes"
    if file_format == "xlsx":
        response = StreamingHttpResponse(exports.xlsx_stream(rows), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}-codes.xlsx"'
    else:
        response = StreamingHttpResponse(
            exports.csv_stream(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}-codes.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@brand_page(access.MANAGE_BOOKS)
def book_job(request, job_id):
    job = selectors.job_for(request.membership, job_id)
    if job is None:
        raise Http404(_("No such job."))
    context = {"job": job, "book": job.book, **job_context(job)}
    if request.headers.get("HX-Request"):
        return render(request, "brands/books/_job.html", context)
    return render(request, "brands/books/book_job.html", context)


def job_context(job) -> dict:
    report = job.report or {}
    problems = sorted(report.get("problems", []), key=lambda problem: problem["line"])
    return {
        "finished": job.status in (JobStatus.DONE, JobStatus.FAILED),
        "resumable": services.job_resumable(job),
        "report": report,
        "problems": problems,
    }


@require_POST
@brand_page(access.MANAGE_BOOKS)
def book_job_resume(request, job_id):
    job = selectors.job_for(request.membership, job_id)
    if job is None:
        raise Http404(_("No such job."))
    try:
        services.job_resume(job=job, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The job carries on from where it stopped."))
    return redirect(reverse("brands:book_job", args=[request.brand.slug, job.public_id]))
