"""Close a year's statistics: store its figures as they stand, signed by the manager named
(the same as the statistics page's "Stäng året"). A closed year is shown from the stored
figures, so weeding the records behind them never changes the published report."""

from django.core.management.base import BaseCommand, CommandError

from prostenhet import services
from prostenhet.exceptions import DomainError
from prostenhet.models import User


class Command(BaseCommand):
    help = "Store a year's statistics as they stand, closed by the manager named with --by."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--by", required=True, help="the closing manager's username")

    def handle(self, *args, year, by, **options):
        user = User.objects.filter(username=by, is_active=True).first()
        if user is None or not user.has_perm("prostenhet.view_statistics"):
            raise CommandError(f"{by}: inget aktivt konto med rätt att se statistiken.")
        try:
            closing = services.close_year(year, by=user)
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            f"{year} stängt av {user.username}: {len(closing.tables)} tabeller sparade."
        )
