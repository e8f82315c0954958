"""Staff edit the cancellation policy in the Django admin (R-CANCEL-4).

The admin is the policy's editing screen (see docs/cancellation.md): editing needs
``cancellation.change_cancellationpolicy`` (the administrator role), viewing
``view_cancellationpolicy`` (reception, accounting). The tiers are validated together
(``policy_tiers_errors``) and every change is audited as ``cancellation_policy.changed``
in the admin's transaction. Policies are never deleted (one per delivery type; the
data migration creates them).
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from kenshu.audit.services import audit_log

from .models import CancellationPolicy, CancellationTier
from .validation import policy_tiers_errors

CHANGE_PERMISSION = "cancellation.change_cancellationpolicy"
VIEW_PERMISSION = "cancellation.view_cancellationpolicy"
AUDIT_ACTION = "cancellation_policy.changed"


class CancellationTierFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return  # the field errors are shown first
        pairs = [
            (form.cleaned_data["min_days_before"], form.cleaned_data["rate"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("min_days_before") is not None
            and form.cleaned_data.get("rate") is not None
        ]
        errors = policy_tiers_errors(pairs)
        if errors:
            raise ValidationError(errors)


class CancellationTierInline(admin.TabularInline):
    """The tiers belong to the policy: its change permission governs them."""

    model = CancellationTier
    formset = CancellationTierFormSet
    fields = ["min_days_before", "rate"]
    extra = 1

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_PERMISSION) or request.user.has_perm(CHANGE_PERMISSION)

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(CHANGE_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(CHANGE_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(CHANGE_PERMISSION)


def _state(policy: CancellationPolicy) -> dict:
    return {
        "unit": policy.unit,
        "tiers": [
            {"min_days_before": t["min_days_before"], "rate": t["rate"]}
            for t in policy.tiers_snapshot()
        ],
    }


@admin.register(CancellationPolicy)
class CancellationPolicyAdmin(admin.ModelAdmin):
    list_display = ["delivery", "unit", "tiers_summary", "updated_at"]
    inlines = [CancellationTierInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tiers")

    def get_readonly_fields(self, request, obj=None):
        return ["delivery", "updated_at"] if obj is not None else ["updated_at"]

    @admin.display(description=_("tiers"))
    def tiers_summary(self, obj: CancellationPolicy) -> str:
        return " / ".join(f"{t['min_days_before']}: {t['rate']} %" for t in obj.tiers_snapshot())

    def has_add_permission(self, request):
        # One policy per delivery type: adding only restores a missing one.
        if not request.user.has_perm(CHANGE_PERMISSION) or not super().has_add_permission(request):
            return False
        existing = set(CancellationPolicy.objects.values_list("delivery", flat=True))
        choices = CancellationPolicy._meta.get_field("delivery").choices
        return any(value not in existing for value, _label in choices)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            before = _state(CancellationPolicy.objects.prefetch_related("tiers").get(pk=obj.pk))
        obj._audit_before = before
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        policy = CancellationPolicy.objects.prefetch_related("tiers").get(pk=form.instance.pk)
        before = getattr(form.instance, "_audit_before", None)
        after = _state(policy)
        if before != after:
            audit_log(
                actor=request.user,
                action=AUDIT_ACTION,
                target=policy,
                data={"delivery": policy.delivery, "before": before, "after": after},
            )
