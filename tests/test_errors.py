"""Every server error is logged with a request id that the error page shows the user, and the
error pages need no database. No `db` mark: pytest-django refuses any database access here."""

import io
import logging
import re

import pytest
from django.test import Client
from django.urls import get_resolver

from parindex.web.requestid import RequestIdFilter, current_request_id

pytestmark = pytest.mark.urls("urls_errors")

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def request_log(caplog):
    """django.request does not propagate to the root logger (it has its own stderr handler):
    listen to it directly."""
    logger = logging.getLogger("django.request")
    logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)


def test_a_500_shows_and_logs_the_request_id(client, request_log):
    response = client.get("/test-only/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert HEX_ID.fullmatch(request_id)
    page = response.content.decode()
    assert request_id in page
    assert "Đã xảy ra lỗi" in page and "An error occurred" in page
    [record] = [r for r in request_log.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR and record.request_id == request_id
    assert record.exc_info and "boom" in str(record.exc_info[1])


def test_the_log_line_carries_the_id_and_the_traceback(client):
    """The LOGGING of the settings: a line on stderr with the id, then the traceback."""
    handler = logging.getLogger("django.request").handlers[0]
    stream, handler.stream = handler.stream, io.StringIO()
    try:
        response = client.get("/test-only/boom/")
        text = handler.stream.getvalue()
    finally:
        handler.stream = stream
    assert f"ERROR [{response['X-Request-ID']}] django.request: Internal Server Error" in text
    assert "Traceback" in text and "RuntimeError: boom" in text


def test_a_sane_incoming_id_is_kept_and_a_hostile_one_replaced(client):
    kept = client.get("/test-only/boom/", headers={"X-Request-ID": "proxy-1234-abcd"})
    assert kept["X-Request-ID"] == "proxy-1234-abcd"
    assert "proxy-1234-abcd" in kept.content.decode()
    for hostile in ("<script>alert(1)</script>", "a" * 65, "id with spaces", ""):
        response = client.get("/test-only/boom/", headers={"X-Request-ID": hostile})
        assert HEX_ID.fullmatch(response["X-Request-ID"]), hostile
        assert "<script>alert" not in response.content.decode()


def test_a_400_shows_the_request_id(client):
    response = client.get("/test-only/suspicious/")
    assert response.status_code == 400
    assert response["X-Request-ID"] in response.content.decode()
    assert "Bad request" in response.content.decode()


def test_every_response_has_an_id_and_ids_differ(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert HEX_ID.fullmatch(first["X-Request-ID"]) and HEX_ID.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_site_urlconf_wires_the_handlers():
    from parindex.web import requestid

    resolver = get_resolver("parindex.urls")
    assert resolver.resolve_error_handler(500) is requestid.server_error
    assert resolver.resolve_error_handler(400) is requestid.bad_request


def test_records_outside_a_request_get_a_dash():
    record = logging.LogRecord("parindex", logging.INFO, __file__, 1, "hello", None, None)
    assert RequestIdFilter().filter(record) and record.request_id == "-" == current_request_id()


# --- the pages people see: their language, the site's layout, a way back ---------------------

ENGLISH = {"django_language": "en"}


def _page(client, url, language="vi", method="get"):
    if language == "en":
        client.cookies.load(ENGLISH)
    response = getattr(client, method)(url)
    return response, response.content.decode()


@pytest.mark.parametrize(
    ("url", "status", "vi", "en"),
    [
        ("/no-such-page/", 404, "Không tìm thấy trang", "Page not found"),
        ("/test-only/forbidden/", 403, "Không được phép", "Not allowed"),
    ],
)
def test_not_found_and_forbidden_in_the_sites_layout_with_a_way_back(url, status, vi, en):
    for language, heading in (("vi", vi), ("en", en)):
        response, page = _page(Client(), url, language)
        assert response.status_code == status
        assert f"<h1>{heading}</h1>" in page, (language, page)
        assert 'class="top"' in page and "app.css" in page  # the site's header and styles
        assert 'href="/accounts/login/"' in page  # an anonymous visitor: back to the login
        assert f'lang="{language}"' in page


def test_a_failed_csrf_check_is_the_sites_page_not_djangos():
    for language, heading, text in (
        ("vi", "Biểu mẫu đã hết hạn", "Không có gì được lưu"),
        ("en", "The form has expired", "Nothing was saved"),
    ):
        client = Client(enforce_csrf_checks=True)
        response, page = _page(client, "/i18n/setlang/", language, method="post")
        assert response.status_code == 403
        assert f"<h1>{heading}</h1>" in page and text in page
        assert "CSRF verification failed" not in page and 'class="top"' in page
        assert response["X-Request-ID"] in page


@pytest.mark.django_db
def test_a_logged_in_person_goes_back_to_their_home_page():
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.create_user("alice"))
    page = client.get("/no-such-page/").content.decode()
    assert 'href="/"' in page and "Về trang chủ" in page and "Không tìm thấy trang" in page
    assert "alice" in page  # the header of a logged-in person


@pytest.mark.parametrize("url", ["/test-only/boom/", "/test-only/suspicious/"])
def test_server_and_bad_request_pages_look_like_the_site_in_both_languages(client, url):
    page = client.get(url).content.decode()
    assert 'class="top"' in page and "app.css" in page
    assert "Về trang chủ · Home page" in page and 'href="/"' in page
    assert '<p lang="en">' in page  # the English text beside the Vietnamese
