"""Security settings: passwords, login throttling, the Content Security Policy, cookies and
headers, HTTPS behind the proxy, evidence downloads, oversized requests."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from helpers import assessment

from parindex.assessments.access import access_for
from parindex.assessments.criteria import EvidenceInfo, upload_evidence

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def log_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- passwords ------------------------------------------------------------------------------


def test_weak_passwords_are_refused():
    for weak in ("short1", "1234567890", "password123", "matkhau"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Sở-Y-tế-cải-cách-2025")  # long and uncommon: accepted


def test_demo_accounts_bypass_the_validators_and_still_log_in(client):
    from django.contrib.auth import get_user_model

    from parindex.library.accounts import DEMO_ACCOUNTS, load_demo_accounts
    from parindex.library.demo import load_demo

    load_demo()
    load_demo_accounts()
    account = DEMO_ACCOUNTS[0]
    user = get_user_model().objects.get(username=account.username)
    with pytest.raises(ValidationError):  # "chuyenvien-demo" is too close to the user name
        validate_password(account.password, user)
    response = log_in(client, account.username, account.password)
    assert response.status_code == 302 and logged_in(client)


# --- login throttling -----------------------------------------------------------------------


def test_too_many_wrong_passwords_lock_the_user_out_with_a_clear_message(people):
    client = english(Client())
    for _ in range(200):
        log_in(client, "alice", "wrong")
    response = log_in(client, "alice", "alice-pw")
    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "You entered a wrong password too many times" in page
    assert "30 minutes" in page and "CCHC officer" in page
    assert "<header" in page  # the site's frame, not a bare text


def test_the_lockout_speaks_vietnamese_first(people):
    client = Client()  # no language chosen: the site's default
    for _ in range(6):
        log_in(client, "alice", "wrong")
    response = log_in(client, "alice", "alice-pw")
    assert response.status_code == 429
    assert '<html lang="vi">' in response.content.decode()


def test_another_user_at_the_same_address_is_not_locked(people):
    client = Client()
    for _ in range(10):
        log_in(client, "alice", "wrong")
    assert log_in(client, "alice", "alice-pw").status_code == 429
    other = Client()  # same address (127.0.0.1), another user name
    assert log_in(other, "bob", "bob-pw").status_code == 302
    assert logged_in(other)


def test_a_success_resets_the_count(people):
    client = Client()
    for _ in range(4):
        log_in(client, "alice", "wrong")
    assert log_in(client, "alice", "alice-pw").status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "alice", "wrong")
    assert log_in(client, "alice", "alice-pw").status_code == 302  # 4 + 4 never reached 5


def test_a_wrong_password_still_shows_the_login_form(people):
    response = log_in(english(Client()), "alice", "wrong")
    assert response.status_code == 200
    assert "did not match" in response.content.decode()


# --- Content Security Policy, headers, cookies -----------------------------------------------


def pages(round_):
    a = assessment(round_, "A")
    return [
        "/accounts/login/",
        "/",
        f"/assessments/{a.pk}/",
        f"/assessments/{a.pk}/criteria/1.1/",
        f"/rounds/{round_.pk}/",
        f"/dashboard/{round_.framework.code}/A/",
        "/healthz",
        "/no-such-page/",
    ]


def test_every_page_has_the_content_security_policy_and_the_headers(client, people, round_):
    client.force_login(people["erin"])
    for url in pages(round_):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        policy = response["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ):
            assert directive in policy, (url, directive)
        assert "unsafe" not in policy
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Content-Type-Options"] == "nosniff", url


def test_the_login_and_lockout_pages_have_no_inline_script_or_style(people):
    client = Client()
    for page in (client.get("/accounts/login/"), log_in(client, "alice", "wrong")):
        html = page.content.decode()
        assert "style=" not in html and "onchange=" not in html and "onclick=" not in html
        assert "<script>" not in html  # every script has a src (or is JSON data)
    assert 'name="htmx-config"' in html and '"includeIndicatorStyles": false' in html


def test_without_https_the_cookies_are_not_secure_and_last_a_working_day(people):
    client = Client()
    response = client.get("/accounts/login/")
    assert response.cookies["csrftoken"]["secure"] == ""
    response = log_in(client, "alice", "alice-pw")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] == "" and cookie["httponly"] is True
    assert cookie["max-age"] == 9 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == 9 * 60 * 60


def run_settings(env_extra: dict, code: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "SECRET_KEY", "DEBUG", "PARINDEX_HTTPS"))
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, *code], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.cli
def test_https_mode_passes_the_deployment_check(tmp_path):
    result = run_settings(
        {"PARINDEX_HTTPS": "1", "PARINDEX_DATA_DIR": str(tmp_path)},
        ["-m", "parindex", "check", "--deploy", "--fail-level", "WARNING"],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr and "?:" not in result.stderr, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.cli
def test_https_mode_turns_on_secure_cookies_hsts_and_the_proxy_header(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'parindex.settings'; "
        "django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER)"
    )
    on = run_settings({"PARINDEX_HTTPS": "1", "PARINDEX_DATA_DIR": str(tmp_path)}, ["-c", code])
    assert on.stdout.split(None, 5) == [
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')\n",
    ]
    off = run_settings({"PARINDEX_DATA_DIR": str(tmp_path)}, ["-c", code])
    assert off.stdout.split()[:4] == ["False", "False", "False", "0"]


def test_behind_the_proxy_https_is_taken_from_the_proxys_header(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()  # a new handler: the security middleware reads the settings anew
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    assert client.get("/healthz").status_code == 200  # the proxy's probe over plain HTTP


def test_behind_the_proxy_the_client_address_is_the_one_the_proxy_appended(rf):
    from parindex.web.limits import client_ip_behind_proxy

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="127.0.0.1")
    assert client_ip_behind_proxy(request) == "10.1.2.3"  # the first one could be forged
    assert client_ip_behind_proxy(rf.get("/", REMOTE_ADDR="10.9.9.9")) == "10.9.9.9"


# --- evidence downloads ---------------------------------------------------------------------


def stored(people, round_, name, data):
    return upload_evidence(
        access_for(people["alice"], assessment(round_, "A")),
        SimpleUploadedFile(name, data),
        EvidenceInfo("Báo cáo"),
        ["1.1"],
    )


def download(client, evidence):
    response = client.get(reverse("web:evidence", args=[evidence.pk]) + "?download=1")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize(
    "name, data, offered, content_type",
    [
        ("bao-cao.exe", PDF, "bao-cao.pdf", "application/pdf"),
        ("scan", PNG, "scan.png", "image/png"),
        ("ke-hoach.PDF", PDF, "ke-hoach.pdf", "application/pdf"),
        ("Quyết định 12.2024", PDF, "Quyết định 12.2024.pdf", "application/pdf"),
        ("anh.png.html", PNG, "anh.png.png", "image/png"),
    ],
)
def test_the_download_name_ends_with_the_detected_type(
    client, people, round_, name, data, offered, content_type
):
    from urllib.parse import quote

    evidence = stored(people, round_, name, data)
    client.force_login(people["alice"])
    response = download(client, evidence)
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="{offered}"' in disposition or quote(offered) in disposition, disposition


def test_evidence_is_private_never_sniffed_and_sandboxed(client, people, round_):
    evidence = stored(people, round_, "kh.pdf", PDF)
    client.force_login(people["carol"])
    response = download(client, evidence)
    assert response["Cache-Control"] == "private, max-age=0"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"  # not replaced by the site's


# --- oversized requests ---------------------------------------------------------------------


def test_a_body_larger_than_the_evidence_limit_is_refused_before_it_is_read(client, people, round_):
    client.force_login(people["alice"])
    english(client)
    url = reverse("web:upload", args=[assessment(round_, "A").pk, "1.1"])
    too_big = settings.EVIDENCE_MAX_BYTES + 2 * 1024 * 1024
    # The declared length is what counts: the body is never read (here it is tiny).
    response = client.generic(
        "POST",
        url,
        b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(too_big),
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode() and "20 MB" in response.content.decode()
    from parindex.assessments.models import Evidence

    assert not Evidence.objects.exists()


def test_a_body_of_undeclared_length_is_refused(client, people, round_):
    client.force_login(people["alice"])
    url = reverse("web:upload", args=[assessment(round_, "A").pk, "1.1"])
    response = english(client).generic(
        "POST", url, b"x" * 10, content_type="text/plain", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert response.status_code == 411
    assert "does not say how long" in response.content.decode()


def test_a_body_within_the_limit_goes_through(client, people, round_):
    client.force_login(people["alice"])
    url = reverse("web:upload", args=[assessment(round_, "A").pk, "1.1"])
    response = client.post(url, {"file": SimpleUploadedFile("kh.pdf", PDF), "title": "Kế hoạch"})
    assert response.status_code == 302
