class JapaneseFirstMiddleware:
    """Japanese first: the browser's Accept-Language is not consulted.

    Kenshu's customers are Japanese companies whose staff often browse with an
    English-language browser; they should still get the Japanese site. English is
    a choice made with the language switch (kept in the language cookie).
    Must come before ``LocaleMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
