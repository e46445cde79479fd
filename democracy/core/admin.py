"""The Django admin as a guarded back office: staff flag, model permissions and TOTP."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from democracy.core.models import AuditEntry, EditorialText, StaffAlert
from democracy.core.permissions import (
    has_active_second_factor,
    has_role,
    second_factor_setup_redirect,
)
from democracy.core.roles import Role
from democracy.core.translations import TranslatedAdminMixin
from democracy.people.adminmixins import AuditedAdmin
from proposals import rules


def guard_admin_site(site: admin.AdminSite) -> None:
    """Make ``site`` demand an active second factor and sign in through allauth."""

    def may_use_back_office(user) -> bool:
        # The diary editor's role opens the back office without the staff flag as well.
        return user.is_active and (user.is_staff or has_role(user, Role.DIARY_EDITOR))

    def has_permission(request):
        user = request.user
        return bool(may_use_back_office(user) and has_active_second_factor(user))

    def login(request, extra_context=None):
        user = request.user
        if user.is_authenticated and may_use_back_office(user):
            # Staff, signed in, but refused by has_permission: the second factor is missing.
            return second_factor_setup_redirect(request)
        if user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))

    site.has_permission = has_permission
    site.login = login
    site.site_header = "Delta"
    site.site_title = "Delta"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "created_at", "actor_label", "action", "target_label")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "target_label", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffAlert)
class StaffAlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "role", "kind", "message", "acknowledged_at")
    list_filter = ("role", "kind")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EditorialText)
class EditorialTextAdmin(TranslatedAdminMixin, AuditedAdmin):
    """The municipality's own texts on the start page and the e-proposal rules, in each
    language; a text left empty shows Delta's own (decision 89)."""

    list_display = ("key", "updated_at")
    fields = ("key", "text")
    rich_text_fields = ("text",)
    translated_fields = ("text",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "text":
            now = rules.current()
            formfield.help_text = _(
                "Empty: the page shows Delta's own text. Paragraphs, lists, links and bold "
                "text are kept. The rules in force: %(threshold)s signatures, %(days)s days "
                "to sign, %(treatment)s days for the committee to decide; keep your text "
                "the same."
            ) % {
                "threshold": now.signature_threshold,
                "days": now.signing_days,
                "treatment": now.treatment_days,
            }
        return formfield
