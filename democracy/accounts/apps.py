from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "democracy.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from democracy.accounts.backends import connect_signals

        connect_signals()
