"""Back-office lists for e-proposals' reference data. Changes to proposals themselves go
through the moderation pages (services, audit log), so proposals are read-only here."""

from django.contrib import admin

from democracy.core.translations import TranslatedAdminMixin
from proposals.models import District, Proposal, RejectionReason, Topic


@admin.register(Topic)
class TopicAdmin(TranslatedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "sort_order"]
    prepopulated_fields = {"slug": ["name"]}
    # One input per configured language after the Swedish name (decision 89).
    translated_fields = ("name",)


@admin.register(District)
class DistrictAdmin(TranslatedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "sort_order"]
    prepopulated_fields = {"slug": ["name"]}
    translated_fields = ("name",)


@admin.register(RejectionReason)
class RejectionReasonAdmin(TranslatedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "public", "active", "sort_order"]
    translated_fields = ("title", "description")


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "closes_at", "case"]
    list_filter = ["status"]
    search_fields = ["title", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
