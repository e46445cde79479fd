"""What every page of the back office checks in a request before Django's admin uses it.

The admin trusts two values a browser never sends wrong but a hand-made request can: the rows
chosen for an action (``_selected_action``, looked up as keys) and the search words (a LIKE
pattern, which SQLite refuses beyond 50,000 characters). Both gave a server error to the form
fuzzer (``tests/core/test_form_fuzzer.py``); here they get a message and nothing changes.

``admin_checks_install`` (called from ``CoreConfig.ready``, after the admin has found every
app's ``admin.py``) puts the checks in front of every registered ``ModelAdmin``, ours and the
libraries' (auth's groups, django-q2's tasks, allauth's addresses …), so no ``ModelAdmin``
needs to remember them.
"""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

SEARCH_MAX_LENGTH = 200


def is_key(field, value) -> bool:
    """Whether ``value`` could be a key of ``field``: its type, and within the range the
    database stores (a larger number overflows SQLite's driver before any lookup)."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class CheckedRequestAdminMixin:
    """The checks, in front of a ``ModelAdmin`` class (see ``admin_checks_install``)."""

    def response_action(self, request, queryset):
        chosen = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_key(self.opts.pk, value) for value in chosen):
            self.message_user(
                request, _("The chosen rows are not in the list. Choose them again."), messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > SEARCH_MAX_LENGTH:
            self.message_user(
                request,
                _("Only the first %(count)s characters of the search were used.")
                % {"count": SEARCH_MAX_LENGTH},
                messages.WARNING,
            )
            search_term = search_term[:SEARCH_MAX_LENGTH]
        return super().get_search_results(request, queryset, search_term)


def admin_checks_install(site=admin.site) -> None:
    """Register every model of ``site`` again with the checks in front of its ModelAdmin."""
    for model in apps.get_models():
        if not site.is_registered(model):
            continue
        current = type(site.get_model_admin(model))
        if issubclass(current, CheckedRequestAdminMixin):
            continue
        site.unregister(model)
        site.register(model, type(current.__name__, (CheckedRequestAdminMixin, current), {}))
