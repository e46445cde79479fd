import json

from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from democracy.accounts import services
from democracy.accounts.forms import AccountDeleteForm, ProfileForm
from democracy.core.permissions import user_roles
from democracy.core.roles import Role


class AccountOverviewView(LoginRequiredMixin, FormView):
    template_name = "accounts/overview.html"
    form_class = ProfileForm
    success_url = reverse_lazy("accounts:overview")

    def get_initial(self):
        return {"name": self.request.user.name, "language": self.request.user.language}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["has_totp"] = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists()
        context["roles"] = [Role(role).label for role in sorted(user_roles(user))]
        return context

    def form_valid(self, form):
        services.user_update_profile(
            user=self.request.user,
            name=form.cleaned_data["name"],
            language=form.cleaned_data["language"],
        )
        messages.success(self.request, _("Your settings are saved."))
        return super().form_valid(form)


class AccountExportView(LoginRequiredMixin, View):
    """Download everything Delta holds about the signed-in person as JSON."""

    def get(self, request):
        data = services.user_export_data(user=request.user)
        body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"delta-my-data-{localdate().isoformat()}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


@method_decorator(reauthentication_required, name="dispatch")
class AccountDeleteView(LoginRequiredMixin, FormView):
    template_name = "accounts/delete.html"
    form_class = AccountDeleteForm

    def form_valid(self, form):
        user = self.request.user
        logout(self.request)
        services.user_delete(user=user)
        messages.success(self.request, _("Your account and your personal data are deleted."))
        return redirect("core:home")
