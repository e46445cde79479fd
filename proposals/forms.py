import html
import re

from django import forms
from django.conf.locale import LANG_INFO
from django.utils.html import escape, linebreaks
from django.utils.text import capfirst
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from democracy.core.sanitize import clean_text
from democracy.core.translations import (
    TranslationInputsMixin,
    active_language,
    configured_languages,
    localized,
)
from democracy.people.models import Organization
from proposals import rules
from proposals.models import District, RejectionReason, Report, Topic


def text_to_html(text: str) -> str:
    """Plain text with blank lines becomes paragraphs; text with tags is kept as HTML."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text or re.search(r"<\s*[a-zA-Z/]", text):
        return text
    return linebreaks(escape(text))


def html_to_editable(value: str) -> str:
    """The reverse for simple bodies, so the proposer edits text rather than markup."""
    if not value:
        return ""
    simple = re.sub(r"</?p>|<br\s*/?>", "", value)
    if re.search(r"<\s*[a-zA-Z/]", simple):
        return value
    text = re.sub(r"</p>\s*<p>", "\n\n", value)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = re.sub(r"</?p>", "", text)
    return html.unescape(text).strip()


class LocalizedSelect(forms.Select):
    """A select of topics or districts: each option in the page's language, and one that has
    no translation (shown in Swedish) carries ``lang``."""

    def __init__(self, *args, field: str = "name", **kwargs):
        super().__init__(*args, **kwargs)
        self.translated_field = field

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            text, language = localized(instance, self.translated_field)
            option["label"] = text
            if language != active_language():
                option["attrs"]["lang"] = language
        return option


def language_choices():
    """The site's languages, each in its own name, for "the language it is written in"."""
    return [
        (code, capfirst(get_language_info(code)["name_local"]) if code in LANG_INFO else str(name))
        for code, name in configured_languages()
    ]


