"""Signals a unit app listens to, so that clients/ never imports an app."""

from django.dispatch import Signal

# Sent by services.sign_entry inside its transaction, after the entry is signed:
# entry_signed.send(sender=JournalEntry, entry=entry, by=user). A receiver that raises
# DomainError refuses the signing (nothing is signed). Spiralen makes the samples ordered at
# an encounter.
entry_signed = Signal()
