"""Password rules with Dutch messages.

Django 5.2 changed the text of the "too short" error (``%d`` instead of ``%(min_length)d``) and
its Dutch catalogue has no translation of the new text yet, so the set-password form said it in
English. The other validators' texts are translated by Django itself.
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "Dit wachtwoord is te kort: het moet minstens %(min_length)d teken bevatten.",
            "Dit wachtwoord is te kort: het moet minstens %(min_length)d tekens bevatten.",
            self.min_length,
        ) % {"min_length": self.min_length}
