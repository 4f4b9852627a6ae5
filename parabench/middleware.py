"""Request-wide behaviour that belongs to no single app."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the user chose otherwise in the language menu.

    Django's own middleware follows the browser's Accept-Language, but many Dutch practices run
    English-language Windows; ParaBench is a Dutch service, so only an explicit choice (the
    language cookie set by the footer menu) switches to English.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
