"""Signals other apps listen to; sent after the change has been committed."""

from django.dispatch import Signal

# Sent with ``agenda_item_id`` and ``case_id`` (may be None) when an agenda item gets its decision.
agenda_item_decided = Signal()
