"""Request ids: every request gets one, every response and log line carries it, and the error
pages show it so that a person can quote it to support.

- `RequestIdMiddleware` (in MIDDLEWARE right after SecurityMiddleware) takes a sane incoming
  `X-Request-ID` (from the province's reverse proxy) or makes a uuid4 hex, sets
  `request.request_id` and the `X-Request-ID` response header.
- `RequestIdFilter` (settings.LOGGING) adds `record.request_id` to every log record: the id of
  the request being served, or "-" outside a request (a command).
- `server_error` and `bad_request` are `handler500` and `handler400` (parindex.urls): pages in
  Vietnamese and English that need no database, no session and no context processor, so that
  they render when whatever failed was the database.
- `csrf_failure` is `CSRF_FAILURE_VIEW`: the site's own page in the user's language, with the
  request id and the way back (Django's is English, outside the site's layout). The 403 and
  404 pages are Django's handlers with the site's templates (403.html, 404.html).
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from django.http import HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

HEADER = "X-Request-ID"
VALID_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
NO_REQUEST = "-"

_current: ContextVar[str] = ContextVar("parindex_request_id", default=NO_REQUEST)


def current_request_id() -> str:
    """The id of the request being served in this thread or task, "-" outside a request."""
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if VALID_ID.fullmatch(incoming) else new_request_id()
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to a record (for the "%(request_id)s" of the log format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            request = getattr(record, "request", None)  # django.request passes the request
            record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True


def _request_id(request) -> str:
    return getattr(request, "request_id", None) or current_request_id()


def _render(template_name: str, request_id: str, fallback: str) -> str:
    """The page, rendered without the request (no context processor, no database); the bare
    fallback if even that fails."""
    try:
        return loader.get_template(template_name).render({"request_id": request_id})
    except Exception:  # the error page must never fail in turn
        logging.getLogger("parindex.web").exception("the error page %s failed", template_name)
        return fallback % {"request_id": request_id}


def server_error(request, template_name: str = "500.html"):
    request_id = _request_id(request)
    if request_id == NO_REQUEST:  # failed before the middleware ran: still give an id
        request_id = new_request_id()
    html = _render(
        template_name,
        request_id,
        "<h1>Lỗi máy chủ / Server error</h1><p>Mã yêu cầu / Request id: %(request_id)s</p>",
    )
    response = HttpResponseServerError(html)
    response[HEADER] = request_id
    return response


def bad_request(request, exception=None, template_name: str = "400.html"):
    request_id = _request_id(request)
    html = _render(
        template_name,
        request_id,
        "<h1>Yêu cầu không hợp lệ / Bad request</h1><p>Mã yêu cầu / Request id: %(request_id)s</p>",
    )
    return HttpResponseBadRequest(html)


def csrf_failure(request, reason: str = ""):
    """A form sent without a valid CSRF token (left open too long, or sent after logging in or
    out in another tab): the page says so in the user's language; the reason goes to the log."""
    logging.getLogger("parindex.web").warning("CSRF check failed: %s", reason)
    return render(request, "403_csrf.html", {"request_id": _request_id(request)}, status=403)
