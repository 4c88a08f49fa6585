"""The web UI's addresses: each page module lists its own (`urls`), assembled here."""

from django.urls import path

from parindex.web import (
    dashboards,
    documents,
    home,
    improvement,
    people,
    plans,
    register_import,
    register_rows,
    registers,
    rounds,
    views,
)

app_name = "web"

urlpatterns = [
    *home.urls,
    *rounds.urls,
    *people.urls,
    *improvement.urls,
    *plans.urls,
    *documents.urls,
    *dashboards.urls,
    *register_import.urls,  # before registers/<code>/<year>/
    *registers.urls,
    *register_rows.urls,  # registers/<code>/<kind>/ after registers/<code>/<year>/
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
    path("healthz", views.healthz, name="healthz"),
]
