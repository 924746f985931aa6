"""The shared models every unit builds on (DESIGN §2): client, enrollment, consent, journal and
journal entry, staff assignment, emergency access, merge, and reception's rooms, bookings,
visits and the counselling queue. Unit apps point at these with foreign
keys and never copy them."""

import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from prostenhet.lib.text import fold, phone_digits
from prostenhet.roles import UnitCode


class Register(models.TextChoices):
    MAIN = "main", _("Huvudregistret")
    KAST = "kast", _("KAST:s register")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Kvinna")
    MAN = "man", _("Man")
    TRANS_NONBINARY = "trans_nonbinary", _("Trans/icke-binär")
    OTHER = "other", _("Annat")
    NOT_STATED = "not_stated", _("Uppgift saknas")


class BornInSweden(models.TextChoices):
    YES = "yes", _("Ja")
    NO = "no", _("Nej")
    UNKNOWN = "unknown", _("Vet ej")


class Quality(models.TextChoices):
    """How an identity field is known: so that "withheld" is never confused with "missing"."""

    KNOWN = "known", _("Känd")
    ESTIMATED = "estimated", _("Uppskattad")
    DECLINED = "declined", _("Vill inte uppge")
    NOT_ASKED = "not_asked", _("Inte efterfrågad")


class ClientQuerySet(models.QuerySet):
    def current(self):
        """Clients that are not tombstones of a merge."""
        return self.filter(merged_into__isnull=True)

    def in_register(self, register):
        return self.filter(register=register)

    def alias_prefix(self, text):
        return self.filter(alias_folded__startswith=fold(text))


class Client(models.Model):
    """One person. Only the alias is required: many clients are anonymous."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    register = models.CharField(
        _("register"), max_length=10, choices=Register.choices, default=Register.MAIN
    )
    alias = models.CharField(_("alias"), max_length=100)
    alias_folded = models.CharField(max_length=100, editable=False, db_index=True)
    legal_name = models.CharField(_("namn"), max_length=200, blank=True)
    legal_name_quality = models.CharField(
        _("namn: uppgiftens kvalitet"), max_length=10, choices=Quality.choices,
        default=Quality.NOT_ASKED,
    )
    identity_number = models.CharField(
        _("personnummer"), max_length=12, blank=True, db_index=True,
        help_text=_("Personnummer eller samordningsnummer, lagrat med tolv siffror."),
    )
    identity_number_quality = models.CharField(
        _("personnummer: uppgiftens kvalitet"), max_length=10, choices=Quality.choices,
        default=Quality.NOT_ASKED,
    )
    birth_year = models.PositiveSmallIntegerField(_("födelseår"), null=True, blank=True)
    birth_year_quality = models.CharField(
        _("födelseår: uppgiftens kvalitet"), max_length=10, choices=Quality.choices,
        default=Quality.NOT_ASKED,
    )
    gender = models.CharField(
        _("kön"), max_length=20, choices=Gender.choices, default=Gender.NOT_STATED
    )
    born_in_sweden = models.CharField(
        _("född i Sverige"), max_length=10, choices=BornInSweden.choices,
        default=BornInSweden.UNKNOWN,
    )
    country_of_birth = models.CharField(_("födelseland"), max_length=100, blank=True)
    languages = models.CharField(_("språk"), max_length=200, blank=True)
    interpreter_needed = models.BooleanField(_("behöver tolk"), default=False)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    phone_digits = models.CharField(max_length=40, editable=False, blank=True, db_index=True)
    email = models.EmailField(_("e-post"), blank=True)
    address = models.CharField(_("adress"), max_length=300, blank=True)
    protected_identity = models.BooleanField(_("skyddade personuppgifter"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("registrerad av"),
    )
    created_at = models.DateTimeField(_("registrerad"), default=timezone.now)
    # Optimistic concurrency: a save must name the version it started from.
    version = models.PositiveIntegerField(default=1)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="tombstones"
    )

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("klient")
        verbose_name_plural = _("klienter")
        ordering = ["alias_folded", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "identity_number"],
                condition=~Q(identity_number="") & Q(merged_into__isnull=True),
                name="client_unique_identity_number_per_register",
            ),
        ]
        indexes = [models.Index(fields=["register", "alias_folded"])]
        permissions = [
            ("merge_client", _("Kan slå samman dubbletter")),
            ("undo_merge", _("Kan ångra en sammanslagning")),
            ("open_emergency_access", _("Kan öppna nödåtkomst")),
            ("assign_counsellor", _("Kan tilldela behandlare")),
            ("record_consent", _("Kan registrera samtycke")),
        ]

    def __str__(self):
        return self.alias

    # (value field, its quality field): a value and its quality code agree.
    QUALITY_OF = [
        ("legal_name", "legal_name_quality"),
        ("identity_number", "identity_number_quality"),
        ("birth_year", "birth_year_quality"),
    ]

    def save(self, *args, **kwargs):
        # A value given without saying how it is known is known ("not asked" with a value
        # would contradict itself).
        for value_field, quality_field in self.QUALITY_OF:
            if getattr(self, value_field) not in (None, "") and (
                getattr(self, quality_field) == Quality.NOT_ASKED
            ):
                setattr(self, quality_field, Quality.KNOWN)
        self.alias_folded = fold(self.alias)[:100]
        self.phone_digits = phone_digits(self.phone)
        super().save(*args, **kwargs)

    @property
    def is_tombstone(self):
        return self.merged_into_id is not None


class EnrollmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_on__isnull=True)


class Enrollment(models.Model):
    """The person is a client of this unit from started_on until ended_on."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="enrollments")
    unit = models.CharField(_("verksamhetsdel"), max_length=20, choices=UnitCode.choices)
    started_on = models.DateField(_("start"), default=timezone.localdate)
    ended_on = models.DateField(_("slut"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("inskrivning")
        verbose_name_plural = _("inskrivningar")
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "unit"],
                condition=Q(ended_on__isnull=True),
                name="enrollment_one_active_per_unit",
            ),
        ]

    def __str__(self):
        return f"{self.client} – {self.get_unit_display()}"

    @property
    def is_active(self):
        return self.ended_on is None


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Muntligt")
    WRITTEN = "written", _("Skriftligt")


class ConsentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def between(self, unit, other):
        first, second = sorted([unit, other])
        return self.filter(unit_a=first, unit_b=second)


class Consent(models.Model):
    """The client's consent that two units share information about them."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    unit_a = models.CharField(_("verksamhetsdel"), max_length=20, choices=UnitCode.choices)
    unit_b = models.CharField(_("verksamhetsdel"), max_length=20, choices=UnitCode.choices)
    method = models.CharField(
        _("hur samtycket gavs"), max_length=10, choices=ConsentMethod.choices
    )
    given_at = models.DateTimeField(_("givet"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("återkallat"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_a__lt=models.F("unit_b")), name="consent_units_ordered"
            ),
            models.UniqueConstraint(
                fields=["client", "unit_a", "unit_b"],
                condition=Q(revoked_at__isnull=True),
                name="consent_one_active_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.get_unit_a_display()} ↔ {self.get_unit_b_display()}"

    @property
    def is_active(self):
        return self.revoked_at is None


class Journal(models.Model):
    """One journal per client and unit. After a merge, the merged client's journal of a unit
    the survivor also has points to the survivor's (merged_into) and keeps its entries."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="journals")
    unit = models.CharField(_("verksamhetsdel"), max_length=20, choices=UnitCode.choices)
    created_at = models.DateTimeField(default=timezone.now)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journaler")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "unit"],
                condition=Q(merged_into__isnull=True),
                name="journal_one_per_client_and_unit",
            ),
        ]

    def __str__(self):
        return f"{self.client} – {self.get_unit_display()}"


class EntryKind(models.TextChoices):
    NOTE = "note", pgettext_lazy("entry kind", "Anteckning")
    SESSION = "session", _("Samtal")
    PHONE = "phone", _("Telefonsamtal")
    VISIT = "visit", _("Besök")
    CONTACT = "contact", _("Kontakt")
    # Written by the system for a contracted session that did not take place.
    NO_SHOW = "no_show", _("Uteblivet samtal")
    LATE_CANCELLATION = "late_cancellation", _("Sen avbokning")


