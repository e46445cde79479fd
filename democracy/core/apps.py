from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "democracy.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from democracy.core.adminchecks import admin_checks_install
        from democracy.core.dates import bound_form_date_fields

        bound_form_date_fields()
        admin_checks_install()
