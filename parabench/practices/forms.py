from django import forms

from parabench.practices.models import Practice


class ProfileForm(forms.ModelForm):
    """What the practice declares about itself: only its profile, never its network or region
    (those the operator keeps)."""

    class Meta:
        model = Practice
        fields = ["profile"]