class SessionTheme(models.TextChoices):
    """What a counselling session worked with."""

    SELF_ESTEEM = "self_esteem", _("Självkänsla")
    SHAME = "shame", _("Skam")
    INTIMACY = "intimacy", _("Intimitet och sexualitet")
    FEELINGS = "feelings", _("Känslor")
    TRAUMA = "trauma", _("Tidigare övergrepp och trauma")
    RESOURCES = "resources", _("Resurser och förmågor")
    BOUNDARIES = "boundaries", _("Att sätta gränser")


class SessionMethod(models.TextChoices):
    """The parts of the method a session used."""

    RELATION = "relation", _("Relation")
    PEDAGOGY = "pedagogy", _("Pedagogik")
    COGNITION = "cognition", _("Kognition")
    PRACTICE = "practice", _("Praktik")


# What a new entry is by default, by the unit's work: a session in counselling and KAST, a
# visit at the clinic, a contact in outreach.
DEFAULT_ENTRY_KIND = {
    UnitCode.COUNSELLING: EntryKind.SESSION,
    UnitCode.KAST: EntryKind.SESSION,
    UnitCode.SPIRALEN: EntryKind.VISIT,
    UnitCode.OUTREACH: EntryKind.CONTACT,
    UnitCode.TRAFFICKING: EntryKind.NOTE,
}


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SIGNED = "signed", _("Signerad")


class SignedEntryError(ValidationError):
    pass


class JournalEntryQuerySet(models.QuerySet):
    def drafts_of(self, user):
        return self.filter(author=user, state=EntryState.DRAFT)

    def signed(self):
        return self.filter(state=EntryState.SIGNED)


class JournalEntry(models.Model):
    """A journal entry: a draft while written, then signed and locked for ever. A correction
    is a new entry that points to the one it corrects."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries")
    unit = models.CharField(_("verksamhetsdel"), max_length=20, choices=UnitCode.choices)
    kind = models.CharField(
        _("typ"), max_length=20, choices=EntryKind.choices, default=EntryKind.NOTE
    )
    event_date = models.DateField(_("händelsedatum"), default=timezone.localdate)
    written_at = models.DateTimeField(_("skriven"), default=timezone.now)
    updated_at = models.DateTimeField(_("senast sparad"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="journal_entries",
        verbose_name=_("författare"),
    )
    # Bounded for the forms (a long session note is a few thousand characters).
    text = models.TextField(_("text"), blank=True, max_length=50_000)
    state = models.CharField(
        _("status"), max_length=10, choices=EntryState.choices, default=EntryState.DRAFT
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signerad"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
        verbose_name=_("rättar"),
    )
    version = models.PositiveIntegerField(default=1)
    # The editor (one open page) that saved the draft last, and the number of its last save:
    # a page's own autosaves and explicit save are one writer, never "another window", and a
    # late autosave never overwrites what the same page saved after it.
    editor_token = models.CharField(max_length=32, blank=True, editable=False)
    editor_seq = models.PositiveIntegerField(default=0, editable=False)
    # A session note is written from its booking; counselling's and KAST's notes say what
    # the session worked with (SessionTheme) and how (SessionMethod).
    booking = models.ForeignKey(
        "Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="entries",
        verbose_name=_("bokning"),
    )
    themes = models.JSONField(_("teman"), default=list, blank=True)
    methods = models.JSONField(_("metod"), default=list, blank=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("journalanteckning")
        verbose_name_plural = _("journalanteckningar")
        ordering = ["-event_date", "-written_at"]
        indexes = [
            models.Index(fields=["journal", "-event_date"]),
            models.Index(fields=["author", "state"]),
            # The yearly statistics read a year's entries by date.
            models.Index(fields=["event_date"]),
        ]
        constraints = [
            # One draft per editor: an autosave and a save racing from one page make one.
            models.UniqueConstraint(
                fields=["author", "editor_token"], condition=~Q(editor_token=""),
                name="entry_one_per_editor",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.event_date}"

    def save(self, *args, **kwargs):
        # A signed entry is never changed (the PostgreSQL trigger refuses it too).
        if self.pk and type(self).objects.filter(pk=self.pk, state=EntryState.SIGNED).exists():
            raise SignedEntryError(_("En signerad anteckning kan inte ändras."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and type(self).objects.filter(pk=self.pk, state=EntryState.SIGNED).exists():
            raise SignedEntryError(_("En signerad anteckning kan inte tas bort."))
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self):
        return self.state == EntryState.SIGNED

    @property
    def theme_labels(self):
        """The session's themes as a person reads them (stored as SessionTheme codes)."""
        return [str(SessionTheme(code).label) for code in self.themes
                if code in SessionTheme.values]

    @property
    def method_labels(self):
        return [str(SessionMethod(code).label) for code in self.methods
                if code in SessionMethod.values]


