"""Staff roles: permission groups (受付 reception, 経理 accounting, 管理者 administrator).

Staff are users with ``is_staff`` and one or more of these groups. Group names
are stable codes; their Japanese labels are in ``LABELS``. The groups and
their permissions are created by a data migration and kept up to date by
``roles_sync()`` (run after every migrate).
"""

from django.utils.translation import gettext_lazy as _

RECEPTION = "reception"
ACCOUNTING = "accounting"
ADMINISTRATOR = "administrator"

LABELS = {
    RECEPTION: _("Reception"),
    ACCOUNTING: _("Accounting"),
    ADMINISTRATOR: _("Administrator"),
}

#: Model permissions per role as "app_label.codename" patterns; "app_label.*" is every
#: permission of that app. Later features add their own codenames here.
PERMISSIONS = {
    RECEPTION: [
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_organisation",
        "accounts.change_organisation",
        "accounts.add_organisation",
        "notifications.view_outboxemail",
        "notifications.change_outboxemail",  # resend
        "catalog.view_course",
        "catalog.view_session",
        "requests.view_typechangerequest",
        "requests.decide_typechangerequest",
        "requests.view_cancellationrequest",
        "requests.add_cancellationrequest",
        "requests.view_learnerchangerequest",
        "requests.add_learnerchangerequest",
        "requests.decide_learnerchangerequest",
        "requests.view_datechangerequest",
        "requests.add_datechangerequest",
        "requests.decide_datechangerequest",
        "inventory.view_inventoryitem",
        "inventory.view_seat",
        "inventory.change_seat",  # unassign / reassign (learner change)
        "enrollments.change_enrollment",  # attendance, date change
        "core.view_closureday",
        "enrollments.view_enrollment",
        "enrollments.view_waitinglistentry",
        "enrollments.change_waitinglistentry",
        "billing.view_order",
        "billing.view_invoice",
        "cancellation.view_cancellationpolicy",
        "migration.view_legacymember",  # the review list of migrated members
        "migration.change_legacymember",  # mark reviewed
    ],
    ACCOUNTING: [
        "accounts.view_user",
        "accounts.view_organisation",
        "audit.view_auditentry",
        "notifications.view_outboxemail",
        "catalog.view_course",
        "catalog.view_session",
        "enrollments.view_enrollment",
        "billing.view_order",
        "billing.view_invoice",
        "billing.view_payment",
        "billing.add_payment",
        "billing.view_refund",
        "billing.pay_out_refund",
        "requests.view_cancellationrequest",
        "requests.decide_cancellationrequest",
        "inventory.view_inventoryitem",
        "inventory.view_seat",
        "cancellation.view_cancellationpolicy",
    ],
    ADMINISTRATOR: [
        "accounts.*",
        "audit.view_auditentry",
        "notifications.*",
        "catalog.*",
        "core.*",
        "requests.*",
        "enrollments.*",
        "billing.*",
        "cancellation.*",
        "inventory.*",
        "migration.*",
    ],
}


def roles_sync(apps=None) -> None:
    """Create the role groups and give them exactly the permissions above."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, patterns in PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = []
        for pattern in patterns:
            app_label, codename = pattern.split(".", 1)
            qs = Permission.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                qs = qs.filter(codename=codename)
            perms.extend(qs)
        group.permissions.set(perms)
