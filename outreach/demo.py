"""Outreach's demo data (seed_demo, after reception's and the clinic's): a season — about three
months back — of street shifts two evenings a week with their reports, observations and
material, and contacts on them: mostly anonymous, some with nicknames that come back, some with
the registered outreach clients of the client demo; support actions in those clients'
journals; internet sessions once a week; a few information talks; and the information e-mail
templates in Swedish, English, Romanian and Spanish."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import AgeBand, Client, Gender
from prostenhet.roles import UnitCode

from .models import (
    Area,
    Audience,
    Contact,
    ContactOutcome,
    EmailTemplate,
    InfoTalk,
    InternetSession,
    MaterialKind,
    Nickname,
    OfferKind,
    Shift,
    ShiftMaterial,
)
from .services import record_support_action

WEEKS = 13
NICKNAMES = ["Blondie", "Rosa jackan", "Lilla M", "Tant Ella", "Sara från Plovdiv", "Dino",
             "Ögonbrynet", "Maja med hunden", "Lång-Lisa", "Röda skorna", "Kiki", "Ronja"]
LANGUAGES = ["svenska", "rumänska", "bulgariska", "engelska", "spanska", "thailändska"]
REPORTS = [
    "Lugn kväll, kallt. Få ute på Malmskillnadsgatan, fler vid Norra Bantorget.",
    "Många bilar som cirkulerade. Flera nya ansikten, några som inte talade svenska.",
    "Regn. Korta samtal, mest utdelning av material.",
    "Polisen syntes i området tidigt. Stämningen spänd, färre köpare än vanligt.",
    "Varm kväll, många ute. Flera frågade om tider på Spiralen.",
]
NOTES = ["Frågade om provtagning.", "Vill ha kontakt igen nästa vecka.", "",
         "Behöver hjälp med bostad.", "", "Tog emot information på sitt språk.", ""]
SITES = ["Annonssida A", "Annonssida B", "Escortforum", "Sociala medier"]
TEMPLATES = [
    ("sv", "Första mejlet", "Stöd från Prostitutionsenheten",
     "Hej!\n\nVi arbetar på Prostitutionsenheten i Stockholm stad. Vi erbjuder samtal, "
     "provtagning på mottagningen Spiralen och praktiskt stöd – kostnadsfritt och med "
     "sekretess. Du behöver inte uppge ditt namn.\n\nHör av dig om du vill."),
    ("en", "Första mejlet", "Support from the Prostitution Unit",
     "Hello,\n\nWe work at the City of Stockholm's Prostitution Unit. We offer counselling, "
     "free and confidential health check-ups at the Spiralen clinic and practical support. "
     "You do not need to give your name.\n\nGet in touch if you want to."),
    ("ro", "Första mejlet", "Sprijin de la Unitatea pentru prostituție",
     "Bună,\n\nLucrăm la Unitatea pentru prostituție a orașului Stockholm. Oferim consiliere, "
     "control medical gratuit și confidențial la clinica Spiralen și sprijin practic. Nu "
     "trebuie să îți spui numele.\n\nScrie-ne dacă vrei."),
    ("es", "Första mejlet", "Apoyo de la Unidad de Prostitución",
     "Hola:\n\nTrabajamos en la Unidad de Prostitución de la ciudad de Estocolmo. Ofrecemos "
     "conversaciones de apoyo, controles de salud gratuitos y confidenciales en la clínica "
     "Spiralen y ayuda práctica. No necesitas dar tu nombre.\n\nEscríbenos si quieres."),
]


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed_outreach(staff):
    """Once only: a season of shifts, contacts, internet sessions, talks and templates."""
    if Shift.objects.exists():
        return ""
    rng = random.Random(10)  # noqa: S311 - repeatable demo data, not security
    worker = staff["uppsokare"]
    team = [worker]
    today = timezone.localdate()
    now = timezone.now()
    areas = list(Area.objects.filter(active=True))
    kinds = list(MaterialKind.objects.filter(active=True))
    clients = list(
        Client.objects.filter(enrollments__unit=UnitCode.OUTREACH,
                              enrollments__ended_on__isnull=True, merged_into__isnull=True)
        .order_by("pk").distinct()
    )
    nicknames, met_clients = {}, set()
    shifts = contacts = 0
    # Tuesdays and Thursdays, 20:00–01:00, from thirteen weeks back to last week.
    first = today - timedelta(weeks=WEEKS)
    first -= timedelta(days=first.weekday())
    day = first
    while day < today - timedelta(days=1):
        if day.isoweekday() in (2, 4):
            starts_at = _at(day, 20)
            ends_at = starts_at + timedelta(hours=5)
            shift = Shift.objects.create(
                starts_at=starts_at, ends_at=ends_at, report=rng.choice(REPORTS),
                seen_women=rng.randint(4, 15), seen_men=rng.randint(0, 3),
                seen_trans=rng.randint(0, 3), buyers_seen=rng.randint(2, 20),
                created_by=worker, created_at=starts_at, closed_at=ends_at, closed_by=worker,
            )
            shift.staff.set(team)
            shift.areas.set(rng.sample(areas, k=min(2, len(areas))))
            ShiftMaterial.objects.bulk_create([
                ShiftMaterial(shift=shift, kind=kind, count=rng.randint(5, 120))
                for kind in kinds[:4]
            ])
            shifts += 1
            for number in range(rng.randint(4, 10)):
                at = starts_at + timedelta(minutes=20 + number * 25)
                contacts += _contact(shift, at, worker, rng, nicknames, clients, met_clients)
        day += timedelta(days=1)

    # Support actions for the first outreach clients: a clinic time booked, a meeting.
    actions = [
        ("clinic_booking", "", "Bokade första tid på Spiralen för provtagning, med remiss."),
        ("accompanying", "social_services",
         "Följde med till socialtjänsten om försörjningsstöd."),
    ]
    for client, (kind, authority, text) in zip(clients, actions, strict=False):
        journal = client.journals.get(unit=UnitCode.OUTREACH, merged_into__isnull=True)
        record_support_action(journal=journal, by=worker, kind=kind, authority=authority,
                              text=text, event_date=today - timedelta(days=rng.randint(3, 20)))

    sessions = 0
    for week in range(WEEKS):
        day = first + timedelta(weeks=week, days=2)  # Wednesdays
        if day >= today:
            break
        sent = rng.randint(5, 30)
        session = InternetSession.objects.create(
            date=day, sites=", ".join(rng.sample(SITES, k=2)),
            ads_reviewed=rng.randint(30, 150), emails_sent=sent,
            replies=rng.randint(0, max(1, sent // 5)), created_by=worker,
        )
        session.staff.set(team)
        sessions += 1

    for days_ago, audience, title, attendees in [
        (70, Audience.CITY_STAFF, "Socialtjänstens mottagningsgrupp", 25),
        (45, Audience.STUDENTS, "Socionomprogrammet, termin 5", 60),
        (20, Audience.ORGANISATION, "Frivilligorganisation, volontärutbildning", 14),
        (8, Audience.PUBLIC, "Öppet möte på biblioteket", 30),
    ]:
        talk = InfoTalk.objects.create(date=today - timedelta(days=days_ago), audience=audience,
                                       title=title, attendees=attendees, created_by=worker)
        talk.staff.set(team)

    for language, name, subject, body in TEMPLATES:
        EmailTemplate.objects.get_or_create(
            name=name, language=language,
            defaults={"subject": subject, "body": body, "updated_by": worker,
                      "updated_at": now},
        )
    return _("Uppsökande: %(shifts)d pass, %(contacts)d kontakter, %(sessions)d "
             "internetpass.") % {"shifts": shifts, "contacts": contacts, "sessions": sessions}


def _contact(shift, at, worker, rng, nicknames, clients, met_clients):
    """One contact: mostly anonymous, a quarter under a (returning) nickname, a few with a
    registered client. Written directly: the shift is already closed."""
    roll = rng.random()
    fields = {"shift": shift, "at": at, "recorded_by": worker,
              "outcome": rng.choice(list(ContactOutcome)), "note": rng.choice(NOTES)}
    offered = rng.sample(list(OfferKind), k=rng.randint(0, 2))
    fields.update({f"offered_{kind.value}": kind in offered for kind in OfferKind})
    if roll < 0.08 and clients:
        client = rng.choice(clients)
        fields.update(client=client, first_contact=client.pk not in met_clients)
        met_clients.add(client.pk)
    else:
        fields.update(
            perceived_gender=rng.choices(
                [Gender.WOMAN, Gender.MAN, Gender.TRANS_NONBINARY, Gender.NOT_STATED],
                weights=[80, 8, 8, 4])[0],
            age_band=rng.choice([AgeBand.UNDER_25, AgeBand.FROM_25, AgeBand.FROM_35,
                                 AgeBand.FROM_45, AgeBand.UNKNOWN]),
            language=rng.choice(LANGUAGES),
        )
        if roll < 0.35:
            name = rng.choice(NICKNAMES)
            nickname = nicknames.get(name)
            if nickname is None:
                nickname = nicknames[name] = Nickname.objects.create(
                    name=name, created_by=worker, created_at=at,
                    last_seen_at=at,
                )
                fields["first_contact"] = True
            else:
                nickname.last_seen_at = at
                nickname.save(update_fields=["last_seen_at"])
                fields["first_contact"] = False
            fields["nickname"] = nickname
        else:
            fields["first_contact"] = rng.random() < 0.6
    Contact.objects.create(**fields)
    return 1
