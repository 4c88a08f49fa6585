from django.urls import path

from parindex.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("assessments/<int:pk>/", views.grid, name="grid"),
    path("assessments/<int:pk>/action/", views.take_action, name="action"),
    path("assessments/<int:pk>/sheet/", views.grid_sheet, name="sheet"),
    path("assessments/<int:pk>/extend/", views.extend, name="extend"),
    path("assessments/<int:pk>/inputs/<str:name>/", views.save_value, name="value"),
    path("assessments/<int:pk>/criteria/<str:code>/", views.criterion, name="criterion"),
    path("assessments/<int:pk>/criteria/<str:code>/points/", views.save_points, name="points"),
    path("assessments/<int:pk>/criteria/<str:code>/note/", views.save_note, name="note"),
    path("assessments/<int:pk>/criteria/<str:code>/upload/", views.upload, name="upload"),
    path("assessments/<int:pk>/criteria/<str:code>/link/", views.link, name="link"),
    path("assessments/<int:pk>/links/<int:link_id>/unlink/", views.unlink, name="unlink"),
    path("assessments/<int:pk>/links/<int:link_id>/review/", views.review, name="review"),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
    path("dashboard/<slug:framework>/<str:unit>/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
]
