from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    label = "proposals"
    verbose_name = _("E-proposals")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from democracy.diary.search import register_source
        from democracy.diary.signals import agenda_item_decided
        from proposals import receivers
        from proposals.models import District
        from proposals.search import ProposalSource

        agenda_item_decided.connect(
            receivers.on_agenda_item_decided, dispatch_uid="proposals.agenda_item_decided"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                receivers.on_district_changed,
                sender=District,
                dispatch_uid=f"proposals.district_changed.{signal is post_save}",
            )
        register_source(ProposalSource())