class LanguageSelect(forms.Select):
    """Each language's name in that language, marked with its ``lang``."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["lang"] = value
        return option


class ProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=rules.TITLE_MAX,
        help_text=_("Say what you want the municipality to do, in one sentence."),
    )
    summary = forms.CharField(
        label=pgettext_lazy("proposal form", "Summary"),
        max_length=rules.SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences. At most 600 characters."),
    )
    body = forms.CharField(
        label=_("Your proposal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Why is it needed and what should be done? Separate paragraphs with a blank line. "
            "At most 10,000 characters."
        ),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        required=False,
        empty_label=_("Choose a topic"),
        widget=LocalizedSelect,
    )
    district = forms.ModelChoiceField(
        label=_("Part of the municipality"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("The whole municipality"),
        widget=LocalizedSelect,
    )
    language = forms.ChoiceField(
        label=_("Language of the proposal"),
        choices=language_choices,
        widget=LanguageSelect,
        required=False,
        help_text=_("The language you write in. The page tells screen readers so."),
    )

    def __init__(self, *args, complete: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.complete = complete
        self.fields["language"].initial = self.initial.get("language") or active_language()

    def clean_language(self):
        # Not chosen (an older form, a script): the language of the page it was written on.
        return self.cleaned_data.get("language") or active_language()

    def clean_body(self):
        body = text_to_html(self.cleaned_data.get("body", ""))
        if len(body) > rules.BODY_MAX * 2:
            raise forms.ValidationError(_("The proposal is too long."))
        return body

    def clean(self):
        cleaned = super().clean()
        if self.complete:
            if not (cleaned.get("summary") or "").strip() and "summary" not in self.errors:
                self.add_error("summary", _("Write a short summary."))
            if not cleaned.get("topic") and "topic" not in self.errors:
                self.add_error("topic", _("Choose a topic."))
            body = cleaned.get("body") or ""
            if "body" not in self.errors and len(clean_text(body)) < rules.BODY_MIN:
                self.add_error("body", _("Describe your proposal in a few sentences."))
        return cleaned


class SignForm(forms.Form):
    VISIBILITY = [
        ("anonymous", _("Sign anonymously: only the count shows")),
        ("name", _("Show my name in the list of signers")),
    ]
    visibility = forms.ChoiceField(
        label=_("How do you want to appear?"),
        choices=VISIBILITY,
        initial="anonymous",
        widget=forms.RadioSelect,
    )
    public_name = forms.CharField(
        label=_("Name to show"),
        max_length=150,
        required=False,
        help_text=_("Only used if you choose to show your name."),
    )
    district = forms.ModelChoiceField(
        label=_("Where do you live?"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("I would rather not say, or outside the municipality"),
        widget=LocalizedSelect,
        help_text=_("Used only for the count by part of the municipality."),
    )
    notify = forms.BooleanField(
        label=_("E-mail me when the proposal is sent to the committee and when it is decided"),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("visibility") == "name" and not (cleaned.get("public_name") or "").strip():
            self.add_error("public_name", _("Write the name to show, or sign anonymously."))
        return cleaned


_SIGN_KEYS = frozenset({"csrfmiddlewaretoken", "visibility", "public_name", "district", "notify"})


def sign_values_plain(data, *, district_ids) -> dict | None:
    """The cleaned values of an ordinary signature, read without building ``SignForm``.

    Building a Django form deep-copies its fields, about a sixth of the Python work of a
    signature, the busiest write of the site. A submission is read here only when every value
    is one ``SignForm`` accepts unchanged: only the form's fields, a known visibility, a name
    the form would take (stripped, at most 150 characters, no NUL, given when it is to be
    shown), a checked or absent notify box, and no district or one of ``district_ids``.
    Anything else returns ``None``, and the view uses the form, with its messages.
    """
    if not _SIGN_KEYS.issuperset(data.keys()):
        return None
    visibility = data.get("visibility")
    if visibility not in ("anonymous", "name"):
        return None
    public_name = (data.get("public_name") or "").strip()
    if len(public_name) > 150 or "\x00" in public_name:
        return None
    if visibility == "name" and not public_name:
        return None
    notify = data.get("notify")
    if notify is not None and notify.lower() not in ("on", "true"):
        return None
    district = data.get("district") or ""
    if district:
        if not (district.isascii() and district.isdigit()) or int(district) not in district_ids:
            return None
        district = int(district)
    return {
        "visibility": visibility,
        "public_name": public_name,
        "district": district or None,
        "notify": notify is not None,
    }


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=rules.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Be respectful. Comments are public and show your name."),
    )

    def clean_body(self):
        return text_to_html(self.cleaned_data["body"])


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("More details (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Moderation -----------------------------------------------------------------------------


def responsible_bodies():
    """The bodies a moderator can make responsible: those that can decide on an e-proposal."""
    return Organization.objects.filter(
        classification__in=Organization.DECIDES_PROPOSALS, dissolution_date__isnull=True
    )


class PublishForm(forms.Form):
    responsible_organization = forms.ModelChoiceField(
        label=_("Responsible body"),
        queryset=Organization.objects.none(),
        empty_label=_("Choose the body that will treat it"),
        help_text=_("The committee or board that decides if the proposal gets enough signatures."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_organization"].queryset = responsible_bodies()


class RevisionForm(forms.Form):
    message = forms.CharField(
        label=_("What should the proposer change?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The proposer gets this by e-mail and sees it on the proposal."),
    )


class RejectForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("Reason"),
        queryset=RejectionReason.objects.none(),
        empty_label=_("Choose a reason from the rules"),
    )
    text = forms.CharField(
        label=_("Explanation to the proposer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown publicly with the proposal when the reason allows it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = RejectionReason.objects.filter(active=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the proposal's public journey."),
    )


class InvalidateForm(forms.Form):
    network = forms.CharField(
        label=_("Network"),
        max_length=64,
        required=False,
        help_text=_("For example 192.0.2.0/24, from the list of sources."),
    )
    email_domain = forms.CharField(
        label=_("E-mail domain"),
        max_length=100,
        required=False,
        help_text=_("For example example.com."),
    )
    created_from = forms.DateTimeField(
        label=_("Signed from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    created_to = forms.DateTimeField(
        label=_("Signed until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the proposal's public journey together with the number removed."),
    )

    def clean(self):
        cleaned = super().clean()
        if not any(
            cleaned.get(f) for f in ("network", "email_domain", "created_from", "created_to")
        ):
            raise forms.ValidationError(
                _("Give at least one thing to match: network, domain or time.")
            )
        return cleaned


class RejectionReasonForm(TranslationInputsMixin, forms.ModelForm):
    # One input per configured language after the title and the explanation.
    translated_fields = ("title", "description")

    class Meta:
        model = RejectionReason
        fields = ["code", "title", "description", "public", "active", "sort_order"]
