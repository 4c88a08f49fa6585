from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("parindex.web.urls")),
]

# Error pages that show the request id and need no database (parindex.web.requestid).
handler400 = "parindex.web.requestid.bad_request"
handler500 = "parindex.web.requestid.server_error"
