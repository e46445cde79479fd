from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
    model = Membership
    fk_name = "organization"
    fields = ("person", "role", "on_behalf_of", "term", "substitute_order", "start_date", "end_date")
    autocomplete_fields = ("person", "on_behalf_of")
    extra = 0
    show_change_link = True


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
    )
    inlines = [ChildOrganizationInline, OrganizationMembershipInline]
    # The description in each configured language after the Swedish one (decision 89).
    translated_fields = ("description",)


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
