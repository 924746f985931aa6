"""Create the first system administrator of an installation (a staff account with the
sysadmin role; not a Django superuser, who would bypass the object permissions)."""

import getpass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from prostenhet import services
from prostenhet.exceptions import DomainError
from prostenhet.roles import Role


class Command(BaseCommand):
    help = "Create a staff account with the system administrator role."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        password = getpass.getpass("Lösenord: ")
        if password != getpass.getpass("Lösenord igen: "):
            raise CommandError("Lösenorden är inte lika.")
        try:
            password_validation.validate_password(password)
            # The administrator chose this password themselves: no change at first login.
            services.create_staff(
                username=username, password=password, roles=[Role.SYSADMIN], units=[],
                by=None, must_change_password=False,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Systemförvaltaren {username} är skapad."))
