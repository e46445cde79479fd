"""Default rejection reasons and topics, and the scheduled tasks of e-proposals."""

from django.db import migrations

REJECTION_REASONS = [
    ("not-municipal", "Kommunen beslutar inte om frågan", "Not something the municipality decides", True),
    ("repeat", "Ett liknande förslag har beslutats de senaste tolv månaderna", "A similar proposal was decided in the last twelve months", True),
    ("duplicate", "Samma förslag samlar redan underskrifter", "The same proposal is already collecting signatures", True),
    ("authority", "Gäller myndighetsutövning mot en enskild person", "Concerns a decision about an individual", True),
    ("ongoing", "Frågan hanteras redan i en annan process", "The matter is already handled in another process", True),
    ("complaint", "Det är en felanmälan eller ett klagomål", "It is a fault report or a complaint", True),
    ("unclear", "Det framgår inte vad kommunen ska göra", "It is not clear what the municipality should do", True),
    ("offensive", "Kränkande eller diskriminerande innehåll", "Offensive or discriminating content", False),
    ("personal-data", "Innehåller uppgifter om privatpersoner", "Contains details of private persons", False),
    ("advertising", "Reklam eller partipolitisk kampanj", "Advertising or party-political campaigning", False),
]

TOPICS = [
    ("skola", "Skola och förskola", "School and preschool"),
    ("trafik", "Trafik och gator", "Traffic and streets"),
    ("miljo", "Miljö och natur", "Environment and nature"),
    ("kultur-fritid", "Kultur och fritid", "Culture and leisure"),
    ("idrott", "Idrott och motion", "Sport and exercise"),
    ("omsorg", "Omsorg och hälsa", "Care and health"),
    ("bostader", "Bostäder och byggande", "Housing and building"),
    ("ovrigt", "Övrigt", "Other"),
]

# name, function, minutes between runs
SCHEDULES = [
    ("proposals.close_due", "proposals.tasks.close_due_proposals", 1),
    # Runs a little longer than its period, so one counting loop is always running.
    ("proposals.signature_count_loop", "proposals.tasks.signature_count_loop", 1),
    ("proposals.refresh_open_counts", "proposals.tasks.refresh_open_counts", 10),
    ("proposals.anonymise_signer_data", "proposals.tasks.anonymise_signer_data", 24 * 60),
]


def forwards(apps, schema_editor):
    RejectionReason = apps.get_model("proposals", "RejectionReason")
    for order, (code, title, title_en, public) in enumerate(REJECTION_REASONS):
        RejectionReason.objects.get_or_create(
            code=code,
            defaults={"title": title, "title_en": title_en, "public": public, "sort_order": order},
        )
    Topic = apps.get_model("proposals", "Topic")
    for order, (slug, name, name_en) in enumerate(TOPICS):
        Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1},
        )


def backwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(
        name__in=[name for name, _func, _minutes in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
