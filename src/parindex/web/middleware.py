from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


def chosen_language(request) -> str:
    """The language the user chose with the switch (a cookie), else the site's default."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class LanguageMiddleware(MiddlewareMixin):
    """Vietnamese first: the language is the one the user chose with the switch (a cookie),
    else the site's default — never guessed from the browser, whose language is often
    English on office machines in Vietnam."""

    def process_request(self, request):
        chosen = chosen_language(request)
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
