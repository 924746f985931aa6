"""The trafficking unit's models (DESIGN §2): a victim's case, the police raids the unit
attends, protected housing placements, contacts with authorities, deadlines (reflection period,
temporary residence permit) and the return home. They point at the shared models in
clients.models (Client, Journal), never copy them: the person is a client enrolled in the unit
"trafficking", whose languages and interpreter need are the client's own fields.

A case is seen by those who read the client's trafficking journal (the team: DESIGN §3), a raid
by the staff of the unit. No address of a shelter is stored anywhere."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client, Journal


class Country(models.TextChoices):
    """Country of origin and of return: ISO 3166-1 alpha-2 codes of the countries the unit
    meets (a controlled list, so that "by country of origin" counts in the database), plus
    "another country" and "not known"."""

    SE = "SE", _("Sverige")
    AL = "AL", _("Albanien")
    BA = "BA", _("Bosnien och Hercegovina")
    BG = "BG", _("Bulgarien")
    BR = "BR", _("Brasilien")
    CN = "CN", _("Kina")
    CO = "CO", _("Colombia")
    CZ = "CZ", _("Tjeckien")
    DO = "DO", _("Dominikanska republiken")
    EE = "EE", _("Estland")
    ER = "ER", _("Eritrea")
    ET = "ET", _("Etiopien")
    GH = "GH", _("Ghana")
    HU = "HU", _("Ungern")
    IQ = "IQ", _("Irak")
    LT = "LT", _("Litauen")
    LV = "LV", _("Lettland")
    MA = "MA", _("Marocko")
    MD = "MD", _("Moldavien")
    MN = "MN", _("Mongoliet")
    NG = "NG", _("Nigeria")
    PH = "PH", _("Filippinerna")
    PL = "PL", _("Polen")
    RO = "RO", _("Rumänien")
    RS = "RS", _("Serbien")
    RU = "RU", _("Ryssland")
    SK = "SK", _("Slovakien")
    SO = "SO", _("Somalia")
    SY = "SY", _("Syrien")
    TH = "TH", _("Thailand")
    UA = "UA", _("Ukraina")
    UG = "UG", _("Uganda")
    VN = "VN", _("Vietnam")
    OTHER = "XX", _("Annat land")
    UNKNOWN = "ZZ", _("Okänt")


class IdentifiedBy(models.TextChoices):
    """How the person was identified as a victim."""

    RAID = "raid", _("Polisens tillslag")
    OUTREACH = "outreach", _("Uppsökande arbete")
    ORGANISATION = "organisation", _("Annan organisation")
    SELF = "self", _("Personen själv")
    AUTHORITY = "authority", _("Annan myndighet")


class PlaceKind(models.TextChoices):
    APARTMENT = "apartment", _("Lägenhet")
    HOTEL = "hotel", _("Hotell")
    MASSAGE_PARLOUR = "massage_parlour", _("Massagesalong")
    CLUB = "club", _("Klubb")
    OTHER = "other", _("Annan plats")


class Raid(models.Model):
    """A police raid (tillslag) the unit attended: counts only, never names. The persons who
    accepted support become (or are linked to) cases, which point at the raid."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("datum"), default=timezone.localdate)
    place_kind = models.CharField(_("typ av plats"), max_length=20, choices=PlaceKind.choices)
    police_reference = models.CharField(
        _("polisens referens"), max_length=60, blank=True,
        help_text=_("Polisens beteckning på insatsen, som polisen anger den."),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="trafficking_raids", blank=True,
        verbose_name=_("personal på plats"),
    )
    persons_met = models.PositiveSmallIntegerField(_("antal personer som mötts"), default=0)
    persons_accepted = models.PositiveSmallIntegerField(
        _("antal som tackade ja till stöd"), default=0,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("tillslag")
        verbose_name_plural = _("tillslag")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["-date", "-id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(persons_accepted__lte=F("persons_met")),
                name="raid_accepted_at_most_met",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_place_kind_display()}"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)


class TraffickingCase(models.Model):
    """A person identified as a victim of trafficking for sexual purposes: a client of the
    unit, with where they come from and how and when they were identified. One open case per
    client. journal is the client's trafficking journal: who reads it sees the case."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="trafficking_cases",
        verbose_name=_("klient"),
    )
    journal = models.ForeignKey(
        Journal, on_delete=models.PROTECT, related_name="trafficking_cases",
        verbose_name=_("journal"),
    )
    country_of_origin = models.CharField(
        _("ursprungsland"), max_length=2, choices=Country.choices, default=Country.UNKNOWN,
    )
    identified_on = models.DateField(_("identifierad"), default=timezone.localdate)
    identified_by = models.CharField(
        _("hur personen identifierades"), max_length=20, choices=IdentifiedBy.choices,
    )
    domestic = models.BooleanField(
        _("inhemsk människohandel"), default=False,
        help_text=_("En svensk medborgare som utnyttjats i Sverige."),
    )
    raid = models.ForeignKey(
        Raid, null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
        verbose_name=_("tillslag"),
    )
    opened_on = models.DateField(_("öppnat"), default=timezone.localdate)
    closed_on = models.DateField(_("avslutat"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("ärende om människohandel")
        verbose_name_plural = _("ärenden om människohandel")
        ordering = ["-opened_on", "-pk"]
        indexes = [
            models.Index(fields=["-opened_on", "-id"]),
            models.Index(fields=["country_of_origin", "identified_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(closed_on__isnull=True),
                name="trafficking_one_open_case_per_client",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="trafficking_case_closed_after_opened",
            ),
        ]

    def __str__(self):
        return f"{self.client} {self.opened_on:%Y-%m-%d}"

    @property
    def is_open(self):
        return self.closed_on is None


class HousingProvider(models.Model):
    """A provider of protected housing (a list the unit keeps, seeded by the data migration).
    Never the address of a shelter."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    active = models.BooleanField(_("aktiv"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("boendeanordnare")
        verbose_name_plural = _("boendeanordnare")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class HousingPlacement(models.Model):
    """A placement in protected housing: who provides it, from and to. The shelter's address
    is never stored."""

    case = models.ForeignKey(
        TraffickingCase, on_delete=models.PROTECT, related_name="placements",
        verbose_name=_("ärende"),
    )
    provider = models.ForeignKey(
        HousingProvider, on_delete=models.PROTECT, related_name="placements",
        verbose_name=_("boende"),
        help_text=_("Välj anordnaren. Det skyddade boendets adress registreras aldrig."),
    )
    starts_on = models.DateField(_("från och med"))
    ends_on = models.DateField(_("till och med"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("placering i skyddat boende")
        verbose_name_plural = _("placeringar i skyddat boende")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="trafficking_placement_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.starts_on:%Y-%m-%d}"


class Authority(models.TextChoices):
    POLICE = "police", _("Polisen")
    PROSECUTOR = "prosecutor", _("Åklagare")
    MIGRATION_AGENCY = "migration_agency", _("Migrationsverket")
    COURT = "court", _("Domstol")
    EMBASSY = "embassy", _("Ambassad")
    RETURN_ORGANISATION = "return_organisation", _("Organisation för återvändande")


class AuthorityContact(models.Model):
    """A contact with an authority about the case: when, why, what came of it."""

    case = models.ForeignKey(
        TraffickingCase, on_delete=models.PROTECT, related_name="authority_contacts",
        verbose_name=_("ärende"),
    )
    authority = models.CharField(_("myndighet"), max_length=30, choices=Authority.choices)
    date = models.DateField(_("datum"), default=timezone.localdate)
    purpose = models.CharField(_("syfte"), max_length=200)
    outcome = models.TextField(_("resultat"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("myndighetskontakt")
        verbose_name_plural = _("myndighetskontakter")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_authority_display()} {self.date:%Y-%m-%d}"


class DeadlineKind(models.TextChoices):
    REFLECTION_PERIOD = "reflection_period", _("Betänketid")
    TEMPORARY_PERMIT = "temporary_permit", _("Tidsbegränsat uppehållstillstånd")
    OTHER = "other", _("Annan tidsfrist")


class Deadline(models.Model):
    """The end of a reflection period, a temporary residence permit or another time limit.
    The team's start page lists those that end soon (settings.TRAFFICKING_DEADLINE_DAYS)."""

    case = models.ForeignKey(
        TraffickingCase, on_delete=models.PROTECT, related_name="deadlines",
        verbose_name=_("ärende"),
    )
    kind = models.CharField(_("typ"), max_length=20, choices=DeadlineKind.choices)
    ends_on = models.DateField(_("slutar"))
    note = models.CharField(_("kommentar"), max_length=200, blank=True)
    done = models.BooleanField(_("hanterad"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("tidsfrist")
        verbose_name_plural = _("tidsfrister")
        ordering = ["ends_on", "pk"]
        indexes = [models.Index(fields=["done", "ends_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.ends_on:%Y-%m-%d}"


class ReturnState(models.TextChoices):
    PLANNED = "planned", _("Planerat")
    COMPLETED = "completed", _("Genomfört")


class ArrangedBy(models.TextChoices):
    UNIT = "unit", _("Enheten")
    MIGRATION_AGENCY = "migration_agency", _("Migrationsverket")
    IOM = "iom", _("IOM")
    EMBASSY = "embassy", _("Ambassad")
    ORGANISATION = "organisation", _("Annan organisation")
    PERSON = "person", _("Personen själv")


class ReturnHome(models.Model):
    """The case's return home, planned or completed: when, to which country, the organisation
    that receives the person there, who arranged the journey. One per case."""

    case = models.OneToOneField(
        TraffickingCase, on_delete=models.PROTECT, related_name="return_home",
        verbose_name=_("ärende"),
    )
    state = models.CharField(_("status"), max_length=10, choices=ReturnState.choices,
                             default=ReturnState.PLANNED)
    date = models.DateField(_("datum"))
    country = models.CharField(_("land"), max_length=2, choices=Country.choices)
    receiving_organisation = models.CharField(
        _("mottagande organisation"), max_length=200, blank=True,
    )
    arranged_by = models.CharField(_("resan ordnad av"), max_length=20,
                                   choices=ArrangedBy.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("återvändande")
        verbose_name_plural = _("återvändanden")
        indexes = [models.Index(fields=["state", "date"])]

    def __str__(self):
        return f"{self.get_state_display()} {self.date:%Y-%m-%d}"
