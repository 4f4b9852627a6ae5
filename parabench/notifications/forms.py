from django import forms

from parabench.notifications.models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["on_import", "on_verdict"]
