"""Customer pages of inventory (DOMAIN.md §14): thin views.

- ``/purchase/session/<id>/`` and ``/purchase/course/<code>/``: the quantity form
  (GET), the confirmation (GET ``?quantity=N``: unit fee, quantity, tax, total, payment,
  the dated cancellation tiers) and the purchase (POST) → ``/purchase/done/<id>/``.
- ``/account/inventory/``: the applicant's purchases; ``/account/inventory/<id>/``: one
  purchase, seat by seat, with the assignment forms, the bulk upload (preview, then
  confirm) and the links to the cancellation and learner-change requests.
- ``/account/group/``: the applicant's learners, their enrolments, invitations.
- ``/account/invitation/<uid>/<token>/``: an invited learner sets its password.
- ``/account/inventory/<id>/cancel/`` and ``…/seats/<id>/unassign/`` answer every POST
  with 403 and an audit entry: a group applicant never cancels inventory nor unassigns
  (R-TYPE, R-CANCEL-1); it asks staff with a request.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import base36_to_int
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kenshu.accounts import policy
from kenshu.accounts.models import User
from kenshu.accounts.policy import Action
from kenshu.billing.services import tax_breakdown
from kenshu.catalog.models import Course, Session
from kenshu.core.exceptions import DomainError

from . import selectors, services
from .bulkfile import BulkRow, csv_bytes, read_learner_file, template_csv
from .exceptions import BulkFileError, BulkRowsInvalid, InvitationInvalid, NoUnassignedSeat
from .forms import (
    BulkConfirmForm,
    BulkUploadForm,
    ColleagueForm,
    InvitationPasswordForm,
    LearnerChoiceForm,
    QuantityForm,
)
from .models import InventoryItem, Seat
from .services.bulk import RowPreview

#: Purchases per page of My Account → inventory; seats per page of a purchase; learners
#: per page of My Account → group.
ITEMS_PER_PAGE = 20
SEATS_PER_PAGE = 50
LEARNERS_PER_PAGE = 30
#: How long a bulk preview may be confirmed.
BULK_TOKEN_MAX_AGE = 60 * 60
BULK_TOKEN_SALT = "kenshu.inventory.bulk"  # noqa: S105 (a signing salt, not a secret)


def _require_applicant(request) -> None:
    """Pages of a group applicant: a forged request of anyone else is refused (403)."""
    if not policy.can(request.user, Action.BUY_FOR_OTHERS):
        raise PermissionDenied(policy.refusal_reason(request.user, Action.BUY_FOR_OTHERS))


# --- buying -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def purchase_session(request, pk: int):
    try:
        session = selectors.session_for_purchase(pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc
    return _purchase(request, session=session)


@login_required
@require_http_methods(["GET", "POST"])
def purchase_course(request, code: str):
    try:
        course = selectors.elearning_course_for_purchase(code=code)
    except Course.DoesNotExist:
        if Course.objects.filter(code=code, is_published=True).exists():
            return redirect(f"/courses/{code}/")
        raise Http404 from None
    return _purchase(request, course=course)


def _purchase(request, *, session: Session | None = None, course: Course | None = None):
    user = request.user
    if request.method == "POST":
        if not policy.can(user, Action.BUY_FOR_OTHERS):
            services.inventory_action_refused(actor=user, action="purchase", path=request.path)
            raise PermissionDenied(policy.refusal_reason(user, Action.BUY_FOR_OTHERS))
        form = QuantityForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please enter the number of seats."))
            return redirect(request.path)
        try:
            item = services.inventory_purchase(
                actor=user, session=session, course=course, quantity=form.cleaned_data["quantity"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        return redirect("inventory:purchase_done", pk=item.pk)

    preview = selectors.purchase_preview(user=user, session=session, course=course)
    form = QuantityForm(
        request.GET if "quantity" in request.GET else None, seats_left=preview.seats_left
    )
    confirming = form.is_bound and form.is_valid() and preview.may_buy
    if confirming:
        preview = selectors.purchase_preview(
            user=user, session=session, course=course, quantity=form.cleaned_data["quantity"]
        )
    return render(
        request,
        "inventory/purchase.html",
        {"preview": preview, "form": form, "confirming": confirming},
    )


@login_required
@require_GET
def purchase_done(request, pk: int):
    try:
        item = selectors.item_of(user=request.user, pk=pk)
    except InventoryItem.DoesNotExist as exc:
        raise Http404 from exc
    invoice = next(iter(item.order.main_invoices), None) if item.order_id else None
    rates = tax_breakdown(item.order.lines.all()) if item.order_id else []
    return render(
        request,
        "inventory/purchase_done.html",
        {
            "item": item,
            "invoice": invoice,
            "tax_rate": rates[0].rate if len(rates) == 1 else None,
        },
    )


# --- My Account → inventory ------------------------------------------------------------------


@login_required
@require_GET
def my_inventory(request):
    _require_applicant(request)
    page = Paginator(selectors.items_of(user=request.user), ITEMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "inventory/my_inventory.html", {"page": page})


def _item_or_404(request, pk: int) -> InventoryItem:
    _require_applicant(request)
    try:
        return selectors.item_of(user=request.user, pk=pk)
    except InventoryItem.DoesNotExist as exc:
        raise Http404 from exc


def _detail_context(request, item: InventoryItem, **extra) -> dict:
    page = Paginator(selectors.seats_of(item=item), SEATS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    learners = selectors.assignable_learners(item=item) if item.unassigned_count else []
    return {
        "item": item,
        "page": page,
        "invoice": next(iter(item.order.main_invoices), None) if item.order_id else None,
        "choice_form": extra.pop(
            "choice_form", LearnerChoiceForm(learners=learners, applicant=request.user)
        ),
        "colleague_form": extra.pop("colleague_form", ColleagueForm()),
        "upload_form": extra.pop("upload_form", BulkUploadForm()),
        **extra,
    }


@login_required
@require_GET
def item_detail(request, pk: int):
    item = _item_or_404(request, pk)
    return render(request, "inventory/item_detail.html", _detail_context(request, item))


def _next_seat(item: InventoryItem) -> Seat:
    seat = selectors.next_unassigned_seat(item=item)
    if seat is None:
        raise NoUnassignedSeat()
    return seat


@login_required
@require_POST
def assign_learner(request, pk: int):
    """Give the next unassigned seat to an existing learner of the group (or oneself)."""
    item = _item_or_404(request, pk)
    group = list(selectors.group_members(item=item))
    form = LearnerChoiceForm(request.POST, learners=group, applicant=request.user)
    if not form.is_valid():
        return render(
            request,
            "inventory/item_detail.html",
            _detail_context(request, item, choice_form=form),
            status=400,
        )
    learner = next(u for u in group if u.pk == form.cleaned_data["learner"])
    try:
        services.seat_assign(actor=request.user, seat=_next_seat(item), learner=learner)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("A seat has been assigned to %(name)s. We have emailed them (with a copy to you).")
            % {"name": learner.full_name or learner.username},
        )
    return redirect("inventory:item_detail", pk=item.pk)


@login_required
@require_POST
def assign_colleague(request, pk: int):
    """Give the next unassigned seat to a colleague by name, kana and email; its account is
    created and it is invited when it has none."""
    item = _item_or_404(request, pk)
    form = ColleagueForm(request.POST)
    if form.is_valid():
        try:
            enrollment = services.seat_assign_colleague(
                actor=request.user, seat=_next_seat(item), **form.service_kwargs()
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            learner = enrollment.learner
            messages.success(
                request,
                _(
                    "A seat has been assigned to %(name)s (user ID %(user_id)s). We have "
                    "emailed them (with a copy to you)."
                )
                % {"name": learner.full_name, "user_id": learner.username},
            )
            return redirect("inventory:item_detail", pk=item.pk)
    return render(
        request,
        "inventory/item_detail.html",
        _detail_context(request, item, colleague_form=form, open_colleague=True),
        status=400,
    )


# --- bulk assignment ----------------------------------------------------------------------


def _bulk_token(*, item: InventoryItem, user, rows: list[BulkRow]) -> str:
    return signing.dumps(
        {"item": item.pk, "user": user.pk, "rows": [r.as_list() for r in rows]},
        salt=BULK_TOKEN_SALT,
        compress=True,
    )


def _bulk_rows(*, token: str, item: InventoryItem, user) -> list[BulkRow]:
    try:
        data = signing.loads(token, salt=BULK_TOKEN_SALT, max_age=BULK_TOKEN_MAX_AGE)
    except signing.BadSignature as exc:
        raise BulkFileError(
            _("This preview has expired or is not valid. Please upload the file again.")
        ) from exc
    if data.get("item") != item.pk or data.get("user") != user.pk:
        raise BulkFileError(_("This preview belongs to another purchase. Please upload again."))
    return [BulkRow.from_list(values) for values in data["rows"]]


@login_required
@require_http_methods(["GET", "POST"])
def bulk_upload(request, pk: int):
    """POST a file: the row-by-row preview (nothing is saved); GET: back to the purchase."""
    item = _item_or_404(request, pk)
    if request.method == "GET":
        return redirect("inventory:item_detail", pk=item.pk)
    form = BulkUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_learner_file(
                content=upload.read(), filename=upload.name, max_rows=item.unassigned_count
            )
            previews = services.bulk_preview(actor=request.user, item=item, rows=rows)
        except DomainError as exc:
            form.add_error("file", str(exc))
        else:
            return _render_preview(request, item=item, previews=previews, filename=upload.name)
    return render(
        request,
        "inventory/item_detail.html",
        _detail_context(request, item, upload_form=form, open_bulk=True),
        status=400,
    )


def _render_preview(request, *, item, previews: list[RowPreview], filename: str, status=200):
    errors = [p for p in previews if p.status == RowPreview.ERROR]
    token = (
        "" if errors else _bulk_token(item=item, user=request.user, rows=[p.row for p in previews])
    )
    return render(
        request,
        "inventory/bulk_preview.html",
        {
            "item": item,
            "previews": previews,
            "errors": errors,
            "new_count": sum(p.status == RowPreview.NEW for p in previews),
            "existing_count": sum(p.status == RowPreview.EXISTING for p in previews),
            "filename": filename,
            "form": BulkConfirmForm(initial={"token": token}) if token else None,
        },
        status=status,
    )


@login_required
@require_POST
def bulk_confirm(request, pk: int):
    """Apply the previewed rows: all of them or, if anything changed meanwhile, none."""
    item = _item_or_404(request, pk)
    form = BulkConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise BulkFileError(_("Please upload the file again."))
        rows = _bulk_rows(token=form.cleaned_data["token"], item=item, user=request.user)
        enrollments = services.seats_assign_bulk(actor=request.user, item=item, rows=rows)
    except BulkRowsInvalid as exc:
        messages.error(request, str(exc))
        return _render_preview(request, item=item, previews=exc.previews, filename="", status=409)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("inventory:item_detail", pk=item.pk)
    messages.success(
        request,
        _("%(count)s seats have been assigned. We have emailed each learner (with a copy to you).")
        % {"count": len(enrollments)},
    )
    return redirect("inventory:item_detail", pk=item.pk)


@login_required
@require_GET
def bulk_template(request):
    _require_applicant(request)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="learners-template.csv"'
    return response


@login_required
@require_GET
def seats_export(request, pk: int):
    """The purchase's seats as CSV (UTF-8 with BOM; formula-like cells escaped)."""
    item = _item_or_404(request, pk)
    rows = [["座席", "氏名", "フリガナ", "メールアドレス", "ユーザーID", "状態", "受講状況"]]
    for seat in selectors.seats_of(item=item):
        learner = seat.learner
        rows.append(
            [
                f"{item.number}-{seat.pk}",
                learner.full_name if learner else "",
                f"{learner.last_name_kana} {learner.first_name_kana}".strip() if learner else "",
                learner.email if learner else "",
                learner.username if learner else "",
                seat.get_state_display(),
                seat.enrollment.get_state_display() if seat.enrollment else "",
            ]
        )
    response = HttpResponse(csv_bytes(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{item.number}-seats.csv"'
    return response


# --- refusals (R-TYPE, R-CANCEL-1) -------------------------------------------------------------


@login_required
@require_POST
def inventory_cancel_refused(request, pk: int):
    """No customer cancels inventory: always 403, and the attempt is audited."""
    services.inventory_action_refused(
        actor=request.user, action="cancel", path=request.path, item_id=pk
    )
    raise PermissionDenied(policy.refusal_reason(request.user, Action.CANCEL_INVENTORY))


@login_required
@require_POST
def seat_unassign_refused(request, pk: int, seat: int):
    """No customer unassigns a seat: always 403, and the attempt is audited."""
    services.inventory_action_refused(
        actor=request.user, action="unassign", path=request.path, item_id=pk, seat_id=seat
    )
    raise PermissionDenied(policy.refusal_reason(request.user, Action.CANCEL_INVENTORY))


# --- My Account → group -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_group(request):
    """The applicant's learners, their enrolments, who has not set a password yet; POST
    adds (invites) a learner."""
    _require_applicant(request)
    form = ColleagueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            learner = services.learner_invite(actor=request.user, **form.service_kwargs())
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            if learner.has_usable_password():
                messages.info(
                    request,
                    _("%(name)s is already a learner of your group (user ID %(user_id)s).")
                    % {"name": learner.full_name, "user_id": learner.username},
                )
            else:
                messages.success(
                    request,
                    _("%(name)s has been added (user ID %(user_id)s) and invited by email.")
                    % {"name": learner.full_name, "user_id": learner.username},
                )
            return redirect("inventory:my_group")
    page = Paginator(selectors.group_learners(applicant=request.user), LEARNERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "inventory/my_group.html",
        {"page": page, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def invitation_resend(request, pk: int):
    _require_applicant(request)
    try:
        learner = selectors.group_learner_of(applicant=request.user, pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.learner_invitation_resend(actor=request.user, learner=learner)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("A new invitation has been sent to %(email)s. Earlier links no longer work.")
            % {"email": learner.email},
        )
    return redirect("inventory:my_group")


# --- the invitation link ------------------------------------------------------------------------


def _invited_user(uidb36: str) -> User | None:
    try:
        return User.objects.get(pk=base36_to_int(uidb36))
    except (ValueError, OverflowError, User.DoesNotExist):
        return None


@require_http_methods(["GET", "POST"])
def invitation_accept(request, uidb36: str, token: str):
    """An invited learner sets its password (once, before the link expires), is logged
    in and lands on My Account."""
    learner = _invited_user(uidb36)
    valid = services.learners.learner_invitation_check(learner=learner, token=token)
    if not valid:
        return render(
            request,
            "inventory/invitation_accept.html",
            {"valid": False, "error": InvitationInvalid()},
            status=400 if request.method == "POST" else 200,
        )
    form = InvitationPasswordForm(learner, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            learner = services.learner_invitation_accept(
                learner=learner, token=token, password=form.cleaned_data["new_password1"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, learner, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(
                request,
                _("Your password has been set. From now on, log in with your user ID %(user_id)s.")
                % {"user_id": learner.username},
            )
            return redirect("accounts:my_account")
    return render(
        request,
        "inventory/invitation_accept.html",
        {"valid": True, "form": form, "learner": learner},
    )
