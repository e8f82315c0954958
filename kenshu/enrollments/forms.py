"""Forms of the enrolment pages (format only; the services check the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class WaitingListMoveForm(forms.Form):
    """Staff move one waiting entry up or down by one place."""

    UP, DOWN = "up", "down"

    entry = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[(UP, _("Move up")), (DOWN, _("Move down"))]
    )
