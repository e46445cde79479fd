"""The back office's common behaviour: the diary editor's role opens it, and every change is
written to the audit log (decided in docs/decisions.md: the Django admin is the back office).

The role check sits beside Django's model permissions (which a data migration also grants to
the ``diary_editor`` group), so the admin works the same whether or not the permission rows
exist, for instance after a test flushed them.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect
from django.db import models
from django.utils.translation import gettext as _

from democracy.core.adminchecks import is_key
from democracy.core.permissions import has_role
from democracy.core.roles import Role
from democracy.core.sanitize import clean_html
from democracy.core.services import audit_log
from democracy.people.services import record_delete


def is_diary_editor(request) -> bool:
    return has_role(request.user, Role.DIARY_EDITOR)


def audit_action(obj, verb: str) -> str:
    return f"{obj._meta.label_lower}.{verb}"


class ValidatedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget looks the submitted value up again to show it when the form
    comes back with errors; a value that is no key at all (typed into the request by hand)
    made that lookup raise a server error. Such a value is shown as nothing chosen, and the
    form field itself reports it as an invalid choice."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(remote.field_name)
        return super().optgroups(name, [v for v in value if is_key(target, v)], attr)


class RichTextField(forms.CharField):
    """Rich text typed in the back office: cleaned by the one sanitiser on the way in, as the
    services clean what they are given, so the stored row (which the API and the Popolo
    export hand out as it is) never holds markup the allowlist refuses."""

    def clean(self, value):
        return clean_html(super().clean(value))


class EditorPermissionsMixin:
    # Addresses typed without a scheme are taken as https:// (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Fields shown as HTML on the public pages (with the ``rich_text`` filter).
    rich_text_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.rich_text_fields:
            kwargs.setdefault("form_class", RichTextField)
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if isinstance(widget, AdminSplitDateTime):
            # The date and the time box have no label of their own (the field's label names
            # neither): each is named after the field, "Börjar: datum" (WCAG 1.3.1, 4.1.2).
            date_widget, time_widget = widget.widgets
            label = formfield.label
            date_widget.attrs["aria-label"] = _("%(field)s: date") % {"field": label}
            time_widget.attrs["aria-label"] = _("%(field)s: time") % {"field": label}
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidatedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return is_diary_editor(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_diary_editor(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_diary_editor(request) or super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_diary_editor(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_diary_editor(request) or super().has_delete_permission(request, obj)


class AuditedInlineMixin(EditorPermissionsMixin):
    pass


class AuditedAdmin(EditorPermissionsMixin, admin.ModelAdmin):
    """A ModelAdmin whose every save, delete and inline change leaves an audit entry."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_log(
            actor=request.user,
            action=audit_action(obj, "change" if change else "create"),
            target=obj,
            data={"fields": list(form.changed_data), "via": "admin"},
        )

    def delete_model(self, request, obj):
        record_delete(instance=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_delete(instance=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_delete(instance=obj, actor=request.user)
        changed_forms = {id(f.instance): f for f in formset.forms if f.has_changed()}
        for obj in instances:
            inline_form = changed_forms.get(id(obj))
            created = obj.pk is None
            self.save_inline_object(request, obj, inline_form, created)
        formset.save_m2m()

    def save_inline_object(self, request, obj, inline_form, created: bool) -> None:
        obj.save()
        audit_log(
            actor=request.user,
            action=audit_action(obj, "create" if created else "change"),
            target=obj,
            data={
                "fields": list(inline_form.changed_data) if inline_form else [],
                "via": "admin",
            },
        )
