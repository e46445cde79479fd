"""Give the diary_editor group every model permission on people and diary models.

The back office (the Django admin) also checks the role itself, so it keeps working if
these rows are missing; the permissions make the group meaningful to Django's own checks.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("people", "diary")


def forwards(apps, schema_editor):
    for label in APPS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="diary_editor")
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=APPS))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="diary_editor").first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label__in=APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0002_meeting_status_note"),
        ("people", "0001_initial"),
        ("core", "0002_roles_audit_head_schedules"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
