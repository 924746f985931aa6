"""A small world of staff and clients, built through the real services so that every grant
is the one production would make. Like healthchecks' alice/bob/charlie, one person per role:

- anna: a counselling client of the counsellor `co` (responsible), also a Spiralen patient;
  signed and draft counselling entries, a signed Spiralen entry. No consent.
- karl: a KAST client of the KAST counsellor `kco`.
- petra: a counselling client with protected identity, registered by the office assistant.
- olle: an outreach contact of the outreach worker `ow`.
"""

from dataclasses import dataclass
from pathlib import Path

from clients import services
from clients.models import Gender, Quality
from prostenhet.roles import Role, UnitCode

from .factories import UserFactory, add_totp_device

NUMBERS = [
    line.strip()
    for line in (Path(__file__).parent / "data" / "testpersonnummer.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
ADULT_NUMBERS = [n for n in NUMBERS if n[:4] < "2005"]
CHILD_NUMBERS = [n for n in NUMBERS if n.startswith("2009")]


@dataclass
class World:
    oa: object
    ow: object
    co: object
    kco: object
    cl: object
    ma: object
    sa: object
    anna: object
    karl: object
    petra: object
    olle: object
    anna_counselling: object
    anna_spiralen: object
    anna_signed: object
    anna_draft: object
    anna_clinic_entry: object
    karl_entry: object

    def staff_for(self, role):
        return {
            Role.OFFICE_ASSISTANT: self.oa,
            Role.OUTREACH_WORKER: self.ow,
            Role.COUNSELLOR: self.co,
            Role.CLINICIAN: self.cl,
            Role.MANAGER: self.ma,
            Role.SYSADMIN: self.sa,
        }[Role(role)]


def staff(role, username, units=None):
    user = UserFactory(role=role, username=username)
    if units is not None:
        from prostenhet import access
        from prostenhet.models import Unit

        user.units.set(Unit.objects.filter(code__in=units))
        access.sync_staff_units(user)
    add_totp_device(user)
    return user


def signed_entry(journal, author, text):
    entry = services.save_draft(journal=journal, by=author, text=text)
    return services.sign_entry(entry, by=author)


def build_world():
    oa = staff(Role.OFFICE_ASSISTANT, "oa")
    ow = staff(Role.OUTREACH_WORKER, "ow")
    co = staff(Role.COUNSELLOR, "co")
    kco = staff(Role.COUNSELLOR, "kco", units=[UnitCode.KAST])
    cl = staff(Role.CLINICIAN, "cl")
    ma = staff(Role.MANAGER, "ma", units=[u for u in UnitCode if u != UnitCode.KAST])
    sa = staff(Role.SYSADMIN, "sa")

    anna = services.register_client(
        unit=UnitCode.COUNSELLING, by=co, alias="Anna", identity_number=ADULT_NUMBERS[10],
        identity_number_quality=Quality.KNOWN, birth_year=int(ADULT_NUMBERS[10][:4]),
        gender=Gender.WOMAN, legal_name="Anna Andersson", legal_name_quality=Quality.KNOWN,
        phone="0701234567",
    )
    services.enroll(anna, UnitCode.SPIRALEN, by=cl)
    anna_counselling = anna.journals.get(unit=UnitCode.COUNSELLING)
    anna_spiralen = anna.journals.get(unit=UnitCode.SPIRALEN)
    anna_signed = signed_entry(anna_counselling, co, "Samtal om gränssättning.")
    anna_draft = services.save_draft(journal=anna_counselling, by=co, text="Utkast pågår.")
    anna_clinic_entry = signed_entry(anna_spiralen, cl, "Provtagning klamydia.")

    karl = services.register_client(
        unit=UnitCode.KAST, by=kco, alias="Karl", birth_year=1970,
        birth_year_quality=Quality.KNOWN,
    )
    karl_entry = signed_entry(karl.journals.get(), kco, "Första telefonsamtalet.")
    petra = services.register_client(
        unit=UnitCode.COUNSELLING, by=oa, alias="Petra", protected_identity=True,
        legal_name="Petra Hemlig", legal_name_quality=Quality.KNOWN,
        identity_number=ADULT_NUMBERS[20], identity_number_quality=Quality.KNOWN,
        address="Hemliga gatan 1", phone="0709999999",
    )
    olle = services.register_client(unit=UnitCode.OUTREACH, by=ow, alias="Olle")
    return World(
        oa=oa, ow=ow, co=co, kco=kco, cl=cl, ma=ma, sa=sa,
        anna=anna, karl=karl, petra=petra, olle=olle,
        anna_counselling=anna_counselling, anna_spiralen=anna_spiralen,
        anna_signed=anna_signed, anna_draft=anna_draft,
        anna_clinic_entry=anna_clinic_entry, karl_entry=karl_entry,
    )
