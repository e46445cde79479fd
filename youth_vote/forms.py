"""Forms of the youth-council election. They validate input; services do the writing."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from democracy.core.permissions import has_role
from democracy.core.roles import Role
from democracy.core.translations import TranslationInputsMixin
from democracy.people.models import Organization
from youth_vote.counting import shares_check, trustee_problems
from youth_vote.models import Candidate, District, Election, School

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ElectionForm(forms.ModelForm):
    class Meta:
        model = Election
        fields = [
            "name",
            "description",
            "opens_at",
            "closes_at",
            "total_members",
            "total_substitutes",
            "council",
            "term_start",
            "term_end",
            "trustees",
            "trustee_threshold",
        ]
        widgets = {
            "opens_at": DATETIME_WIDGET,
            "closes_at": DATETIME_WIDGET,
            "term_start": DATE_WIDGET,
            "term_end": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = Organization.objects.filter(
            classification=Organization.Classification.YOUTH_COUNCIL
        )
        self.fields["opens_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["closes_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Voting must close after it opens."))
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end <= start:
            self.add_error("term_end", _("The term must end after it starts."))
        trustees, threshold = data.get("trustees"), data.get("trustee_threshold")
        if trustees is not None and threshold is not None:
            for problem in trustee_problems(trustees, threshold):
                self.add_error("trustee_threshold", problem)
        return data

    def _post_clean(self):
        # The service runs the model's checks; the form only checks the input.
        pass


class TallyForm(forms.Form):
    """The key sheets the trustees present type in: one field per sheet, any of them."""

    def __init__(self, *args, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.election = election
        for number in range(1, election.trustees + 1):
            self.fields[f"sheet_{number}"] = forms.CharField(
                label=_("Key sheet %(number)d") % {"number": number},
                required=False,
                max_length=120,
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "off",
                        "spellcheck": "false",
                        "autocapitalize": "characters",
                        "class": "input--code",
                    }
                ),
            )

    def clean(self):
        data = super().clean()
        entered = {
            number: data.get(f"sheet_{number}", "")
            for number in range(1, self.election.trustees + 1)
        }
        try:
            self.shares = shares_check(self.election, entered)
        except ValidationError as error:
            for number, messages in error.error_dict.items():
                field = None if number is None else f"sheet_{number}"
                for message in messages:
                    self.add_error(field, message)
        return data


class DistrictForm(TranslationInputsMixin, forms.Form):
    # The name in each configured language (decision 89); ``cleaned_data["translations"]``.
    translated_fields = ("name",)

    name = forms.CharField(label=_("Name"), max_length=120)
    child_population = forms.IntegerField(
        label=_("Children living in the district"),
        min_value=0,
        max_value=10_000_000,
        help_text=_("The seats are shared by this number."),
    )


class SchoolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none())

    def __init__(self, *args, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = election.districts.all()


class SchoolContactsForm(forms.Form):
    emails = forms.CharField(
        label=_("Contact persons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The e-mail addresses of their accounts, one per line. They need the role "
            "“school contact person”."
        ),
    )

    def clean_emails(self):
        User = get_user_model()
        raw = [
            line.strip().lower()
            for line in self.cleaned_data["emails"].replace(",", "\n").splitlines()
            if line.strip()
        ]
        users, problems = [], []
        for email in raw:
            try:
                validate_email(email)
            except ValidationError as error:
                problems.append(f"{Truncator(email).chars(60)}: {error.messages[0]}")
                continue
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                problems.append(_("No account has the address %(email)s.") % {"email": email})
            elif not has_role(user, Role.SCHOOL_CONTACT):
                problems.append(
                    _("%(email)s does not have the role school contact person.") % {"email": email}
                )
            else:
                users.append(user)
        if problems:
            raise forms.ValidationError(problems)
        return users


class CandidateForm(forms.Form):
    given_name = forms.CharField(label=_("First name"), max_length=100)
    family_name = forms.CharField(label=_("Last name"), max_length=100)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        help_text=_("Where the candidate lives."),
    )
    school_name = forms.CharField(label=_("School"), max_length=200, required=False)
    grade = forms.IntegerField(label=_("School year"), min_value=1, max_value=13)
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=DATE_WIDGET, help_text=_("Checked, never published.")
    )
    statement = forms.CharField(
        label=_("Why vote for me"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    photo = forms.ImageField(label=_("Photo"), required=False)
    photo_alt = forms.CharField(
        label=_("Photo description"),
        max_length=200,
        required=False,
        help_text=_("What the photo shows, for people who cannot see it."),
    )

    def __init__(self, *args, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = election.districts.all()
        self.fields["birth_date"].input_formats = ["%Y-%m-%d"]


class CandidateContentForm(forms.Form):
    statement = forms.CharField(
        label=_("Why vote for me"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    photo = forms.ImageField(label=_("New photo"), required=False)
    photo_alt = forms.CharField(label=_("Photo description"), max_length=200, required=False)


class CandidateDecisionForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (Candidate.Status.APPROVED, _("Approve")),
            (Candidate.Status.REJECTED, pgettext_lazy("candidate review", "Reject")),
            (Candidate.Status.WITHDRAWN, pgettext_lazy("candidate review", "Withdraw")),
            (Candidate.Status.PENDING, _("Back to review")),
        ],
        label=_("What to do"),
        # The page lists the choices as radio buttons in a fieldset with this legend.
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RollImportForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none())
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: student_ref, given_name, family_name, class, grade, birth_date "
            "(YYYY-MM-DD), district."
        ),
    )

    def __init__(self, *args, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = election.schools.all()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class ExtensionForm(forms.Form):
    new_closes_at = forms.DateTimeField(
        label=_("New closing time"),
        widget=DATETIME_WIDGET,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(
        label=_("Reason (published)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class SessionOpenForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=5, max_value=240, initial=45
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CodeEntryForm(forms.Form):
    """The booth's first step: the student's own code and the code on the classroom screen."""

    code = forms.CharField(
        label=_("Your code"),
        max_length=40,
        help_text=_("It is on your slip of paper. Example: ABCD-EFGH-JKMN-P"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "booth-input",
            }
        ),
    )
    session_code = forms.CharField(
        label=_("The class code"),
        max_length=12,
        help_text=_("Six digits. They are on the big screen in your classroom."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "inputmode": "numeric",
                "class": "booth-input",
            }
        ),
    )


class ChoiceForm(forms.Form):
    """A choice on the ballot, carried by the page itself between the steps."""

    ballot_pass = forms.CharField(widget=forms.HiddenInput)
    choice = forms.CharField(
        label=pgettext_lazy("ballot", "Your choice"),
        max_length=40,
        error_messages={"required": _("Choose a candidate, or vote blank.")},
    )

    def clean_choice(self):
        # One vote per ballot: a form carrying several choices is refused, not cut down to
        # the last of them.
        if hasattr(self.data, "getlist") and len(self.data.getlist("choice")) > 1:
            raise forms.ValidationError(_("Choose only one."))
        return self.cleaned_data["choice"]
