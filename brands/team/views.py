"""The team's pages: the brand picker, the application, invitations and the team page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coupzii.core.errors import DomainError
from coupzii.core.pagination import paginate

from .. import access
from ..portal import NAV, brand_page
from . import selectors, services
from .forms import ApplyForm, DepartmentForm, InviteForm, MemberForm

MEMBERS_PER_PAGE = 25


def _first_page(membership) -> str | None:
    """The first portal page (in menu order) this member's role may open."""
    for name, _label, permission in NAV:
        if not access.can(membership, permission):
            continue
        try:
            return reverse(f"brands:{name}", args=[membership.brand.slug])
        except NoReverseMatch:
            continue
    return None


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


# --- The picker ----------------------------------------------------------------------------------


@login_required
def home(request):
    """The person's brands; one brand (unless ?all) or ?switch=<slug> goes straight in."""
    switch = request.GET.get("switch", "").strip()
    if switch:
        membership = access.membership_for(request.user, switch)
        if membership is None:
            raise Http404(_("No such brand."))
        return redirect(_first_page(membership) or reverse("brands:home") + "?all=1")
    memberships = list(selectors.my_memberships(user=request.user))
    if len(memberships) == 1 and "all" not in request.GET:
        target = _first_page(memberships[0])
        if target:
            return redirect(target)
    return render(request, "brands/team/home.html", {"memberships": memberships})


@login_required
def leave(request, brand_slug: str):
    """Any member may leave a brand (not its last owner): a page to confirm, then the POST."""
    membership = access.membership_for(request.user, brand_slug)
    if membership is None:
        raise Http404(_("No such brand."))
    # For the portal's layout (the page extends it) without asking for any one permission.
    request.brand, request.membership = membership.brand, membership
    if request.method == "POST":
        try:
            services.member_leave(membership=membership)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You left %(brand)s.") % {"brand": membership.brand.name})
            return redirect(reverse("brands:home") + "?all=1")
    return render(request, "brands/team/leave.html", {"membership": membership})


# --- Applying ------------------------------------------------------------------------------------