class AssignmentRole(models.TextChoices):
    RESPONSIBLE = "responsible", _("Ansvarig behandlare")
    SUBSTITUTE = "substitute", _("Ersättare")


class AssignmentQuerySet(models.QuerySet):
    def current(self, today=None):
        today = today or timezone.localdate()
        return self.filter(ended_at__isnull=True).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )


class Assignment(models.Model):
    """A counsellor responsible for a counselling or KAST journal, or a named substitute
    (with an end date)."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="assignments")
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments",
        verbose_name=_("behandlare"),
    )
    role = models.CharField(_("roll"), max_length=20, choices=AssignmentRole.choices)
    starts_on = models.DateField(_("från"), default=timezone.localdate)
    ends_on = models.DateField(_("till och med"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("tilldelning")
        verbose_name_plural = _("tilldelningar")
        ordering = ["role", "starts_on"]
        indexes = [
            # expire_lapsed() asks at every request whether one of the user's substitute
            # assignments has run out: the open ones with an end date, a handful a person.
            models.Index(
                fields=["counsellor", "ends_on"], name="assignment_open_ending",
                condition=Q(ended_at__isnull=True, ends_on__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="responsible") | Q(ends_on__isnull=False),
                name="assignment_substitute_has_end_date",
            ),
            models.UniqueConstraint(
                fields=["journal"],
                condition=Q(role="responsible", ended_at__isnull=True),
                name="assignment_one_responsible",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.counsellor}"


class EmergencyAccessQuerySet(models.QuerySet):
    def open(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now(), closed_at__isnull=True)


class EmergencyAccess(models.Model):
    """Nödåtkomst: a staff member opens a record outside their rights, stating a reason."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = models.TextField(_("skäl"), max_length=1000)
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("gäller till"))
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("nödåtkomst")
        verbose_name_plural = _("nödåtkomster")
        ordering = ["-opened_at"]
        indexes = [
            # expire_lapsed() asks at every request whether one of the user's open emergency
            # accesses has run out.
            models.Index(
                fields=["user", "expires_at"], name="emergencyaccess_open",
                condition=Q(closed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.client} ({self.opened_at:%Y-%m-%d %H:%M})"


class ClientMerge(models.Model):
    """A merge of a duplicate into a surviving client, with every row it moved, so that a
    manager can undo it."""

    survivor = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_in")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_out")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    # [{"model": "clients.enrollment", "pk": 3, "field": "client_id", "old": 7}, ...]
    moved = models.JSONField(default=list)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sammanslagning")
        verbose_name_plural = _("sammanslagningar")
        ordering = ["-merged_at"]

    def __str__(self):
        return f"{self.merged} → {self.survivor}"


# Object permissions with direct foreign keys (DESIGN §3: generic ones do not scale).
class ClientUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


class ClientGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


class JournalUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Journal, on_delete=models.CASCADE)


class JournalGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Journal, on_delete=models.CASCADE)


# --- reception: rooms, bookings, visits --------------------------------------------------------


class Room(models.Model):
    """A room that can be booked (a counselling room, the clinic's examination room)."""

    name = models.CharField(_("namn"), max_length=60, unique=True)
    unit = models.CharField(_("verksamhetsdel"), max_length=20, choices=UnitCode.choices)
    active = models.BooleanField(_("aktivt"), default=True)

    class Meta:
        verbose_name = _("rum")
        verbose_name_plural = _("rum")
        ordering = ["name"]

    def __str__(self):
        return self.name


