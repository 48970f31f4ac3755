from django.middleware.locale import LocaleMiddleware


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch (nl-BE) unless the user chose English with the language switch.

    The browser's Accept-Language is ignored: a counsellor in Flanders with an English
    browser still works in Dutch, the language of the code lists and the reports.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
