"""Staff roles. Each role is a Django group of the same name, created by a data migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MODERATOR = "moderator", _("Moderator")
    DIARY_EDITOR = "diary_editor", _("Diary editor")
    ELECTION_ADMIN = "election_admin", _("Election administrator")
    SCHOOL_CONTACT = "school_contact", _("School contact person")
