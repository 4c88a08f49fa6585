from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class LanguageMiddleware(MiddlewareMixin):
    """Vietnamese first: the language is the one the user chose with the switch (a cookie),
    else the site's default — never guessed from the browser, whose language is often
    English on office machines in Vietnam."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
