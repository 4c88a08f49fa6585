"""Limits that protect the server: request bodies too large to be evidence, and logins after
too many wrong passwords (django-axes calls `locked_out` and, behind the proxy,
`client_ip_behind_proxy`)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from parindex.web.middleware import chosen_language


def _limit_mb(limit: int) -> str:
    from parindex.domain.numbers import format_number

    return format_number(Decimal(limit) / 2**20, 1)


class RequestSizeLimitMiddleware:
    """Answers 413 when the declared body is larger than MAX_REQUEST_BODY_BYTES (and 411 to a
    chunked body, whose length nobody knows in advance), before anything reads the body.
    First in MIDDLEWARE: waitress refuses such bodies itself (max_request_body_size), gunicorn
    has no such setting."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return self.refuse(request, 413)
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # A body without a declared length could be of any size: browsers never send one.
            return self.refuse(request, 411)
        return self.get_response(request)

    @staticmethod
    def refuse(request, status: int) -> HttpResponse:
        # Runs before the language middleware, so it asks the same rule itself.
        with translation.override(chosen_language(request)):
            if status == 413:
                text = _(
                    "The request is too large: files are limited to %(limit)s MB. "
                    "Nothing was saved."
                ) % {"limit": _limit_mb(settings.EVIDENCE_MAX_BYTES)}
            else:
                text = _("The request does not say how long it is. Nothing was saved.")
        response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
        response["Connection"] = "close"  # the unread body must not be taken for a request
        return response


def locked_out(request, response=None, credentials=None):
    """django-axes' answer to a locked-out login: the login page's frame with the reason."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked.html", {"minutes": minutes}, status=429)


def client_ip_behind_proxy(request) -> str:
    """The client's address as the province's reverse proxy saw it: the last address of
    X-Forwarded-For (the one the proxy appended; earlier ones come from the client and could
    be forged), else the socket's peer."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last = forwarded.split(",")[-1].strip()
    return last or request.META.get("REMOTE_ADDR", "")
