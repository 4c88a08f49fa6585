"""The Django admin: reference data for superusers only (everyone else uses the pages)."""

from django.contrib import admin

from parindex.assessments.models import Round, UnitAssessment
from parindex.frameworks.models import Framework
from parindex.units.models import Membership, PeerGroup, Unit


def _superusers_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "group")
    search_fields = ("code", "name")
    list_filter = ("group",)


@admin.register(PeerGroup)
class PeerGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role")
    list_filter = ("role",)
    autocomplete_fields = ("unit",)


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    """Read-only: frameworks change through their files (`parindex framework import`)."""

    list_display = ("code", "year", "status", "title")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("title", "framework", "owner", "self_due", "appraisal_due")

    def has_add_permission(self, request):
        return False  # rounds are opened by the officer's action, which records events


@admin.register(UnitAssessment)
class UnitAssessmentAdmin(admin.ModelAdmin):
    """Appraiser assignments; the state changes only through the workflow actions."""

    list_display = ("round", "unit", "state")
    list_filter = ("state", "round")
    fields = ("round", "unit", "state", "appraisers")
    readonly_fields = ("round", "unit", "state")
    filter_horizontal = ("appraisers",)

    def has_add_permission(self, request):
        return False
