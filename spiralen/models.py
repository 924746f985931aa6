"""The Spiralen clinic's models (DESIGN §2): consultation hours and their exceptions,
appointment types, the appointment a clinic booking is, the encounter a journal entry records,
and the samples ordered at an encounter, followed until the patient knows. They point at the
shared models in clients.models (Booking, Journal, JournalEntry, Referral), never copy them.

The clinic's journal is a patient record (health-care law): the client's journal of the unit
"spiralen", kept at least ten years after its last entry (settings.SPIRALEN_RETENTION_YEARS,
which the weeding honours)."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Booking, Journal, JournalEntry, Referral, Weekday
from prostenhet.roles import Profession

# --- bookings ----------------------------------------------------------------------------------


class AppointmentCode(models.TextChoices):
    MIDWIFE_VISIT = "midwife_visit", _("Barnmorskebesök")
    GYN_EXAMINATION = "gyn_examination", _("Gynekologisk undersökning")
    CERVICAL_SCREENING = "cervical_screening", _("Cellprovtagning")
    STI_TESTING = "sti_testing", _("Provtagning för STI och hiv")
    CONTRACEPTION = "contraception", _("Preventivmedelsrådgivning")
    ABORTION_COUNSELLING = "abortion_counselling", _("Abortrådgivning")
    PHYSICIAN = "physician", _("Läkarkonsultation")
    PSYCHIATRIC = "psychiatric", _("Psykiatrisk konsultation")


# The profession that takes each appointment type, and its default length in minutes (the
# data migration writes these; clinicians edit the lengths).
APPOINTMENT_DEFAULTS = {
    AppointmentCode.MIDWIFE_VISIT: (Profession.MIDWIFE, 30),
    AppointmentCode.GYN_EXAMINATION: (Profession.GYNAECOLOGIST, 45),
    AppointmentCode.CERVICAL_SCREENING: (Profession.MIDWIFE, 30),
    AppointmentCode.STI_TESTING: (Profession.MIDWIFE, 30),
    AppointmentCode.CONTRACEPTION: (Profession.MIDWIFE, 30),
    AppointmentCode.ABORTION_COUNSELLING: (Profession.MIDWIFE, 45),
    AppointmentCode.PHYSICIAN: (Profession.PHYSICIAN, 30),
    AppointmentCode.PSYCHIATRIC: (Profession.PSYCHIATRIST, 60),
}


class AppointmentType(models.Model):
    """A kind of clinic appointment: who takes it and how long it usually is."""

    code = models.CharField(_("kod"), max_length=30, choices=AppointmentCode.choices,
                            unique=True)
    profession = models.CharField(_("yrke"), max_length=20, choices=Profession.choices)
    minutes = models.PositiveSmallIntegerField(
        _("längd i minuter"), validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    order = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("besökstyp")
        verbose_name_plural = _("besökstyper")
        ordering = ["order", "code"]

    def __str__(self):
        return str(self.get_code_display())


class ConsultationHours(models.Model):
    """A clinician's weekly hours at the clinic: on this weekday, from..to, from valid_from
    (until valid_until, when the hours change). Nothing is booked outside them."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultation_hours",
        verbose_name=_("kliniker"),
    )
    weekday = models.PositiveSmallIntegerField(_("veckodag"), choices=Weekday.choices)
    starts = models.TimeField(_("från"))
    ends = models.TimeField(_("till"))
    valid_from = models.DateField(_("gäller från"), default=timezone.localdate)
    valid_until = models.DateField(_("gäller till och med"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("mottagningstid")
        verbose_name_plural = _("mottagningstider")
        ordering = ["clinician_id", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")),
                                   name="hours_end_after_start"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="hours_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["clinician", "weekday"])]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class ExceptionReason(models.TextChoices):
    HOLIDAY = "holiday", _("Helgdag eller stängt")
    ABSENCE = "absence", _("Frånvaro")


class HoursException(models.Model):
    """Days the hours do not hold: the whole clinic closed (clinician empty: a holiday) or one
    clinician away (absence), from starts_on to ends_on inclusive."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="hours_exceptions", verbose_name=_("kliniker"),
        help_text=_("Lämna tomt när hela mottagningen är stängd."),
    )
    starts_on = models.DateField(_("från och med"))
    ends_on = models.DateField(_("till och med"))
    reason = models.CharField(_("orsak"), max_length=20, choices=ExceptionReason.choices)
    note = models.CharField(_("kommentar"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("undantag från mottagningstiderna")
        verbose_name_plural = _("undantag från mottagningstiderna")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="exception_valid_range"),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self):
        return f"{self.starts_on}–{self.ends_on} {self.get_reason_display()}"


class Appointment(models.Model):
    """What a clinic booking is for: its appointment type (and the outreach referral it was
    booked from). The booking itself is the shared clients.Booking (unit "spiralen")."""

    booking = models.OneToOneField(
        Booking, on_delete=models.PROTECT, related_name="appointment", verbose_name=_("bokning")
    )
    type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments",
        verbose_name=_("besökstyp"),
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments",
        verbose_name=_("remiss"),
    )

    class Meta:
        verbose_name = _("mottagningsbesök")
        verbose_name_plural = _("mottagningsbesök")

    def __str__(self):
        return f"{self.booking} {self.type}"


# --- the patient record ------------------------------------------------------------------------


# What an encounter was: one of the appointment types, or a talk about sexuality and
# reproductive health (which needs no appointment of its own).
EncounterKind = models.TextChoices("EncounterKind", [
    *((member.name, (member.value, member.label)) for member in AppointmentCode),
    ("SEXUAL_HEALTH_TALK", ("sexual_health_talk", _("Samtal om sexualitet och reproduktiv hälsa"))),
])


class Encounter(models.Model):
    """What a clinic journal entry records besides its text (the findings): the kind of
    encounter, the actions taken, whether an offered examination was postponed (at the
    patient's pace), and the samples ordered. Changes with its draft; locked once the entry
    is signed (the samples are made then, see services.records)."""

    # CASCADE: a discarded draft (clients.services.discard_draft deletes it) takes its
    # encounter along; a signed entry is never deleted (and on PostgreSQL a trigger refuses
    # deleting a signed entry's encounter).
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.CASCADE, related_name="encounter",
        verbose_name=_("journalanteckning"),
    )
    kind = models.CharField(_("besökets art"), max_length=30, choices=EncounterKind.choices)
    actions = models.TextField(_("åtgärder"), blank=True, max_length=20_000)
    examination_postponed = models.BooleanField(
        _("undersökningen erbjöds men sköts upp"), default=False,
        help_text=_("Patienten bestämmer takten: undersökningen erbjuds igen vid ett senare "
                    "besök."),
    )
    sample_kinds = models.JSONField(_("prover"), default=list, blank=True)

    class Meta:
        verbose_name = _("mottagningsanteckning")
        verbose_name_plural = _("mottagningsanteckningar")

    def __str__(self):
        return str(self.get_kind_display())

    @property
    def sample_labels(self):
        return [str(SampleKind(code).label) for code in self.sample_kinds
                if code in SampleKind.values]


class SampleKind(models.TextChoices):
    HIV = "hiv", _("Hiv")
    SYPHILIS = "syphilis", _("Syfilis")
    HEPATITIS_B = "hepatitis_b", _("Hepatit B")
    HEPATITIS_C = "hepatitis_c", _("Hepatit C")
    CHLAMYDIA = "chlamydia", _("Klamydia")
    GONORRHOEA = "gonorrhoea", _("Gonorré")
    CYTOLOGY = "cytology", _("Cellprov/HPV")
    PREGNANCY = "pregnancy", _("Graviditetstest")


# Diseases a positive result of which must be notified under the Communicable Diseases Act
# (smittskyddslagen).
NOTIFIABLE = frozenset({
    SampleKind.HIV, SampleKind.SYPHILIS, SampleKind.HEPATITIS_B, SampleKind.HEPATITIS_C,
    SampleKind.CHLAMYDIA, SampleKind.GONORRHOEA,
})
# Tests read at once, in the room: never sent to a laboratory.
AT_ONCE = frozenset({SampleKind.PREGNANCY})


class SampleState(models.TextChoices):
    TAKEN = "taken", _("Taget")
    SENT = "sent", _("Skickat")
    RESULT = "result", _("Svar finns")
    INFORMED = "informed", _("Patienten informerad")


class SampleResult(models.TextChoices):
    NEGATIVE = "negative", _("Negativt")
    POSITIVE = "positive", _("Positivt")
    INCONCLUSIVE = "inconclusive", _("Oklart")


class InformedHow(models.TextChoices):
    IN_PERSON = "in_person", _("Vid besök")
    PHONE = "phone", _("Per telefon")
    LETTER = "letter", _("Per brev")
    OTHER = "other", _("På annat sätt")


class SampleQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state__in=[SampleState.TAKEN, SampleState.SENT])


class Sample(models.Model):
    """A sample ordered at an encounter, followed through taken → sent → result → patient
    informed; a positive result also gets a follow-up plan and, for a notifiable disease, the
    notification recorded. Each step says when and by whom; none is skipped silently."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    journal = models.ForeignKey(
        Journal, on_delete=models.PROTECT, related_name="samples", verbose_name=_("journal")
    )
    entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="samples",
        verbose_name=_("journalanteckning"),
    )
    kind = models.CharField(_("prov"), max_length=20, choices=SampleKind.choices)
    state = models.CharField(
        _("status"), max_length=20, choices=SampleState.choices, default=SampleState.TAKEN
    )
    taken_at = models.DateTimeField(_("taget"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("taget av"),
    )
    sent_at = models.DateTimeField(_("skickat"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(_("svar"), max_length=20, choices=SampleResult.choices,
                              blank=True)
    result_text = models.TextField(_("svarstext"), blank=True, max_length=2000)
    result_at = models.DateTimeField(_("svar registrerat"), null=True, blank=True)
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    informed_at = models.DateTimeField(_("patienten informerad"), null=True, blank=True)
    informed_how = models.CharField(_("hur"), max_length=20, choices=InformedHow.choices,
                                    blank=True)
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    follow_up_plan = models.TextField(_("uppföljningsplan"), blank=True, max_length=2000)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    notified_on = models.DateField(_("smittskyddsanmälan gjord"), null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    objects = SampleQuerySet.as_manager()

    class Meta:
        verbose_name = _("prov")
        verbose_name_plural = _("prover")
        ordering = ["-taken_at", "pk"]
        indexes = [
            models.Index(fields=["state", "taken_at"]),
            models.Index(fields=["journal", "-taken_at"]),
            models.Index(fields=["result", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entry", "kind"], name="sample_once_per_encounter"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.taken_at):%Y-%m-%d}"

    @property
    def is_notifiable(self):
        return self.kind in NOTIFIABLE

    @property
    def needs_notification(self):
        return (self.result == SampleResult.POSITIVE and self.is_notifiable
                and self.notified_on is None)
