"""Fill the database with the demo municipality. Safe to run again: it adds what is missing."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each step is a module with ``seed(out)``; order matters (bodies before meetings).
STEPS = [
    "democracy.accounts.demo",
    "democracy.people.demo",
    "democracy.diary.demo",
    "proposals.demo",
    "youth_vote.demo",
    "democracy.core.demo",  # the start page's and the rules' own texts, in every language
]


class Command(BaseCommand):
    help = "Create the demo municipality: accounts for every staff role, bodies, politicians, meetings."

    def handle(self, *args, **options):
        for step in STEPS:
            module = import_module(step)
            with transaction.atomic():
                module.seed(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo municipality ready."))