def apply(request):
    if not request.user.is_authenticated:
        return redirect(_with_next("account_signup", request.get_full_path()))
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            brand = services.brand_apply(
                applicant=request.user,
                name=data["name"],
                work_email=data["work_email"],
                website=data["website"],
                category=data["category"],
                store_name=data["store_name"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect("brands:apply_done", brand_slug=brand.slug)
    stores = selectors.store_names_unowned()
    return render(request, "brands/team/apply.html", {"form": form, "stores": stores})


@login_required
def apply_done(request, brand_slug: str):
    membership = access.membership_for(request.user, brand_slug)
    if membership is None:
        raise Http404(_("No such brand."))
    return render(request, "brands/team/apply_done.html", {"brand": membership.brand})


# --- Invitations ---------------------------------------------------------------------------------


def invitation(request, token: str):
    """The link in an invitation email: who invites whom, and a button to join once the
    person is signed in with the invited address, confirmed."""
    found = selectors.invitation_by_token(token=token)
    if found is None:
        return render(request, "brands/team/invitation.html", {"state": "missing"}, status=404)
    state = selectors.invitation_state(found)
    context = {"invitation": found, "state": state, "path": request.get_full_path()}
    if state != "pending":
        return render(request, "brands/team/invitation.html", context, status=410)
    if not request.user.is_authenticated:
        context["signup_url"] = _with_next("account_signup", request.path)
        context["login_url"] = _with_next("account_login", request.path)
        return render(request, "brands/team/invitation.html", context)
    context["address_confirmed"] = selectors.invitation_address_confirmed(
        invitation=found, user=request.user
    )
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "brands/team/invitation.html", context, status=exc.status_code)
        messages.success(request, _("Welcome to %(brand)s.") % {"brand": membership.brand.name})
        return redirect(reverse("brands:home") + f"?switch={membership.brand.slug}")
    return render(request, "brands/team/invitation.html", context)


# --- The team page -------------------------------------------------------------------------------


def _team_page(request, *, status: int = 200, **forms):
    brand = request.brand
    page, page_range = paginate(
        request, selectors.team_members(brand=brand), per_page=MEMBERS_PER_PAGE
    )
    departments = list(selectors.team_departments(brand=brand))
    members = [
        (
            member,
            MemberForm(
                brand=brand,
                initial={"role": member.role, "department": member.department_id},
                prefix=str(member.public_id),
            ),
        )
        for member in page
    ]
    context = {
        "page": page,
        "page_range": page_range,
        "members": members,
        "departments": [
            (
                department,
                DepartmentForm(
                    initial={"name": department.name, "access": department.access},
                    prefix=str(department.public_id),
                ),
            )
            for department in departments
        ],
        "invitations": list(selectors.team_invitations_pending(brand=brand)),
        "invite_form": forms.get("invite_form") or InviteForm(brand=brand),
        "department_form": forms.get("department_form") or DepartmentForm(),
        "is_owner": request.membership.role == "owner",
        "now": timezone.now(),
    }
    failed = forms.get("member_form")
    if failed is not None:
        context["members"] = [
            (member, failed if failed.prefix == str(member.public_id) else form)
            for member, form in members
        ]
    failed_department = forms.get("department_edit_form")
    if failed_department is not None:
        context["departments"] = [
            (dep, failed_department if failed_department.prefix == str(dep.public_id) else form)
            for dep, form in context["departments"]
        ]
    return render(request, "brands/team/team.html", context, status=status)


def _back(request):
    return redirect("brands:team", brand_slug=request.brand.slug)


def _refused(request, exc: DomainError):
    messages.error(request, exc.message)
    return _back(request)


@brand_page(access.MANAGE_TEAM)
def team(request):
    return _team_page(request)


def _member_or_404(request, public_id):
    member = selectors.team_member(brand=request.brand, public_id=public_id)
    if member is None:
        raise Http404(_("This person is not a member of the brand."))
    return member


@require_POST
@brand_page(access.MANAGE_TEAM)
def member_update(request, public_id):
    member = _member_or_404(request, public_id)
    form = MemberForm(request.POST, brand=request.brand, prefix=str(member.public_id))
    if form.is_valid():
        try:
            services.member_update(
                actor=request.membership,
                member=member,
                role=form.cleaned_data["role"],
                department=form.cleaned_data["department"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request, _("%(person)s's role is saved.") % {"person": _person(member)}
            )
            return _back(request)
    return _team_page(request, member_form=form, status=400)


@require_POST
@brand_page(access.MANAGE_TEAM)
def member_remove(request, public_id):
    member = _member_or_404(request, public_id)
    try:
        services.member_remove(actor=request.membership, member=member)
    except DomainError as exc:
        return _refused(request, exc)
    if member.pk == request.membership.pk:
        messages.success(request, _("You left %(brand)s.") % {"brand": request.brand.name})
        return redirect(reverse("brands:home") + "?all=1")
    messages.success(
        request, _("%(person)s was removed from the brand.") % {"person": _person(member)}
    )
    return _back(request)


def _person(member) -> str:
    return member.user.full_name or member.user.email


@require_POST
@brand_page(access.MANAGE_TEAM)
def invitation_create(request):
    form = InviteForm(request.POST, brand=request.brand)
    if form.is_valid():
        try:
            invitation = services.invitation_send(
                actor=request.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                department=form.cleaned_data["department"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return _back(request)
    return _team_page(request, invite_form=form, status=400)


def _invitation_or_404(request, public_id):
    invitation = selectors.team_invitation(brand=request.brand, public_id=public_id)
    if invitation is None:
        raise Http404(_("This invitation does not exist."))
    return invitation


@require_POST
@brand_page(access.MANAGE_TEAM)
def invitation_resend(request, public_id):
    invitation = _invitation_or_404(request, public_id)
    try:
        services.invitation_resend(actor=request.membership, invitation=invitation)
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, _("A new link was sent to %(email)s.") % {"email": invitation.email})
    return _back(request)


@require_POST
@brand_page(access.MANAGE_TEAM)
def invitation_revoke(request, public_id):
    invitation = _invitation_or_404(request, public_id)
    try:
        services.invitation_revoke(actor=request.membership, invitation=invitation)
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return _back(request)


@require_POST
@brand_page(access.MANAGE_TEAM)
def department_create(request):
    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            services.department_create(
                brand=request.brand,
                name=form.cleaned_data["name"],
                access_level=form.cleaned_data["access"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Department added."))
            return _back(request)
    return _team_page(request, department_form=form, status=400)


def _department_or_404(request, public_id):
    department = selectors.team_department(brand=request.brand, public_id=public_id)
    if department is None:
        raise Http404(_("This department does not exist in the brand."))
    return department


@require_POST
@brand_page(access.MANAGE_TEAM)
def department_update(request, public_id):
    department = _department_or_404(request, public_id)
    form = DepartmentForm(request.POST, prefix=str(department.public_id))
    if form.is_valid():
        try:
            services.department_update(
                department=department,
                name=form.cleaned_data["name"],
                access_level=form.cleaned_data["access"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Department saved."))
            return _back(request)
    return _team_page(request, department_edit_form=form, status=400)


@require_POST
@brand_page(access.MANAGE_TEAM)
def department_delete(request, public_id):
    department = _department_or_404(request, public_id)
    try:
        services.department_delete(department=department)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Department %(name)s deleted.") % {"name": department.name})
    return _back(request)
