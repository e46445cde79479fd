"""What every page of the back office checks in a request before Django's admin uses it.

The admin trusts three values a browser never sends wrong but a hand-made request can: the
rows chosen for an action (``_selected_action``, looked up as keys), the search words (a LIKE
pattern, which SQLite refuses beyond 50,000 characters) and an inline's form count
(``…-TOTAL_FORMS``). The first two gave a server error to the form fuzzer
(``tests/core/test_form_fuzzer.py``); here they get a message and nothing changes. The third
made Django build and render up to 2,000 inline forms for one request (37 s of CPU for a
meeting's agenda items); every inline now stops at its rows plus ``INLINE_NEW_MAX`` and says
so.

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
# New rows one inline takes in one save (agenda items, documents, …) beyond those it has: far
# above what anyone adds at once, far below the 2,000 forms a hand-made count made Django build.
INLINE_NEW_MAX = 100


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
                request,
                _("The chosen rows are not in the list. Choose them again."),
                messages.ERROR,
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


class BoundedFormSetMixin:
    """An inline formset that builds at most its existing rows plus ``INLINE_NEW_MAX`` forms,
    whatever count the request claims; beyond that, the formset's own "at most N" error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The related rows are read once here and kept (the formset reads them anyway).
        self.max_num = self.absolute_max = len(self.get_queryset()) + INLINE_NEW_MAX


class CheckedInlineMixin:
    """In front of every inline of a checked ``ModelAdmin`` (see ``BoundedFormSetMixin``)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (BoundedFormSetMixin, formset), {})


def _checked_inlines(inlines):
    return [
        inline
        if issubclass(inline, CheckedInlineMixin)
        else type(inline.__name__, (CheckedInlineMixin, inline), {})
        for inline in inlines
    ]


def admin_checks_install(site=admin.site) -> None:
    """Register every model of ``site`` again with the checks in front of its ModelAdmin and
    each of its inlines."""
    for model in apps.get_models():
        if not site.is_registered(model):
            continue
        current = type(site.get_model_admin(model))
        if issubclass(current, CheckedRequestAdminMixin):
            continue
        site.unregister(model)
        site.register(
            model,
            type(
                current.__name__,
                (CheckedRequestAdminMixin, current),
                {"inlines": _checked_inlines(current.inlines)},
            ),
        )
