"""Weed the keyed hashes of the e-mail addresses internet outreach mailed, once they are past
settings.OUTREACH_EMAIL_REPEAT_DAYS (run daily):

    python manage.py weed_outreach_hashes [--dry-run]
"""

from django.core.management.base import BaseCommand

from outreach import services


class Command(BaseCommand):
    help = "Delete the hashes of e-mail addresses mailed before the repeat period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Only count what would be deleted.")

    def handle(self, *args, dry_run=False, **options):
        count = services.weed_email_hashes(dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{count} e-mail hashes {verb} "
                          f"(older than {services.repeat_days()} days).")
