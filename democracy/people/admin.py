from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from democracy.core.translations import TranslatedAdminMixin
from democracy.people.adminmixins import AuditedAdmin, AuditedInlineMixin
from democracy.people.models import ContactDetail, Membership, Organization, Person, Term


@admin.register(Term)
class TermAdmin(AuditedAdmin):
    list_display = ("name", "start_date", "end_date")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


class ChildOrganizationInline(AuditedInlineMixin, admin.TabularInline):
    model = Organization
    fk_name = "parent"
    fields = ("name", "short_name", "slug", "classification")
    extra = 0
    verbose_name = _("sub-body")
    verbose_name_plural = _("sub-bodies")
    show_change_link = True


class OrganizationMembershipInline(AuditedInlineMixin, admin.TabularInline):
    """The body's assignments that have not ended; ended ones are in the assignment list (a
    council gathers hundreds over its terms, which made this page too large to use)."""

    model = Membership
    fk_name = "organization"
    fields = ("person", "role", "on_behalf_of", "term", "substitute_order", "start_date", "end_date")
    autocomplete_fields = ("person", "on_behalf_of")
    extra = 0
    show_change_link = True
    verbose_name_plural = _("current and coming assignments")

    def get_queryset(self, request):
        today = localdate()
        return (
            super()
            .get_queryset(request)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .select_related("person", "on_behalf_of", "term")
        )


@admin.register(Organization)
class OrganizationAdmin(TranslatedAdminMixin, AuditedAdmin):
    list_display = ("name", "short_name", "classification", "parent", "registry_series", "sort_order")
    list_filter = ("classification", "meetings_public_default")
    search_fields = ("name", "short_name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    list_editable = ("sort_order",)
    fieldsets = (
        (None, {"fields": ("name", "short_name", "slug", "classification", "parent", "description")}),
        (
            _("Contact and registry"),
            {"fields": ("email", "registry_email", "registry_series", "meetings_public_default")},
        ),
        (
            _("Other"),
            {"fields": ("color", "founding_date", "dissolution_date", "sort_order", "popolo_id")},
        ),
        (_("Assignments"), {"fields": ("assignments",)}),
    )
    readonly_fields = ("assignments",)
    inlines = [ChildOrganizationInline, OrganizationMembershipInline]
    # The description in each configured language after the Swedish one (decision 89).
    translated_fields = ("description",)

    @admin.display(description=_("All assignments"))
    def assignments(self, obj):
        if obj.pk is None:
            return "–"
        count = obj.memberships.count()
        return format_html(
            '<a href="{}?organization__id__exact={}">{}</a>',
            reverse("admin:people_membership_changelist"),
            obj.pk,
            ngettext(
                "%(count)s assignment in all, also ended ones",
                "%(count)s assignments in all, also ended ones",
                count,
            )
            % {"count": count},
        )


class ContactDetailInline(AuditedInlineMixin, admin.StackedInline):
    model = ContactDetail
    extra = 0
    fields = (
        ("type", "value", "label"),
        "note",
        ("is_official", "publish"),
        ("consent_given_at", "consent_source"),
        ("valid_from", "valid_until"),
    )


class PersonMembershipInline(AuditedInlineMixin, admin.TabularInline):
    model = Membership
    fk_name = "person"
    fields = (
        "organization", "role", "on_behalf_of", "term", "substitute_order", "start_date", "end_date",
    )
    autocomplete_fields = ("organization", "on_behalf_of")
    extra = 0


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ("name", "sort_name", "is_protected", "slug")
    list_filter = ("is_protected", "memberships__organization__classification")
    search_fields = ("given_name", "family_name", "sort_name", "slug")
    prepopulated_fields = {"slug": ("given_name", "family_name")}
    raw_id_fields = ("user",)
    rich_text_fields = ("biography",)
    fieldsets = (
        (None, {"fields": ("given_name", "family_name", "sort_name", "slug", "is_protected")}),
        (_("Presentation"), {"fields": ("image", "image_alt", "biography", "gender")}),
        (_("Other"), {"fields": ("user", "image_url", "popolo_id")}),
    )
    inlines = [ContactDetailInline, PersonMembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("person", "organization", "role", "on_behalf_of", "term", "start_date", "end_date")
    list_filter = ("role", "term", "organization__classification", "organization")
    search_fields = ("person__given_name", "person__family_name", "organization__name")
    autocomplete_fields = ("person", "organization", "on_behalf_of")
    list_select_related = ("person", "organization", "on_behalf_of", "term")


@admin.register(ContactDetail)
class ContactDetailAdmin(AuditedAdmin):
    list_display = ("person", "type", "value", "is_official", "publish", "consent_given_at", "valid_until")
    list_filter = ("type", "publish", "is_official")
    search_fields = ("person__given_name", "person__family_name", "value")
    autocomplete_fields = ("person",)
    list_select_related = ("person",)
