from django import forms
from django.utils.translation import gettext_lazy as _


class PoliticianFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    party = forms.ChoiceField(label=_("Party"), required=False)
    body = forms.ChoiceField(label=_("Body"), required=False)
    term = forms.ChoiceField(label=_("Term of office"), required=False)

    def __init__(self, *args, parties=(), bodies=(), terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [("", _("This term of office"))] + [
            (term.slug, term.name) for term in terms
        ]
        self.fields["party"].choices = [("", _("All parties"))] + [
            (party.slug, party.name) for party in parties
        ]
        self.fields["body"].choices = [("", _("All bodies"))] + [
            (body.slug, body.name) for body in bodies
        ]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The politician replies to this address."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    public_record = forms.BooleanField(
        label=_("I understand that my message may become a public record (allmän handling)."),
        required=True,
    )
