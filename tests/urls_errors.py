"""A test-only URLconf: the site's URLs and error handlers, plus views that fail."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from parindex.urls import handler400, handler500, urlpatterns

__all__ = ["handler400", "handler500", "urlpatterns"]


def boom(request):
    raise RuntimeError("boom: a bug in a view")


def suspicious(request):
    raise SuspiciousOperation("a malformed request")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("test-only/forbidden/", forbidden),
    path("test-only/boom/", boom),
    path("test-only/suspicious/", suspicious),
    *urlpatterns,
]
