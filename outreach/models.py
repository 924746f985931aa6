"""The outreach unit's models (DESIGN §2): shifts on the street with their observations and
material, the contacts made on them (mostly anonymous, some under the team's nickname for a
person, some with registered clients), the support actions recorded with outreach journal
entries, internet outreach (sessions, information e-mail templates and the keyed hashes of the
addresses mailed) and the information work (talks and trainings). They point at the shared
models in clients.models (Client, JournalEntry), never copy them.

Everything the yearly statistics count is a structured field: integers, choices, foreign
keys. Free text (the shift report, a contact's note) is never counted."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import AgeBand, Client, Gender, JournalEntry
from prostenhet.lib.text import fold

# --- the unit's lists --------------------------------------------------------------------------


class Area(models.Model):
    """A place the street outreach visits (the data migration writes the unit's list)."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("används"), default=True)

    class Meta:
        verbose_name = _("område")
        verbose_name_plural = _("områden")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class MaterialKind(models.Model):
    """A kind of material handed out on a shift: condoms, lubricant, leaflets…"""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("används"), default=True)

    class Meta:
        verbose_name = _("materialsort")
        verbose_name_plural = _("materialsorter")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


# --- shifts ------------------------------------------------------------------------------------

# A shift is at most this long (two evenings or nights a week; a night may pass midnight).
MAX_SHIFT_HOURS = 16


class ShiftQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class Shift(models.Model):
    """An evening or night on the street: when, who, where, a short report about the
    environment (never about named persons) and what was seen and handed out, as counts.
    Contacts are added while it is open; a closed shift gets no new contacts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("slut"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="outreach_shifts", verbose_name=_("personal"),
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="shifts", verbose_name=_("områden")
    )
    report = models.TextField(
        _("passrapport"), blank=True, max_length=2000,
        help_text=_("Kort om miljön: hur många som var ute, stämningen, förändringar. "
                    "Aldrig om namngivna personer."),
    )
    seen_women = models.PositiveIntegerField(_("säljande, kvinnor"), default=0)
    seen_men = models.PositiveIntegerField(_("säljande, män"), default=0)
    seen_trans = models.PositiveIntegerField(_("säljande, trans/icke-binära"), default=0)
    buyers_seen = models.PositiveIntegerField(_("köpare"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("avslutat"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("pass")
        verbose_name_plural = _("pass")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="shift_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["-starts_at"]),
            models.Index(fields=["closed_at", "-starts_at"]),
        ]

    def __str__(self):
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def seen_selling(self):
        return self.seen_women + self.seen_men + self.seen_trans


class ShiftMaterial(models.Model):
    """How much of a kind of material was handed out on a shift."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="materials")
    kind = models.ForeignKey(MaterialKind, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("material"))
    count = models.PositiveIntegerField(_("antal"))

    class Meta:
        verbose_name = _("utdelat material")
        verbose_name_plural = _("utdelat material")
        ordering = ["kind__order", "kind__name"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "kind"], name="shift_material_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.count}"


# --- contacts ----------------------------------------------------------------------------------


