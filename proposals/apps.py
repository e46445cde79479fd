from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    label = "proposals"
    verbose_name = _("E-proposals")

    def ready(self):
        from democracy.diary.search import register_source
        from democracy.diary.signals import agenda_item_decided
        from proposals import receivers
        from proposals.search import ProposalSource

        agenda_item_decided.connect(
            receivers.on_agenda_item_decided, dispatch_uid="proposals.agenda_item_decided"
        )
        register_source(ProposalSource())
