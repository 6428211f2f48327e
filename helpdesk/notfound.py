"""The product's own "not found" page in every environment.

With DEBUG on, Django answers a missing page with its technical 404 (URL patterns,
settings): not what a customer following an expired link should see while someone
tries the desk in development. This middleware answers with templates/404.html,
which points customers to /c/ for a fresh link, whatever DEBUG says; under /api/, whose
clients read JSON, with {"detail": "Not found."}.
"""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render

# The title of Django's technical 404 page, shown only with DEBUG on.
TECHNICAL_404 = b"<title>Page not found at "


def not_found(request, exception=None):
    """The page, or for the API (whose clients read JSON) its error body."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


class ProductNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        if request.path.startswith("/api/"):
            if not response.get("Content-Type", "").startswith("application/json"):
                return not_found(request)
        elif settings.DEBUG and TECHNICAL_404 in getattr(response, "content", b"")[:4000]:
            return not_found(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return not_found(request)
        return None