class Nickname(models.Model):
    """The team's name for a person met on the street who is not registered, so that repeat
    contacts with one person count as one person. When the person agrees to be registered,
    the nickname points at the client and its contacts move to the client."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("smeknamn"), max_length=60)
    name_folded = models.CharField(max_length=60, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(_("senast träffad"), default=timezone.now)
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("registrerad som"),
    )
    registered_at = models.DateTimeField(_("registrerad"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("smeknamn")
        verbose_name_plural = _("smeknamn")
        ordering = ["name_folded", "pk"]
        constraints = [
            # One person per name among those not (yet) registered.
            models.UniqueConstraint(fields=["name_folded"], condition=Q(client__isnull=True),
                                    name="nickname_unique_unregistered"),
        ]
        indexes = [models.Index(fields=["client", "-last_seen_at"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)[:60]
        super().save(*args, **kwargs)


class OfferKind(models.TextChoices):
    CLINIC = "clinic", _("Besök på Spiralen")
    COUNSELLING = "counselling", _("Samtalsbehandling")
    PRACTICAL = "practical", _("Praktisk hjälp")
    ACCOMPANYING = "accompanying", _("Följa med till myndighet")


class ContactOutcome(models.TextChoices):
    INFORMATION = "information", _("Samtal och information")
    ACCEPTED = "accepted", _("Tackade ja till erbjudandet")
    DECLINED = "declined", _("Tackade nej")
    BOOKED = "booked", _("Tid bokad")
    REFERRED = "referred", _("Hänvisad vidare")


class Contact(models.Model):
    """A contact on a shift: first or repeat; with a registered client, or anonymous (perceived
    gender, age band, language, and the team's nickname if any); what was offered (one boolean
    per OfferKind, so that the statistics count them in the database) and the outcome."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="contacts",
                              verbose_name=_("pass"))
    at = models.DateTimeField(_("tid"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    first_contact = models.BooleanField(_("första kontakt"), default=True)
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT,
        related_name="outreach_contacts", verbose_name=_("klient"),
    )
    nickname = models.ForeignKey(
        Nickname, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts",
        verbose_name=_("smeknamn"),
    )
    perceived_gender = models.CharField(
        _("kön (uppfattat)"), max_length=20, choices=Gender.choices, default=Gender.NOT_STATED
    )
    age_band = models.CharField(_("ålder"), max_length=10, choices=AgeBand.choices,
                                default=AgeBand.UNKNOWN)
    language = models.CharField(_("språk"), max_length=60, blank=True)
    offered_clinic = models.BooleanField(OfferKind.CLINIC.label, default=False)
    offered_counselling = models.BooleanField(OfferKind.COUNSELLING.label, default=False)
    offered_practical = models.BooleanField(OfferKind.PRACTICAL.label, default=False)
    offered_accompanying = models.BooleanField(OfferKind.ACCOMPANYING.label, default=False)
    outcome = models.CharField(_("utfall"), max_length=20, choices=ContactOutcome.choices,
                               default=ContactOutcome.INFORMATION)
    note = models.CharField(_("kommentar"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("kontakt")
        verbose_name_plural = _("kontakter")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(client__isnull=True) | Q(nickname__isnull=True),
                name="contact_client_or_nickname",
            ),
        ]
        indexes = [
            models.Index(fields=["shift", "-at"]),
            models.Index(fields=["at"]),
            models.Index(fields=["client", "-at"]),
            models.Index(fields=["nickname", "-at"]),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    @property
    def offered(self):
        return [kind for kind in OfferKind if getattr(self, f"offered_{kind.value}")]

    @property
    def offered_labels(self):
        return [str(kind.label) for kind in self.offered]


def contact_count(field):
    """An annotation: how many contacts each shift (field "shift") or nickname ("nickname")
    has, counted by a subquery per row. Lists cut to a page count the page's contacts only,
    where a join with GROUP BY read every contact ever recorded before the page was cut."""
    contacts = (
        Contact.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
        .annotate(count=Count("pk")).values("count")
    )
    return Coalesce(Subquery(contacts), 0)


# --- coordination ------------------------------------------------------------------------------


class SupportKind(models.TextChoices):
    CLINIC_BOOKING = "clinic_booking", _("Första tid bokad på Spiralen")
    AUTHORITY_CONTACT = "authority_contact", _("Kontakt med annan myndighet")
    ACCOMPANYING = "accompanying", _("Följt med till möte")
    OTHER = "other", _("Annat stöd")


class Authority(models.TextChoices):
    SOCIAL_SERVICES = "social_services", _("Socialtjänsten")
    HEALTH_CARE = "health_care", _("Hälso- och sjukvården")
    POLICE = "police", _("Polisen")
    MIGRATION_AGENCY = "migration_agency", _("Migrationsverket")
    SOCIAL_INSURANCE = "social_insurance", _("Försäkringskassan")
    EMPLOYMENT_SERVICE = "employment_service", _("Arbetsförmedlingen")
    HOUSING = "housing", _("Bostad eller härbärge")
    OTHER_ORGANISATION = "other_organisation", _("Annan organisation")


class SupportAction(models.Model):
    """What an outreach journal entry of support and coordination records besides its text:
    the kind of action and, for a contact or a meeting, the authority. Written and signed with
    its entry (services.support); a signed entry's action never changes."""

    entry = models.OneToOneField(
        JournalEntry, on_delete=models.CASCADE, related_name="support_action",
        verbose_name=_("journalanteckning"),
    )
    kind = models.CharField(_("stödinsats"), max_length=30, choices=SupportKind.choices)
    authority = models.CharField(_("myndighet eller organisation"), max_length=30,
                                 choices=Authority.choices, blank=True)

    class Meta:
        verbose_name = _("stöd och samordning")
        verbose_name_plural = _("stöd och samordning")

    def __str__(self):
        return str(self.get_kind_display())


# --- internet outreach -------------------------------------------------------------------------


class InternetSession(models.Model):
    """A session of outreach on the internet: the sites and ads reviewed, the information
    e-mails sent and the replies."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("datum"), default=timezone.localdate)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="outreach_internet_sessions",
        verbose_name=_("personal"),
    )
    sites = models.CharField(
        _("webbplatser"), max_length=300, blank=True,
        help_text=_("Namnen på de webbplatser som gicks igenom, åtskilda med komma."),
    )
    ads_reviewed = models.PositiveIntegerField(_("annonser genomgångna"), default=0)
    emails_sent = models.PositiveIntegerField(_("informationsmejl skickade"), default=0)
    replies = models.PositiveIntegerField(_("svar"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("internetpass")
        verbose_name_plural = _("internetpass")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["-date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d}"


class TemplateLanguage(models.TextChoices):
    SWEDISH = "sv", _("svenska")
    ENGLISH = "en", _("engelska")
    ROMANIAN = "ro", _("rumänska")
    SPANISH = "es", _("spanska")
    BULGARIAN = "bg", _("bulgariska")
    RUSSIAN = "ru", _("ryska")
    THAI = "th", _("thailändska")
    POLISH = "pl", _("polska")
    HUNGARIAN = "hu", _("ungerska")


class EmailTemplate(models.Model):
    """An information e-mail the unit sends to people advertising online, in one language."""

    name = models.CharField(_("namn"), max_length=100)
    language = models.CharField(_("språk"), max_length=5, choices=TemplateLanguage.choices)
    subject = models.CharField(_("ämnesrad"), max_length=200)
    body = models.TextField(_("text"), max_length=10_000)
    active = models.BooleanField(_("används"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("senast ändrad"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("e-postmall")
        verbose_name_plural = _("e-postmallar")
        ordering = ["-active", "name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["name", "language"],
                                    name="email_template_once_per_language"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_language_display()})"


class EmailHash(models.Model):
    """That an address was sent an information e-mail on a day: only a keyed hash of the
    address (HMAC-SHA256 with settings.OUTREACH_EMAIL_HASH_KEY) is kept, never the address,
    and only for settings.OUTREACH_EMAIL_REPEAT_DAYS (weed_outreach_hashes)."""

    digest = models.CharField(max_length=64, unique=True)
    mailed_on = models.DateField(db_index=True)

    class Meta:
        verbose_name = _("skickad adress (hash)")
        verbose_name_plural = _("skickade adresser (hash)")

    def __str__(self):
        return f"{self.digest[:8]}… {self.mailed_on:%Y-%m-%d}"


# --- information work --------------------------------------------------------------------------


class Audience(models.TextChoices):
    CITY_STAFF = "city_staff", _("Stadens personal")
    ORGANISATION = "organisation", _("Annan organisation")
    PUBLIC = "public", _("Allmänheten")
    STUDENTS = "students", _("Studenter")
    OTHER = "other", _("Annan")


class InfoTalk(models.Model):
    """A talk or training the unit gave, for the annual report."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("datum"), default=timezone.localdate)
    audience = models.CharField(_("målgrupp"), max_length=20, choices=Audience.choices)
    title = models.CharField(
        _("tillfälle"), max_length=200, blank=True,
        help_text=_("Till exempel mottagarens namn eller utbildningens rubrik."),
    )
    attendees = models.PositiveIntegerField(_("antal deltagare"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="outreach_talks", verbose_name=_("personal"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("informationsinsats")
        verbose_name_plural = _("informationsinsatser")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["-date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_audience_display()}"
