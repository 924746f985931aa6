"""Outreach's demo data (seed_demo, after reception's and the clinic's): a season — about three
months back — of street shifts two evenings a week with their reports, observations and
material, and contacts on them: mostly anonymous, some with nicknames that come back, some with
the registered outreach clients of the client demo; support actions in those clients'
journals; internet sessions once a week; a few information talks; and the information e-mail
templates in Swedish, English, Romanian and Spanish.

Before the season, the history the yearly statistics show: from 1 January two years back,
shifts on Tuesday and Thursday evenings (and summer Fridays) that are fewer in winter and
around Christmas and grow a little from year to year, with material and contacts (nicknames
from a pool that changes over time; registered clients only after their enrollment began);
weekly internet sessions that pause in July; and a talk or two a month. Written in bulk."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import AgeBand, Client, Enrollment, Gender
from prostenhet.lib.text import fold
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


# The history: the people the team came to know by nickname over the years (none of them
# among the season's NICKNAMES, so that the season's first contacts stay first contacts).
PAST_NICKNAMES = [
    "Anka", "Bella", "Cissi", "Dora", "Elsa med väskan", "Fia", "Gina", "Hanna från Sofia",
    "Iza", "Jossan", "Kattis", "Lollo", "Mimmi", "Nadja", "Olga", "Pia i pälsen", "Queenie",
    "Rut", "Stina", "Tessan", "Ulla", "Vera", "Wilma", "Xenia", "Yvette", "Zara", "Alma",
    "Britt", "Corinna", "Dana", "Ebba", "Flora", "Greta", "Hilda", "Irma", "Juni",
]
# How many of the usual shifts are held, by month (fewer in winter and at Christmas).
SHIFT_SHARE = {1: 0.6, 2: 0.65, 3: 0.75, 4: 0.85, 5: 0.9, 6: 0.95, 7: 0.85, 8: 0.95,
               9: 0.9, 10: 0.85, 11: 0.8, 12: 0.5}
# More contacts on light summer evenings.
CONTACTS_BY_MONTH = {1: (2, 7), 2: (2, 7), 3: (3, 8), 4: (3, 9), 5: (4, 10), 6: (5, 12),
                     7: (5, 12), 8: (5, 11), 9: (4, 10), 10: (3, 9), 11: (3, 8), 12: (2, 7)}
TALKS = {
    Audience.CITY_STAFF: (["Socialtjänstens mottagningsgrupp", "Stadsdelsförvaltningens "
                           "uppsökare", "Beroendevården"], (8, 40)),
    Audience.ORGANISATION: (["Frivilligorganisation, volontärutbildning", "Kvinnojouren",
                             "Stadsmissionen"], (6, 25)),
    Audience.PUBLIC: (["Öppet möte på biblioteket", "Föreningsträff"], (12, 50)),
    Audience.STUDENTS: (["Socionomprogrammet, termin 5", "Sjuksköterskeprogrammet",
                         "Polisutbildningen"], (20, 80)),
    Audience.OTHER: (["Studiebesök", "Nätverksträff"], (4, 20)),
}


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed_outreach(staff):
    """Once only: the history since 1 January two years back, then a season of shifts,
    contacts, internet sessions, talks and templates."""
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
    # Tuesdays and Thursdays, 20:00–01:00, from thirteen weeks back to last week.
    first = today - timedelta(weeks=WEEKS)
    first -= timedelta(days=first.weekday())
    shifts, contacts, sessions = _history(worker, first, areas, kinds, clients, met_clients)
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


def _anonymous(rng):
    """What an outreach worker notes of someone anonymous: perceived gender, age band and
    language."""
    return {
        "perceived_gender": rng.choices(
            [Gender.WOMAN, Gender.MAN, Gender.TRANS_NONBINARY, Gender.NOT_STATED],
            weights=[80, 8, 8, 4])[0],
        "age_band": rng.choice([AgeBand.UNDER_25, AgeBand.FROM_25, AgeBand.FROM_35,
                                AgeBand.FROM_45, AgeBand.UNKNOWN]),
        "language": rng.choice(LANGUAGES),
    }


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
        fields.update(_anonymous(rng))
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


# --- the history before the season ---------------------------------------------------------------


def _history(worker, until, areas, kinds, clients, met_clients):
    """The outreach work from 1 January two years back to the day before `until` (the
    season's first day), written in bulk with its own random numbers (so that the season is
    the same with or without it). Adds the clients met to met_clients and returns the numbers
    of shifts, contacts and internet sessions written."""
    rng = random.Random(2024)  # noqa: S311 - repeatable demo data, not security
    start = date(until.year - 2, 1, 1)
    enrolled = {}
    for client_id, started_on in Enrollment.objects.filter(
        unit=UnitCode.OUTREACH, client__in=clients
    ).values_list("client_id", "started_on"):
        enrolled[client_id] = min(started_on, enrolled.get(client_id, started_on))

    shifts, specs = [], []  # specs: (shift index, Contact fields, nickname name or None)
    day = start
    while day < until:
        # A little more outreach each year.
        share = SHIFT_SHARE[day.month] * (0.95 + 0.1 * (day.year - start.year))
        usual = day.isoweekday() in (2, 4)
        summer_friday = day.isoweekday() == 5 and 5 <= day.month <= 8
        if (usual and rng.random() < share) or (summer_friday and rng.random() < share * 0.6):
            summer = 5 <= day.month <= 8
            starts_at = _at(day, rng.choice([21, 22]) if summer else rng.choice([19, 20, 20]))
            ends_at = starts_at + timedelta(minutes=rng.choice([240, 270, 300, 300, 330, 360]))
            shifts.append(Shift(
                starts_at=starts_at, ends_at=ends_at, report=rng.choice(REPORTS),
                seen_women=rng.randint(3, 18 if summer else 12),
                seen_men=rng.randint(0, 3), seen_trans=rng.randint(0, 3),
                buyers_seen=rng.randint(2, 25 if summer else 15), created_by=worker,
                created_at=starts_at, closed_at=ends_at, closed_by=worker,
            ))
            low, high = CONTACTS_BY_MONTH[day.month]
            for number in range(rng.randint(low, high)):
                at = starts_at + timedelta(minutes=15 + number * 20)
                specs.append((len(shifts) - 1, *_past_contact(at, worker, rng, day, start,
                                                              enrolled, met_clients)))
        day += timedelta(days=1)
    Shift.objects.bulk_create(shifts, batch_size=500)
    Shift.staff.through.objects.bulk_create(
        [Shift.staff.through(shift_id=shift.pk, user_id=worker.pk) for shift in shifts],
        batch_size=1000,
    )
    Shift.areas.through.objects.bulk_create([
        Shift.areas.through(shift_id=shift.pk, area_id=area.pk)
        for shift in shifts for area in rng.sample(areas, k=min(rng.randint(1, 3), len(areas)))
    ], batch_size=1000)
    # The first four kinds on every shift, the others now and then.
    ShiftMaterial.objects.bulk_create([
        ShiftMaterial(shift=shift, kind=kind, count=rng.randint(*amounts))
        for shift in shifts
        for number, (kind, amounts) in enumerate(zip(
            kinds, [(20, 150), (10, 80), (5, 40), (2, 20), (1, 10), (1, 15)], strict=False
        ))
        if number < 4 or rng.random() < 0.4
    ], batch_size=1000)

    # The nicknames, each from the first contact under it to the last.
    seen = {}
    for _index, fields, name in specs:
        if name is not None:
            fields["first_contact"] = name not in seen
            first_at, _last = seen.get(name, (fields["at"], None))
            seen[name] = (first_at, fields["at"])
    people = {
        name: Nickname(name=name, name_folded=fold(name)[:60], created_by=worker,
                       created_at=first_at, last_seen_at=last_at)
        for name, (first_at, last_at) in seen.items()
    }
    Nickname.objects.bulk_create(people.values())
    Contact.objects.bulk_create([
        Contact(shift=shifts[index], nickname=people.get(name), **fields)
        for index, fields, name in specs
    ], batch_size=1000)

    sessions = _past_internet(worker, rng, start, until)
    _past_talks(worker, rng, start, until)
    return len(shifts), len(specs), sessions


def _past_contact(at, worker, rng, day, start, enrolled, met_clients):
    """One contact of the history as (fields, nickname name or None): mostly anonymous, about
    three in ten under a nickname of the pool in use then, a few with a registered client
    whose outreach enrollment had begun."""
    fields = {"at": at, "recorded_by": worker, "note": "",
              "outcome": rng.choices(list(ContactOutcome), weights=[60, 12, 12, 8, 8])[0]}
    offered = rng.sample(list(OfferKind), k=rng.choice([0, 0, 1, 1, 2]))
    fields.update({f"offered_{kind.value}": kind in offered for kind in OfferKind})
    roll = rng.random()
    known = [pk for pk, started_on in enrolled.items() if started_on <= day]
    if roll < 0.06 and known:
        client_id = rng.choice(known)
        fields.update(client_id=client_id, first_contact=client_id not in met_clients)
        met_clients.add(client_id)
        return fields, None
    fields.update(_anonymous(rng))
    if roll < 0.35:
        # Twelve names in use at a time, the pool moving on a name every two months.
        months = (day.year - start.year) * 12 + day.month - 1
        name = PAST_NICKNAMES[(months // 2 + rng.randrange(12)) % len(PAST_NICKNAMES)]
        return fields, name  # first_contact: whether it is the name's first, set by _history
    fields["first_contact"] = rng.random() < 0.6
    return fields, None


def _past_internet(worker, rng, start, until):
    """A session on most Wednesdays (none in July), more e-mails each year."""
    sessions = []
    day = start + timedelta(days=(2 - start.weekday()) % 7)
    while day < until:
        if day.month != 7 and rng.random() < 0.85:
            sent = rng.randint(5, 20 + 5 * (day.year - start.year))
            sessions.append(InternetSession(
                date=day, sites=", ".join(rng.sample(SITES, k=2)),
                ads_reviewed=rng.randint(30, 150), emails_sent=sent,
                replies=rng.randint(0, max(1, sent // 5)), created_by=worker,
            ))
        day += timedelta(weeks=1)
    InternetSession.objects.bulk_create(sessions, batch_size=500)
    through = InternetSession.staff.through
    through.objects.bulk_create([through(internetsession_id=s.pk, user_id=worker.pk)
                                 for s in sessions], batch_size=1000)
    return len(sessions)


def _past_talks(worker, rng, start, until):
    """A talk or two most months, none in July."""
    talks = []
    month = start
    while month < until:
        if month.month != 7:
            for _number in range(rng.choice([0, 1, 1, 2])):
                day = month + timedelta(days=rng.randint(1, 26))
                if day >= until:
                    continue
                audience = rng.choices(list(TALKS), weights=[30, 20, 15, 25, 10])[0]
                titles, (low, high) = TALKS[audience]
                talks.append(InfoTalk(date=day, audience=audience, title=rng.choice(titles),
                                      attendees=rng.randint(low, high), created_by=worker))
        month = (month + timedelta(days=32)).replace(day=1)
    InfoTalk.objects.bulk_create(talks)
    through = InfoTalk.staff.through
    through.objects.bulk_create([through(infotalk_id=t.pk, user_id=worker.pk) for t in talks])
