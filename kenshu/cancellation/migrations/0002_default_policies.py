"""The default cancellation policy of R-CANCEL-4, so that every fresh database has it.

The tiers are written out here (a migration must not change when the code does);
kenshu/cancellation/defaults.py holds the same values and a test checks they agree.
A delivery that already has a policy is left as it is.
"""

from django.db import migrations

SESSION_TIERS = [(8, 0), (3, 50), (0, 100)]  # business days before the first day → %
DEFAULTS = {
    "classroom": ("business_days", SESSION_TIERS),
    "live": ("business_days", SESSION_TIERS),
    "elearning": ("calendar_days", [(1, 0), (0, 100)]),  # days before the access start
}


def create_default_policies(apps, schema_editor):
    CancellationPolicy = apps.get_model("cancellation", "CancellationPolicy")
    CancellationTier = apps.get_model("cancellation", "CancellationTier")
    for delivery, (unit, tiers) in DEFAULTS.items():
        policy, created = CancellationPolicy.objects.get_or_create(
            delivery=delivery, defaults={"unit": unit}
        )
        if created:
            CancellationTier.objects.bulk_create(
                CancellationTier(policy=policy, min_days_before=days, rate=rate)
                for days, rate in tiers
            )


class Migration(migrations.Migration):

    dependencies = [
        ("cancellation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_default_policies, migrations.RunPython.noop),
    ]
