from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from democracy.core.services import audit_log
from democracy.diary import services
from democracy.diary.models import AgendaItem, Case, Document, Meeting, PartyVote
from democracy.people.adminmixins import AuditedAdmin, AuditedInlineMixin, audit_action


def save_agenda_item(request, item: AgendaItem, changed: list[str], created: bool) -> None:
    """Save an agenda item edited in the admin; a decision goes through the service.

    ``agenda_item_record_decision`` moves the case along, audit-logs the decision and tells
    e-proposals after commit (``agenda_item_decided``), exactly as outside the admin.
    """
    decision_changed = bool({"outcome", "decision_text"} & set(changed)) and bool(item.outcome)
    outcome, decision_text = item.outcome, item.decision_text
    if decision_changed:
        if created:
            item.outcome, item.decision_text = "", ""
        else:
            stored = AgendaItem.objects.get(pk=item.pk)
            item.outcome, item.decision_text = stored.outcome, stored.decision_text
    item.save()
    if item.case is not None and (created or "case" in changed):
        # The case is on this agenda now (Case.TRANSITIONS), as through agenda_item_add.
        services.case_put_on_agenda(case=item.case, actor=request.user)
    other = [name for name in changed if name not in ("outcome", "decision_text")]
    if created or other or not decision_changed:
        audit_log(
            actor=request.user,
            action=audit_action(item, "create" if created else "change"),
            target=item,
            data={"fields": changed, "via": "admin"},
        )
    if decision_changed:
        services.agenda_item_record_decision(
            item=item, outcome=outcome, decision_text=decision_text, actor=request.user
        )


class DocumentAdminForm(forms.ModelForm):
    """Holds a document to the rule of ``services.document_add``: a withheld document names
    its legal ground and keeps no text (its text is not public, so Delta does not hold it)."""

    class Meta:
        model = Document
        fields = [
            "kind", "title", "meeting", "agenda_item", "case", "file", "text", "minutes_version",
            "published_on", "registry_document_id", "public", "withheld_ground",
        ]

    def clean(self):
        cleaned = super().clean()
        public = cleaned.get("public", True)
        refusal = services.document_refusal(
            public=public, withheld_ground=cleaned.get("withheld_ground", "")
        )
        if refusal:
            self.add_error("withheld_ground", refusal)
        if not public:
            cleaned["text"] = ""
        return cleaned


class DocumentInline(AuditedInlineMixin, admin.StackedInline):
    model = Document
    form = DocumentAdminForm
    extra = 0
    rich_text_fields = ("text",)
    fields = (
        ("kind", "title"),
        ("file", "minutes_version", "published_on"),
        "text",
        ("public", "withheld_ground", "registry_document_id"),
    )


class MeetingDocumentInline(DocumentInline):
    fk_name = "meeting"
    exclude = ("agenda_item", "case")


class CaseDocumentInline(DocumentInline):
    fk_name = "case"


class AgendaItemDocumentInline(DocumentInline):
    fk_name = "agenda_item"


class AgendaItemAdminForm(forms.ModelForm):
    """Refuses a decision the service would refuse (``services.decision_refusal``)."""

    class Meta:
        model = AgendaItem
        fields = [
            "meeting", "position", "paragraph", "title", "case", "public", "proposal_text",
            "outcome", "decision_text",
        ]

    def clean(self):
        cleaned = super().clean()
        decision_changed = {"outcome", "decision_text"} & set(self.changed_data)
        meeting = cleaned.get("meeting") or getattr(self.instance, "meeting", None)
        case = cleaned.get("case")
        if case is not None and (not self.instance.pk or "case" in self.changed_data):
            refusal = services.agenda_refusal(case)
            if refusal:
                self.add_error("case", refusal)
        if cleaned.get("outcome") and decision_changed and meeting is not None:
            refusal = services.decision_refusal(meeting, case=case)
            if refusal:
                self.add_error("outcome", refusal)
        return cleaned


class AgendaItemInline(AuditedInlineMixin, admin.StackedInline):
    model = AgendaItem
    form = AgendaItemAdminForm
    extra = 1
    fields = (
        ("position", "paragraph", "public"),
        "title",
        "case",
        "proposal_text",
        ("outcome", "decision_text"),
    )
    autocomplete_fields = ("case",)
    show_change_link = True
    ordering = ("position",)


class MeetingAdminForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "organization", "term", "year", "number", "title", "start", "end", "location",
            "address", "webcast_url", "status", "publicity", "status_note",
            "notice_published_on", "public_announcement_on", "minutes_adjusted_on",
            "minutes_announced_on",
        ]

    webcast_url = forms.URLField(
        label=Meeting._meta.get_field("webcast_url").verbose_name,
        required=False,
        assume_scheme="https",
    )

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("status")  # absent when the value was no valid status at all
        if self.instance.pk and new and "status" in self.changed_data:
            refusal = services.meeting_status_refusal(old=self.initial.get("status"), to=new)
            if refusal:
                self.add_error("status", refusal)
        # The same rules as diary.services.meeting_record_minutes: the appeal deadline shown to
        # the public follows from these dates.
        start, adjusted = cleaned.get("start"), cleaned.get("minutes_adjusted_on")
        announced = cleaned.get("minutes_announced_on")
        if announced and (adjusted is None or announced < adjusted):
            self.add_error(
                "minutes_announced_on",
                _("The minutes cannot be announced before they are approved."),
            )
        if adjusted and start and adjusted < timezone.localtime(start).date():
            self.add_error(
                "minutes_adjusted_on", _("The minutes cannot be approved before the meeting.")
            )
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    form = MeetingAdminForm
    list_display = ("__str__", "organization", "start", "status", "publicity", "minutes_announced_on")
    list_filter = ("status", "publicity", "organization", "year")
    search_fields = ("title", "organization__name", "location")
    date_hierarchy = "start"
    list_select_related = ("organization",)
    autocomplete_fields = ("organization",)
    readonly_fields = ("original_start", "appeal_deadline_display")
    fieldsets = (
        (None, {"fields": ("organization", "term", ("year", "number"), "title")}),
        (
            _("Time and place"),
            {"fields": (("start", "end"), "original_start", ("location", "address"), "webcast_url")},
        ),
        (_("Status"), {"fields": (("status", "publicity"), "status_note")}),
        (
            _("Notice and minutes"),
            {
                "fields": (
                    ("notice_published_on", "public_announcement_on"),
                    ("minutes_adjusted_on", "minutes_announced_on"),
                    "appeal_deadline_display",
                )
            },
        ),
    )
    inlines = [AgendaItemInline, MeetingDocumentInline]
    actions = ["cancel_meetings"]

    @admin.display(description=_("last day to appeal"))
    def appeal_deadline_display(self, obj):
        # Written out as on the public meeting page, so the editor sees what residents see.
        return date_format(obj.appeal_deadline, "l j F Y") if obj.appeal_deadline else "–"

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # The status goes through the state machine (services.meeting_transition); the other
        # fields are saved first with the status as it was.
        old_status = form.initial.get("status", obj.status)
        new_status = obj.status
        if "start" in form.changed_data:
            # Moving a meeting keeps its first planned start, so the public sees where it was.
            if obj.original_start is None:
                obj.original_start = form.initial["start"]
            moved = Meeting.Status.MOVED
            if new_status in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED) and not (
                services.meeting_status_refusal(old=old_status, to=moved)
            ):
                new_status = moved
        obj.status = old_status
        super().save_model(request, obj, form, change)
        if new_status != old_status:
            try:
                services.meeting_transition(meeting=obj, to=new_status, actor=request.user)
            except services.DiaryError as error:  # changed meanwhile by someone else
                self.message_user(request, str(error), messages.ERROR)

    def save_inline_object(self, request, obj, inline_form, created):
        if isinstance(obj, AgendaItem):
            changed = list(inline_form.changed_data) if inline_form else []
            save_agenda_item(request, obj, changed, created)
        else:
            super().save_inline_object(request, obj, inline_form, created)

    @admin.action(description=_("Cancel the selected meetings"))
    def cancel_meetings(self, request, queryset):
        done = 0
        for meeting in queryset:
            try:
                services.meeting_cancel(meeting=meeting, actor=request.user)
                done += 1
            except services.DiaryError as error:
                self.message_user(request, f"{meeting}: {error}", messages.WARNING)
        if done:
            self.message_user(request, _("%(count)d meeting(s) cancelled.") % {"count": done})


