from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from democracy.core.limits import seconds_until_allowed
from democracy.core.views import rate_limited
from democracy.people import selectors, services
from democracy.people.forms import ContactForm, PoliticianFilterForm


class PoliticianListView(TemplateView):
    """Every politician with a current assignment; filter by name, party and body. With a past
    term of office chosen, the representatives of that term instead (former ones too)."""

    template_name = "people/politician_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parties = list(selectors.parties_list())
        bodies = list(selectors.bodies_list())
        terms = list(selectors.terms_past())
        form = PoliticianFilterForm(
            self.request.GET or None, parties=parties, bodies=bodies, terms=terms
        )
        filters = {"party": "", "body": "", "query": ""}
        term = None
        if form.is_bound and form.is_valid():
            filters = {
                "party": form.cleaned_data["party"],
                "body": form.cleaned_data["body"],
                "query": form.cleaned_data["q"],
            }
            term = next((t for t in terms if t.slug == form.cleaned_data["term"]), None)
        context["form"] = form
        context["past_terms"] = terms
        context["term"] = term
        if term is None:
            context["politicians"] = selectors.politicians_list(**filters)
        else:
            context["politicians"] = selectors.politicians_of_term(term=term, **filters)
        context["filtered"] = any(filters.values()) or term is not None
        return context


class PoliticianDetailView(TemplateView):
    template_name = "people/politician_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile"] = selectors.politician_get(slug=self.kwargs["slug"])
        context["person"] = context["profile"].person
        return context


def contact_rate() -> str:
    return getattr(settings, "PEOPLE_CONTACT_RATE", "5/h")


class PoliticianContactView(FormView):
    """A form that relays a message by e-mail; the politician's address is never shown."""

    template_name = "people/politician_contact.html"
    form_class = ContactForm

    def dispatch(self, request, *args, **kwargs):
        self.profile = selectors.politician_get(slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not self.profile.can_be_contacted:
            return self.render_to_response(self.get_context_data(form=None), status=404)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        user = self.request.user
        if user.is_authenticated:
            return {"name": user.name, "email": user.email}
        return {}

    def post(self, request, *args, **kwargs):
        if not self.profile.can_be_contacted:
            return self.render_to_response(self.get_context_data(form=None), status=404)
        wait = seconds_until_allowed(request, group="people.contact", key="ip", rate=contact_rate())
        if wait is not None:
            return rate_limited(request, retry_after=wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.politician_message_send(
                person=self.profile.person,
                sender_name=form.cleaned_data["name"],
                sender_email=form.cleaned_data["email"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except services.ContactNotPossible:
            return self.render_to_response(self.get_context_data(form=None), status=404)
        messages.success(
            self.request,
            _("Your message has been sent to %(name)s.") % {"name": self.profile.person.name},
        )
        return redirect(self.profile.person.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile"] = self.profile
        context["person"] = self.profile.person
        return context
