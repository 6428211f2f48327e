"""The product's own "not found" page in every environment.

With DEBUG on, Django answers a missing page with its technical 404 (URL patterns,
settings): not what a customer following an expired link should see while someone
tries the desk in development. This middleware answers with templates/404.html,
which points customers to /c/ for a fresh link, whatever DEBUG says.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

# The title of Django's technical 404 page, shown only with DEBUG on.
TECHNICAL_404 = b"<title>Page not found at "


def not_found(request):
    return render(request, "404.html", status=404)


class ProductNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and TECHNICAL_404 in getattr(response, "content", b"")[:4000]
        ):
            return not_found(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return not_found(request)
        return None
