"""Municipal content in several languages with one mechanism (decision 89): the English
columns ``Topic.name_en`` and ``RejectionReason.title_en`` move into the ``translations`` JSON
field ({"en": {"name": …}}) and are dropped. Existing proposals and comments are marked as
written in the site's default language (Swedish)."""

import democracy.core.translations
from django.conf import settings
from django.db import migrations, models


def move_english(apps, schema_editor):
    Topic = apps.get_model("proposals", "Topic")
    RejectionReason = apps.get_model("proposals", "RejectionReason")
    for topic in Topic.objects.exclude(name_en=""):
        topic.translations = {**(topic.translations or {}), "en": {"name": topic.name_en}}
        topic.save(update_fields=["translations"])
    for reason in RejectionReason.objects.exclude(title_en=""):
        english = {**(reason.translations or {}).get("en", {}), "title": reason.title_en}
        reason.translations = {**(reason.translations or {}), "en": english}
        reason.save(update_fields=["translations"])
    source = settings.LANGUAGE_CODE.split("-")[0]
    apps.get_model("proposals", "Proposal").objects.update(language=source)
    apps.get_model("proposals", "Comment").objects.update(language=source)


def keep_english(apps, schema_editor):
    """Back: the English texts return to their columns (other languages have none)."""
    Topic = apps.get_model("proposals", "Topic")
    RejectionReason = apps.get_model("proposals", "RejectionReason")
    for topic in Topic.objects.all():
        topic.name_en = ((topic.translations or {}).get("en") or {}).get("name", "")[:100]
        topic.save(update_fields=["name_en"])
    for reason in RejectionReason.objects.all():
        reason.title_en = ((reason.translations or {}).get("en") or {}).get("title", "")[:200]
        reason.save(update_fields=["title_en"])


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0002_reference_data_and_schedules'),
    ]

    operations = [
        migrations.AddField(
            model_name='comment',
            name='language',
            field=models.CharField(default=democracy.core.translations.active_language, max_length=12, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='district',
            name='translations',
            field=models.JSONField(blank=True, default=dict, help_text='The text in other languages than Swedish. Empty: the Swedish text is shown.', verbose_name='translations'),
        ),
        migrations.AddField(
            model_name='proposal',
            name='language',
            field=models.CharField(default=democracy.core.translations.default_language, max_length=12, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='rejectionreason',
            name='translations',
            field=models.JSONField(blank=True, default=dict, help_text='The text in other languages than Swedish. Empty: the Swedish text is shown.', verbose_name='translations'),
        ),
        migrations.AddField(
            model_name='topic',
            name='translations',
            field=models.JSONField(blank=True, default=dict, help_text='The text in other languages than Swedish. Empty: the Swedish text is shown.', verbose_name='translations'),
        ),
        migrations.RunPython(move_english, keep_english),
        migrations.RemoveField(
            model_name='rejectionreason',
            name='title_en',
        ),
        migrations.RemoveField(
            model_name='topic',
            name='name_en',
        ),
    ]