class PartyVoteInline(AuditedInlineMixin, admin.TabularInline):
    model = PartyVote
    extra = 0
    autocomplete_fields = ("party",)


@admin.register(AgendaItem)
class AgendaItemAdmin(AuditedAdmin):
    form = AgendaItemAdminForm
    list_display = ("title", "meeting", "position", "case", "outcome")
    list_filter = ("outcome", "public", "meeting__organization")
    search_fields = ("title", "proposal_text", "decision_text", "case__title")
    list_select_related = ("meeting__organization", "case")
    autocomplete_fields = ("meeting", "case")
    readonly_fields = ("decided_at",)
    fields = (
        ("meeting", "position", "paragraph"),
        "title",
        "case",
        "public",
        "proposal_text",
        ("outcome", "decided_at"),
        "decision_text",
    )
    inlines = [PartyVoteInline, AgendaItemDocumentInline]

    def save_model(self, request, obj, form, change):
        save_agenda_item(request, obj, list(form.changed_data), created=not change)


class CaseAdminForm(forms.ModelForm):
    """Offers only the statuses ``Case.TRANSITIONS`` allows from the case's present one."""

    class Meta:
        model = Case
        fields = [
            "title", "summary", "responsible_organization", "origin", "status", "registered_on",
            "closed_on",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "status" in self.fields:
            current = self.instance.status
            allowed = {current, *Case.TRANSITIONS.get(current, set())}
            self.fields["status"].choices = [
                (value, label) for value, label in Case.Status.choices if value in allowed
            ]

    def clean_status(self):
        new = self.cleaned_data["status"]
        old = self.instance.status if self.instance.pk else Case.Status.RECEIVED
        refusal = services.case_status_refusal(old=old, to=new)
        if refusal:
            raise forms.ValidationError(refusal)
        return new


@admin.register(Case)
class CaseAdmin(AuditedAdmin):
    form = CaseAdminForm
    list_display = ("diary_number", "title", "responsible_organization", "status", "origin", "registered_on")
    list_filter = ("status", "origin", "responsible_organization", "year")
    search_fields = ("title", "summary", "series", "slug")
    list_select_related = ("responsible_organization",)
    autocomplete_fields = ("responsible_organization",)
    readonly_fields = ("diary_number",)
    inlines = [CaseDocumentInline]

    def get_fields(self, request, obj=None):
        fields = ["title", "summary", "responsible_organization", "origin", "status", "registered_on", "closed_on"]
        if obj is not None:
            fields.insert(0, "diary_number")
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            # The status goes through the state machine (services.case_transition).
            new_status = obj.status
            obj.status = form.initial.get("status", obj.status)
            super().save_model(request, obj, form, change)
            if new_status != obj.status:
                self._transition(request, obj, new_status)
            return
        # A new case gets the next diary number in its body's series.
        case = services.case_open(
            title=obj.title,
            responsible_organization=obj.responsible_organization,
            origin=obj.origin,
            summary=obj.summary,
            actor=request.user,
            registered_on=obj.registered_on,
        )
        obj.pk = case.pk
        obj.series, obj.year, obj.sequence, obj.slug = case.series, case.year, case.sequence, case.slug
        obj._state.adding = False
        if obj.status != case.status:
            self._transition(request, case, obj.status)

    def _transition(self, request, case, to):
        try:
            services.case_transition(case=case, to=to, actor=request.user)
        except services.DiaryError as error:  # changed meanwhile by someone else
            self.message_user(request, str(error), messages.ERROR)


@admin.register(Document)
class DocumentAdmin(AuditedAdmin):
    form = DocumentAdminForm
    rich_text_fields = ("text",)
    list_display = ("title", "kind", "public", "meeting", "case", "published_on")
    list_filter = ("kind", "public", "minutes_version")
    search_fields = ("title", "registry_document_id", "withheld_ground")
    autocomplete_fields = ("meeting", "agenda_item", "case")
    list_select_related = ("meeting__organization", "case")
