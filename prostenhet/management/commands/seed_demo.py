"""Create the demo staff accounts (one per role) and let each app add its demo data (registry.
demo_seeders). Demo mode only; safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from prostenhet import access, registry
from prostenhet.models import Unit, User
from prostenhet.roles import Profession, Role, UnitCode
from prostenhet.services import assign_roles

DEMO_PASSWORD = "demo-losenord-2026"

DEMO_STAFF = [
    # username, first name, last name, role, units, profession
    # Reception receives everyone, the clinic's patients too: the assistant works in both.
    (
        "assistent", "Anna", "Assistent", Role.OFFICE_ASSISTANT,
        [UnitCode.COUNSELLING, UnitCode.SPIRALEN], "",
    ),
    (
        "uppsokare", "Ulf", "Uppsökare", Role.OUTREACH_WORKER,
        [UnitCode.OUTREACH, UnitCode.TRAFFICKING], "",
    ),
    ("behandlare", "Berit", "Behandlare", Role.COUNSELLOR, [UnitCode.COUNSELLING], ""),
    ("kastbehandlare", "Kalle", "Kastbehandlare", Role.COUNSELLOR, [UnitCode.KAST], ""),
    (
        "barnmorska", "Maria", "Barnmorska", Role.CLINICIAN, [UnitCode.SPIRALEN],
        Profession.MIDWIFE,
    ),
    (
        "gynekolog", "Greta", "Gynekolog", Role.CLINICIAN, [UnitCode.SPIRALEN],
        Profession.GYNAECOLOGIST,
    ),
    ("lakare", "Lars", "Läkare", Role.CLINICIAN, [UnitCode.SPIRALEN], Profession.PHYSICIAN),
    ("chef", "Cecilia", "Chef", Role.MANAGER, list(UnitCode), ""),
    ("admin", "Adam", "Admin", Role.SYSADMIN, [], ""),
]


class Command(BaseCommand):
    help = "Create the demo staff accounts (demo mode only)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo körs bara i demoläge (DEMO_MODE=1). Demokonton får aldrig finnas "
                "i en riktig installation."
            )
        with transaction.atomic():
            staff = self._seed_staff()
            summaries = [seeder.seed(staff) for seeder in registry.demo_seeders]
        self.stdout.write(self.style.SUCCESS("Demokonton (lösenord för alla: %s):" % DEMO_PASSWORD))
        for username, _first, _last, role, *_rest in DEMO_STAFF:
            self.stdout.write(f"  {username:<15} {role.label}")
        for summary in summaries:
            if summary:
                self.stdout.write(str(summary))

    def _seed_staff(self):
        staff = {}
        for username, first, last, role, units, profession in DEMO_STAFF:
            user, _created = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.profession = profession
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            assign_roles(user, [role])
            user.units.set(Unit.objects.filter(code__in=units))
            access.sync_staff_units(user)
            staff[username] = user
        return staff
