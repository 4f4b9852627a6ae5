"""django-otp's own texts through our Dutch catalogue.

django-otp names its models and fields and writes their help texts as plain English strings
("TOTP device", "The time step in seconds."), which no catalogue can translate: the back office
showed them in English between Dutch labels. Here each becomes a lazy translation of the same
English text, in the context "django-otp"; parabench/locale/nl says it in Dutch, and English
stays django-otp's own wording.

Migrations are not affected: a field's migration keeps its help text, and makemigrations compares
with translations switched off, when a lazy text is its English msgid again (a field's verbose
name is not compared at all: Django keeps the one it was given, here none, for that).
"""

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

CONTEXT = "django-otp"


def translatable(text):
    """The English ``text`` (plain or Django's lazy default) as a lazy text of our catalogue."""
    if not text:
        return text
    if isinstance(text, Promise):
        with translation.override(None):
            text = str(text)
    return pgettext_lazy(CONTEXT, text)


def make_translatable(model) -> None:
    """The model's name and its fields' names and help texts, through the catalogue."""
    options = model._meta
    options.verbose_name_plural = translatable(options.verbose_name_plural)
    options.verbose_name = translatable(options.verbose_name)
    for field in options.fields:
        field.verbose_name = translatable(field.verbose_name)
        field.help_text = translatable(field.help_text)
