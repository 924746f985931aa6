"""KAST's models (DESIGN §2): the calls and e-mails of its phone counselling, mostly anonymous
(a repeat caller may carry a caller code, a pseudonym the counsellor gives, so that later calls
are linked and follow the caller when they become a client), the referral source kept on a KAST
client, and the counts of buyers reached (street contacts, letters after police questioning),
never names. They point at the shared models in clients.models (Client, Booking), never copy
them: KAST's clients live in KAST's own register (Register.KAST), their contracts, bookings,
session notes and goals are counselling's.

KAST is sealed (DESIGN §3.4): only staff working in KAST see any of it (kast.access)."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Booking, Client

# A call longer than this is a typing error (a long session is booked, not phoned).
MAX_CALL_MINUTES = 240


class HeardVia(models.TextChoices):
    """How the caller heard of KAST: the statistics' "referral source"."""

    POLICE = "police", _("Polisen, efter förhör")
    NEWS = "news", _("Nyhetsartikel")
    INTERNET = "internet", _("Internet")
    HEALTH_CARE = "health_care", _("Hälso- och sjukvården")
    SOCIAL_SERVICES = "social_services", _("Socialtjänsten")
    SOMEONE_CLOSE = "someone_close", _("Någon närstående")
    OTHER = "other", _("Annat")


class CallChannel(models.TextChoices):
    PHONE = "phone", _("Telefon")
    EMAIL = "email", _("E-post")


class CallOutcome(models.TextChoices):
    ADVICE = "advice", _("Råd och stöd gavs")
    OFFERED = "offered", _("Erbjöds samtal")
    BOOKED = "booked", _("Bokade samtal")
    REFERRED = "referred", _("Hänvisades vidare")


class CallTopic(models.TextChoices):
    """What a call was about, for the statistics (besides the short free text)."""

    WANTS_TO_STOP = "wants_to_stop", _("Vill sluta köpa sex")
    AFTER_ARREST = "after_arrest", _("Efter gripande eller förhör")
    RELATIONSHIP = "relationship", _("Relation och partner")
    SHAME = "shame", _("Skam och skuld")
    COMPULSION = "compulsion", _("Tvångsmässigt beteende")
    HEALTH = "health", _("Oro för sjukdom")
    INFORMATION = "information", _("Frågor om KAST")
    OTHER = "other", _("Annat")


class CallQuerySet(models.QuerySet):
    def anonymous(self):
        return self.filter(client__isnull=True)


class Call(models.Model):
    """A phone call or an e-mail to KAST's counselling: when, how long, how the caller heard of
    KAST, what it was about and how it ended. Anonymous unless the caller is a KAST client (or
    becomes one: then their earlier calls with the same caller code follow). A call that ended
    in a booked session points at that session's booking."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    minutes = models.PositiveSmallIntegerField(
        _("längd i minuter"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CALL_MINUTES)],
    )
    channel = models.CharField(
        _("kanal"), max_length=10, choices=CallChannel.choices, default=CallChannel.PHONE
    )
    heard_via = models.CharField(_("hörde om KAST via"), max_length=20, choices=HeardVia.choices)
    summary = models.CharField(_("vad samtalet gällde"), max_length=300)
    topics = models.JSONField(_("ämnen"), default=list, blank=True)
    outcome = models.CharField(_("utfall"), max_length=20, choices=CallOutcome.choices)
    caller_code = models.CharField(
        _("uppringarkod"), max_length=40, blank=True,
        help_text=_("En pseudonym för den som ringer igen, till exempel \"Uppringare 17\"."),
    )
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT, related_name="kast_calls",
        verbose_name=_("klient"),
    )
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="kast_calls",
        verbose_name=_("bokat samtal"),
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kast_calls",
        verbose_name=_("behandlare"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("samtal till KAST")
        verbose_name_plural = _("samtal till KAST")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["-occurred_at"]),
            models.Index(fields=["caller_code", "-occurred_at"]),
            models.Index(fields=["client", "-occurred_at"]),
            models.Index(fields=["outcome", "-occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=MAX_CALL_MINUTES),
                name="kast_call_minutes_range",
            ),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M} {self.get_channel_display()}"

    @property
    def topic_labels(self):
        return [str(CallTopic(code).label) for code in self.topics if code in CallTopic.values]


class KastProfile(models.Model):
    """What KAST keeps on its client besides the shared registry data: how they came to KAST
    (the referral source of the statistics)."""

    client = models.OneToOneField(
        Client, on_delete=models.PROTECT, related_name="kast_profile", verbose_name=_("klient")
    )
    referral_source = models.CharField(
        _("hänvisningsväg"), max_length=20, choices=HeardVia.choices
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("KAST-uppgifter")
        verbose_name_plural = _("KAST-uppgifter")
        indexes = [models.Index(fields=["referral_source"])]

    def __str__(self):
        return str(self.get_referral_source_display())


class OutreachKind(models.TextChoices):
    STREET_CONTACTS = "street_contacts", _("Kontakter med köpare på gatan")
    POLICE_LETTERS = "police_letters", _("Informationsbrev efter polisförhör")


class OutreachPeriod(models.TextChoices):
    SHIFT = "shift", _("Ett pass")
    MONTH = "month", _("En månad")


class BuyerOutreach(models.Model):
    """How many buyers KAST reached one way on a shift (day) or in a month (day is the month's
    first): counts only, never names."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("slag"), max_length=20, choices=OutreachKind.choices)
    period = models.CharField(_("avser"), max_length=10, choices=OutreachPeriod.choices)
    day = models.DateField(_("datum"))
    count = models.PositiveIntegerField(_("antal"))
    note = models.CharField(_("kommentar"), max_length=300, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("registrerad av"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("köparkontakter")
        verbose_name_plural = _("köparkontakter")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["-day"]), models.Index(fields=["kind", "day"])]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=0), name="kast_outreach_count_gte_0"),
            models.CheckConstraint(
                condition=~Q(period="month") | Q(day__day=1),
                name="kast_outreach_month_first_day",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.get_kind_display()}: {self.count}"
