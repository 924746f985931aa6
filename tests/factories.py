import factory
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from prostenhet import access
from prostenhet.models import Unit, User
from prostenhet.roles import Profession, Role, UnitCode

PASSWORD = "korrekt-hast-batteri-2026"

# Each role's usual units and profession, so that a factory user looks like real staff.
ROLE_DEFAULTS = {
    Role.OFFICE_ASSISTANT: ([UnitCode.COUNSELLING], ""),
    Role.OUTREACH_WORKER: ([UnitCode.OUTREACH], ""),
    Role.COUNSELLOR: ([UnitCode.COUNSELLING], ""),
    Role.CLINICIAN: ([UnitCode.SPIRALEN], Profession.MIDWIFE),
    Role.MANAGER: (list(UnitCode), ""),
    Role.SYSADMIN: ([], ""),
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"personal{n}")
    # Staff names from a fixed pool that holds no client alias the tests use ("Karlsson"
    # would contain "Karl"), so that "the alias is not on the page" never fails by chance.
    first_name = factory.Iterator(
        ["Eva", "Lars", "Ingrid", "Per", "Gun", "Bo", "Siv", "Ulf", "Kerstin", "Göran"]
    )
    last_name = factory.Iterator(
        ["Berg", "Holm", "Ek", "Strand", "Sandberg", "Öberg", "Dahl", "Lund", "Björk", "Wik"]
    )
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if not extracted:
            return
        units, profession = ROLE_DEFAULTS[extracted]
        self.groups.add(Group.objects.get(name=extracted))
        self.units.set(Unit.objects.filter(code__in=units))
        if profession:
            self.profession = profession
            self.save(update_fields=["profession"])
        self.__dict__.pop("roles", None)
        self.__dict__.pop("group_ids_by_name", None)
        access.sync_staff_units(self)


def add_totp_device(user):
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_code(device):
    return "%06d" % totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
