from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YouthVoteConfig(AppConfig):
    name = "youth_vote"
    label = "youth_vote"
    verbose_name = _("Youth-council election")