class BookingKind(models.TextChoices):
    SESSION = "session", _("Samtal")
    VISIT = "visit", _("Besök")
    MEETING = "meeting", _("Möte")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Bokad")
    ARRIVED = "arrived", _("Har kommit")
    COMPLETED = "completed", _("Genomförd")
    NO_SHOW = "no_show", _("Uteblev")
    CANCELLED_BY_CLIENT = "cancelled_by_client", _("Avbokad av klienten")
    CANCELLED_BY_UNIT = "cancelled_by_unit", _("Avbokad av enheten")


# A booking in one of these holds its time: the staff member and the room are taken.
HOLDING_STATUSES = (
    BookingStatus.BOOKED, BookingStatus.ARRIVED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW,
)


class BookingQuerySet(models.QuerySet):
    def holding(self):
        return self.filter(status__in=HOLDING_STATUSES)

    def overlapping(self, starts_at, ends_at):
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def for_day(self, day):
        """Bookings that start on the local day (Europe/Stockholm)."""
        start = timezone.make_aware(datetime.combine(day, time.min))
        return self.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))


class Booking(models.Model):
    """A time with a staff member and/or a room, usually for a client (DESIGN §2). Any unit's
    staff or rooms can be booked; a unit app adds what its bookings need with a foreign key
    here (Spiralen its appointment types). Two holding bookings never overlap for one staff
    member or one room: services lock the staff member's and the room's rows, and on
    PostgreSQL exclusion constraints refuse it whatever writes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.CharField(_("verksamhetsdel"), max_length=20, choices=UnitCode.choices)
    kind = models.CharField(
        _("typ"), max_length=20, choices=BookingKind.choices, default=BookingKind.VISIT
    )
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings",
        verbose_name=_("klient"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="bookings", verbose_name=_("personal"),
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings",
        verbose_name=_("rum"),
    )
    starts_at = models.DateTimeField(_("börjar"))
    ends_at = models.DateTimeField(_("slutar"))
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    # An interpreter is ordered by the office assistant: the language is all they need.
    interpreter_language = models.CharField(_("tolk, språk"), max_length=60, blank=True)
    # One of a session contract's weekly sessions.
    contract = models.ForeignKey(
        "SessionContract", null=True, blank=True, on_delete=models.PROTECT,
        related_name="bookings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The form's one-time token: a double click or a resubmitted form books once.
    request_token = models.CharField(max_length=32, blank=True, editable=False)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("bokning")
        verbose_name_plural = _("bokningar")
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["staff", "starts_at"]),
            models.Index(fields=["room", "starts_at"]),
            models.Index(fields=["client", "starts_at"]),
            models.Index(fields=["starts_at"]),
            # A unit's bookings of a period: the clinic's and KAST's yearly statistics.
            models.Index(fields=["unit", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(staff__isnull=False) | Q(room__isnull=False),
                name="booking_has_staff_or_room",
            ),
            models.UniqueConstraint(
                fields=["created_by", "request_token"], condition=~Q(request_token=""),
                name="booking_once_per_request",
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{local:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    @property
    def is_cancelled(self):
        return self.status not in HOLDING_STATUSES


class VisitPurpose(models.TextChoices):
    BOOKED = "booked", _("Bokad tid")
    DROP_IN = "drop_in", _("Spontanbesök")
    INFORMATION = "information", _("Information och rådgivning")
    PRACTICAL = "practical", _("Praktisk hjälp")
    CLINIC = "clinic", _("Mottagningen Spiralen")


class AgeBand(models.TextChoices):
    UNDER_25 = "18-24", _("18–24 år")
    FROM_25 = "25-34", _("25–34 år")
    FROM_35 = "35-44", _("35–44 år")
    FROM_45 = "45-54", _("45–54 år")
    FROM_55 = "55+", _("55 år eller äldre")
    UNKNOWN = "unknown", _("Okänd ålder")


class VisitQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(taken_in_at__isnull=True, closed_at__isnull=True)

    def for_day(self, day):
        start = timezone.make_aware(datetime.combine(day, time.min))
        return self.filter(arrived_at__gte=start, arrived_at__lt=start + timedelta(days=1))


class Visit(models.Model):
    """An arrival at the unit (besök): a booked client, a registered client who drops in, or an
    anonymous visitor counted for statistics (unit, purpose, gender, age band only)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.CharField(_("verksamhetsdel"), max_length=20, choices=UnitCode.choices)
    purpose = models.CharField(_("ärende"), max_length=20, choices=VisitPurpose.choices)
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT, related_name="visits",
        verbose_name=_("klient"),
    )
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="visit"
    )
    gender = models.CharField(
        _("kön"), max_length=20, choices=Gender.choices, default=Gender.NOT_STATED
    )
    age_band = models.CharField(
        _("ålder"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    arrived_at = models.DateTimeField(_("kom"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    taken_in_at = models.DateTimeField(_("togs emot"), null=True, blank=True)
    taken_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("besök")
        verbose_name_plural = _("besök")
        ordering = ["arrived_at"]
        indexes = [models.Index(fields=["arrived_at"]), models.Index(fields=["unit", "arrived_at"])]

    def __str__(self):
        return f"{timezone.localtime(self.arrived_at):%Y-%m-%d %H:%M} {self.get_purpose_display()}"

    @property
    def is_anonymous(self):
        return self.client_id is None


# --- the counselling queue -------------------------------------------------------------------


class QueueSource(models.TextChoices):
    RECEPTION = "reception", _("Mottagningen")
    OUTREACH = "outreach", _("Uppsökande arbete")
    CLINIC = "clinic", _("Spiralen (remiss)")
    SELF = "self", _("Egen anmälan")
    OTHER = "other", _("Annan")


class CounsellorGender(models.TextChoices):
    ANY = "", _("Ingen önskan")
    WOMAN = "woman", _("Kvinna")
    MAN = "man", _("Man")


class QueueRemoval(models.TextChoices):
    OFFERED = "offered", _("Erbjuden plats")
    STARTED_ELSEWHERE = "started_elsewhere", _("Påbörjat på annat håll")
    NOT_WANTED = "not_wanted", _("Vill inte längre")
    NO_CONTACT = "no_contact", _("Ingen kontakt")


class QueueEntryQuerySet(models.QuerySet):
    def waiting(self):
        """The queue as it stands, in its order (date added, unless moved by hand)."""
        return self.filter(left_at__isnull=True).order_by("position", "added_on", "pk")


class QueueEntry(models.Model):
    """A client waiting for counselling sessions (kö till bearbetande samtal): the date, the
    source and practical wishes, never case content."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="queue_entries", verbose_name=_("klient")
    )
    added_on = models.DateField(_("satt i kö"), default=timezone.localdate)
    source = models.CharField(_("kommer från"), max_length=20, choices=QueueSource.choices)
    language = models.CharField(_("språk"), max_length=60, blank=True)
    interpreter_needed = models.BooleanField(_("behöver tolk"), default=False)
    counsellor_gender = models.CharField(
        _("önskar behandlare"), max_length=10, choices=CounsellorGender.choices, blank=True
    )
    # The order: by date added, a hand-made move (with its reason in QueueMove) changes it.
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    left_at = models.DateTimeField(_("lämnade kön"), null=True, blank=True)
    left_reason = models.CharField(
        _("skäl"), max_length=20, choices=QueueRemoval.choices, blank=True
    )
    offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("erbjuden behandlare"),
    )
    version = models.PositiveIntegerField(default=1)

    objects = QueueEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("köplats")
        verbose_name_plural = _("kön")
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(left_at__isnull=True),
                name="queue_one_place_per_client",
            ),
        ]
        indexes = [models.Index(fields=["left_at", "position"])]

    def __str__(self):
        return f"{self.client} {self.added_on}"

    def waited_days(self, today=None):
        return ((today or timezone.localdate()) - self.added_on).days


class QueueMove(models.Model):
    """A change of the queue's order by hand, with its reason."""

    entry = models.ForeignKey(QueueEntry, on_delete=models.PROTECT, related_name="moves")
    from_position = models.PositiveIntegerField()
    to_position = models.PositiveIntegerField()
    reason = models.CharField(_("skäl"), max_length=300)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-moved_at"]

    def __str__(self):
        return f"{self.entry} {self.from_position} → {self.to_position}"


# --- referrals ---------------------------------------------------------------------------------


class ReferralState(models.TextChoices):
    SENT = "sent", _("Skickad")
    ACCEPTED = "accepted", _("Mottagen")
    DECLINED = "declined", _("Avböjd")
    DONE = "done", _("Klar")
    WITHDRAWN = "withdrawn", _("Återtagen")


class ReferralQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=[ReferralState.SENT, ReferralState.ACCEPTED])

    def to_unit(self, unit):
        return self.filter(to_unit=unit)


class Referral(models.Model):
    """A referral from one unit to another (outreach → clinic, clinic → counselling queue,
    counselling → trafficking support …): sent → accepted or declined (with a reason) → done;
    the sender may withdraw it while it is open. Sent only with the client's consent for the
    pair of units. Until it accepts, the receiving unit sees only what the referral says."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("klient")
    )
    from_unit = models.CharField(_("från"), max_length=20, choices=UnitCode.choices)
    to_unit = models.CharField(_("till"), max_length=20, choices=UnitCode.choices)
    message = models.TextField(_("remisstext"), max_length=2000)
    state = models.CharField(
        _("status"), max_length=20, choices=ReferralState.choices, default=ReferralState.SENT
    )
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("skickad"), default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("besvarad"), null=True, blank=True)
    decline_reason = models.CharField(_("skäl"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("remiss")
        verbose_name_plural = _("remisser")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["to_unit", "state", "-sent_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_unit=models.F("to_unit")), name="referral_between_two_units"
            ),
        ]

    def __str__(self):
        return f"{self.get_from_unit_display()} → {self.get_to_unit_display()}"


# --- counselling: session contracts and goals ----------------------------------------------------


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("måndag")
    TUESDAY = 2, _("tisdag")
    WEDNESDAY = 3, _("onsdag")
    THURSDAY = 4, _("torsdag")
    FRIDAY = 5, _("fredag")


class TermHalf(models.TextChoices):
    SPRING = "spring", _("vårtermin")
    AUTUMN = "autumn", _("hösttermin")


def term_of(day):
    """The term a day belongs to: (year, half, first day, last day). Spring runs January to
    June, autumn August to December; a day in July belongs to the autumn term ahead."""
    if day.month <= 6:
        return day.year, TermHalf.SPRING, day.replace(month=1, day=1), day.replace(month=6, day=30)
    return day.year, TermHalf.AUTUMN, day.replace(month=8, day=1), day.replace(month=12, day=31)


class SessionContractQuerySet(models.QuerySet):
    def running(self, today=None):
        today = today or timezone.localdate()
        return self.filter(ended_on__isnull=True, ends_on__gte=today)


class SessionContract(models.Model):
    """A counsellor's verbal contract with a client: the same weekday, time and room every
    week, for a term. It creates the term's weekly bookings; single sessions can be cancelled
    without touching the rest; it is renewed for the next term or ended with a reason."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    journal = models.ForeignKey(
        Journal, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("journal")
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts",
        verbose_name=_("behandlare"),
    )
    weekday = models.PositiveSmallIntegerField(_("veckodag"), choices=Weekday.choices)
    start_time = models.TimeField(_("tid"))
    minutes = models.PositiveSmallIntegerField(_("längd (minuter)"), default=60)
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts",
        verbose_name=_("rum"),
    )
    starts_on = models.DateField(_("från"))
    ends_on = models.DateField(_("till och med"))
    term_year = models.PositiveSmallIntegerField(_("år"))
    term_half = models.CharField(_("termin"), max_length=10, choices=TermHalf.choices)
    renews = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal"
    )
    ended_on = models.DateField(_("avslutat"), null=True, blank=True)
    end_reason = models.CharField(_("skäl"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = SessionContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("samtalskontrakt")
        verbose_name_plural = _("samtalskontrakt")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="contract_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}"


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Pågår")
    KEPT = "kept", _("Behålls")
    REVISED = "revised", _("Omformulerat")
    CLOSED = "closed", _("Avslutat")


class GoalOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("Uppnått")
    PARTLY = "partly", _("Delvis uppnått")
    NOT_ACHIEVED = "not_achieved", _("Inte uppnått")


class Goal(models.Model):
    """A goal the client and the counsellor agree on for a term; at the term's end it is
    evaluated (achieved, partly, not achieved, with a comment) and kept, revised or closed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        SessionContract, on_delete=models.PROTECT, related_name="goals"
    )
    text = models.CharField(_("mål"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )
    outcome = models.CharField(
        _("utvärdering"), max_length=20, choices=GoalOutcome.choices, blank=True
    )
    comment = models.TextField(_("kommentar"), blank=True, max_length=2000)
    evaluated_at = models.DateTimeField(_("utvärderat"), null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    revises = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["created_at"]

    def __str__(self):
        return self.text[:60]


# --- register extracts -------------------------------------------------------------------------


class WithholdingReason(models.TextChoices):
    """Why a part of a register extract is withheld from the client (secrecy review)."""

    OTHER_PERSON = "other_person", _("Uppgift om en annan person")
    HARM = "harm", _("Men för klienten (OSL 26 kap. 5 §, 25 kap. 6 §)")
    OTHER = "other", _("Annat skäl")


class RegisterExtractQuerySet(models.QuerySet):
    def released(self):
        return self.filter(released_at__isnull=False)


class RegisterExtract(models.Model):
    """A client's register extract (registerutdrag, GDPR art. 15): what the units it covers
    hold about the client. Reviewed for secrecy first (ExtractWithholding), then released;
    the release keeps what was released (content, already with the withheld parts taken
    out) and nothing changes after it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="register_extracts",
        verbose_name=_("klient"),
    )
    # The unit codes the extract covers: the producer's units of the client when it was made.
    units = models.JSONField(_("verksamhetsdelar"), default=list)
    requested_on = models.DateField(_("begärt av klienten"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("framtaget av"),
    )
    created_at = models.DateTimeField(_("framtaget"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("frisläppt av"),
    )
    released_at = models.DateTimeField(_("frisläppt"), null=True, blank=True)
    # What was released, as printed (sections of items, the withheld parts already out).
    content = models.JSONField(default=dict, blank=True, editable=False)
    # The client's access-log extract is in it when its producer may review the access log
    # (the log tells of every unit's reads, not only the covered units').
    with_access_log = models.BooleanField(default=False, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = RegisterExtractQuerySet.as_manager()

    class Meta:
        verbose_name = _("registerutdrag")
        verbose_name_plural = _("registerutdrag")
        ordering = ["-created_at", "-id"]
        permissions = [("produce_register_extract", _("Kan ta fram registerutdrag"))]

    def __str__(self):
        return f"{self.client} {self.requested_on:%Y-%m-%d}"

    @property
    def is_released(self):
        return self.released_at is not None


class ExtractWithholding(models.Model):
    """A reviewer's decision to withhold an item of a register extract (passage blank) or a
    passage of its text, with the reason."""

    extract = models.ForeignKey(
        RegisterExtract, on_delete=models.CASCADE, related_name="withholdings"
    )
    # The ExtractItem's key ("clients.entry:12").
    item_key = models.CharField(max_length=100)
    # The exact text withheld; blank: the whole item. Secret in itself: never in the change log.
    passage = models.TextField(_("del av texten"), blank=True, max_length=5000)
    reason = models.CharField(_("skäl"), max_length=20, choices=WithholdingReason.choices)
    note = models.CharField(_("kommentar"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("granskare"),
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("undantag i registerutdrag")
        verbose_name_plural = _("undantag i registerutdrag")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.item_key} ({self.get_reason_display()})"

    @property
    def is_whole_item(self):
        return not self.passage
