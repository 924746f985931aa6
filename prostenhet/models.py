import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .roles import Profession, Role, UnitCode


class Unit(models.Model):
    """One of the unit's activities (verksamhetsdel); staff work in one or more."""

    code = models.CharField(_("kod"), max_length=20, primary_key=True, choices=UnitCode.choices)

    class Meta:
        verbose_name = _("verksamhetsdel")
        verbose_name_plural = _("verksamhetsdelar")
        ordering = ["code"]

    def __str__(self):
        return str(self.get_code_display())


class UserQuerySet(models.QuerySet):
    def with_roles(self):
        return self.prefetch_related("groups", "units")

    def in_role(self, role):
        return self.filter(groups__name=role)


class StaffManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A staff member. Accounts are never deleted: the audit trail points to them."""

    public_id = models.UUIDField(_("publikt id"), default=uuid.uuid4, unique=True, editable=False)
    units = models.ManyToManyField(
        Unit, verbose_name=_("verksamhetsdelar"), blank=True, related_name="staff"
    )
    profession = models.CharField(
        _("yrke"), max_length=20, choices=Profession.choices, blank=True
    )
    # Changing this ends every session of the user at once (see _get_session_auth_hash).
    session_stamp = models.UUIDField(default=uuid.uuid4, editable=False)
    # Set when someone else (the system administrator) chose the password: the user must
    # choose their own at the next login.
    must_change_password = models.BooleanField(default=False, editable=False)

    objects = StaffManager()

    class Meta:
        verbose_name = _("personal")
        verbose_name_plural = _("personal")
        ordering = ["username"]
        permissions = [
            ("manage_staff", _("Kan administrera personalkonton")),
            ("view_statistics", _("Kan se statistik")),
            ("review_access_log", _("Kan granska åtkomstloggen")),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def group_ids_by_name(self):
        """{name: id} of the user's groups: roles and unit staff groups (one query a
        request: request.user is loaded once)."""
        return {group.name: group.id for group in self.groups.all()}  # uses a prefetch

    @property
    def group_names(self):
        return set(self.group_ids_by_name)

    @cached_property
    def roles(self):
        """The user's roles, in the order of Role (uses prefetched groups when present)."""
        return [role for role in Role if role.value in self.group_names]

    def has_role(self, role):
        return any(r == role for r in self.roles)

    def end_sessions(self):
        """Invalidate every session of this user (on deactivation, role change, 2FA reset).

        The caller saves the user.
        """
        self.session_stamp = uuid.uuid4()

    def _get_session_auth_hash(self, secret=None):
        # Django invalidates sessions when the password changes; we also include a stamp
        # that the staff services change, so that it works on every server at once.
        return salted_hmac(
            "prostenhet.User.session_auth_hash",
            f"{self.password}:{self.session_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class AccessKind(models.TextChoices):
    READ = "read", _("Läsning")
    SEARCH = "search", _("Sökning")
    EMERGENCY = "emergency", _("Nödåtkomst")


class AccessLogQuerySet(models.QuerySet):
    def reviewable_by(self, user):
        """Rows a manager may review: rows sealed for KAST (they could tell that a KAST
        client exists) only for a manager who works in KAST."""
        if UnitCode.KAST in {unit.code for unit in user.units.all()}:
            return self
        return self.exclude(sealed=True)

    def outside_office_hours(self):
        """Rows outside OFFICE_HOURS on weekdays, and every row on a weekend (local time),
        newest first from a partial index."""
        return self.filter(off_hours=True)

    def bulk_create(self, objs, *args, **kwargs):
        objs = [obj.with_local_time() for obj in objs]
        return super().bulk_create(objs, *args, **kwargs)


class AccessLog(models.Model):
    """Who read which client's record, in which view, when (DESIGN §4). Written by
    prostenhet.audit before a page with personal data is shown; never changed."""

    at = models.DateTimeField(_("tid"), default=timezone.now, db_index=True)
    # Local (Europe/Stockholm) weekday 1–7 and hour, so that "outside office hours" is an
    # indexed filter on every database.
    local_weekday = models.PositiveSmallIntegerField(editable=False)
    local_hour = models.PositiveSmallIntegerField(editable=False)
    # Outside OFFICE_HOURS as they were set when the row was written: the review's filter
    # reads these rows newest first from a partial index, however large the log grows.
    off_hours = models.BooleanField(default=False, editable=False)
    # The log grows by every read (2,000,000 rows a year): each index costs every page a write,
    # so there is none a composite or partial index below already serves (the foreign keys'
    # own are left out: (user, at) and (client, at) begin with them).
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="access_log", verbose_name=_("personal"),
        db_index=False,
    )
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.PROTECT,
        related_name="access_log", verbose_name=_("klient"), db_index=False,
    )
    kind = models.CharField(_("typ"), max_length=10, choices=AccessKind.choices)
    view = models.CharField(_("vy"), max_length=100)
    detail = models.CharField(_("detalj"), max_length=200, blank=True)
    protected_identity = models.BooleanField(_("skyddade personuppgifter"), default=False)
    # KAST is sealed off: a row about a KAST client, or a search made by KAST staff, is for
    # KAST's eyes only. Set when written, so that it does not change when staff move.
    sealed = models.BooleanField(default=False, editable=False)
    emergency = models.ForeignKey(
        "clients.EmergencyAccess", null=True, blank=True, on_delete=models.PROTECT,
        related_name="access_log", db_index=False,
    )
    # Flagged for the manager's review: an event that tells something about the register
    # beyond the user's rights (an identity number found outside their sight, say).
    flagged = models.BooleanField(_("flaggad"), default=False, editable=False)
    # The opaque id of the client whose record was weeded while this row was younger than
    # ACCESS_LOG_RETENTION_YEARS: the row stays, unlinked, until a later weeding run
    # removes it at that age (the only change weeding makes to a row; the trigger allows it).
    weeded_client = models.UUIDField(null=True, blank=True, editable=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("åtkomstlogg")
        verbose_name_plural = _("åtkomstlogg")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"]),
            models.Index(fields=["client", "-at"]),
            # The review's filters for rare rows read them newest first without a scan.
            models.Index(
                fields=["-at"], condition=models.Q(flagged=True), name="accesslog_flagged_at"
            ),
            models.Index(
                fields=["-at"], condition=models.Q(protected_identity=True),
                name="accesslog_protected_at",
            ),
            models.Index(
                fields=["-at"], condition=models.Q(off_hours=True), name="accesslog_off_hours_at"
            ),
            # Columns empty in nearly every row: indexed where they are not.
            models.Index(
                fields=["emergency", "-at"], condition=models.Q(emergency__isnull=False),
                name="accesslog_emergency_at",
            ),
            models.Index(
                fields=["weeded_client"], condition=models.Q(weeded_client__isnull=False),
                name="accesslog_weeded_client",
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.kind} {self.view}"

    def save(self, *args, **kwargs):
        self.with_local_time()
        super().save(*args, **kwargs)

    def with_local_time(self):
        """Fill the local weekday, hour and office-hours flag from `at` (also in bulk)."""
        local = timezone.localtime(self.at)
        self.local_weekday = local.isoweekday()
        self.local_hour = local.hour
        start, end = settings.OFFICE_HOURS
        self.off_hours = self.local_weekday >= 6 or not start <= self.local_hour < end
        return self


class AccessLogReview(models.Model):
    """A manager's sign-off of a reviewed period of the access log."""

    period_start = models.DateField(_("från"))
    period_end = models.DateField(_("till och med"))
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("kommentar"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("granskning av åtkomstloggen")
        verbose_name_plural = _("granskningar av åtkomstloggen")
        ordering = ["-period_end"]

    def __str__(self):
        return f"{self.period_start} – {self.period_end}"


class SecurityEventKind(models.TextChoices):
    CREATED = "created", _("Konto skapat")
    PASSWORD_SET = "password_set", _("Lösenord satt av administratör")
    PASSWORD_CHANGED = "password_changed", _("Eget lösenord bytt")
    OTP_RESET = "otp_reset", _("Tvåfaktor återställd")
    OTP_ENROLLED = "otp_enrolled", _("Tvåfaktor aktiverad")
    OTP_FAILED = "otp_failed", _("Fel engångskod")
    ROLES_CHANGED = "roles_changed", _("Roller ändrade")
    UNITS_CHANGED = "units_changed", _("Verksamhetsdelar ändrade")
    DEACTIVATED = "deactivated", _("Konto avaktiverat")
    REACTIVATED = "reactivated", _("Konto aktiverat")


class SecurityEvent(models.Model):
    """A change to an account's means of access or its rights, with who did it to whom
    (security review, finding 2): reviewed by the managers beside the access log. Written by
    prostenhet.audit.security_event; never changed."""

    at = models.DateTimeField(_("tid"), default=timezone.now, db_index=True)
    kind = models.CharField(_("händelse"), max_length=20, choices=SecurityEventKind.choices)
    actor = models.ForeignKey(
        User, verbose_name=_("utförd av"), on_delete=models.PROTECT, null=True,
        related_name="+",
    )
    target = models.ForeignKey(
        User, verbose_name=_("konto"), on_delete=models.PROTECT, related_name="+"
    )
    detail = models.CharField(_("detalj"), max_length=200, blank=True)
    address = models.GenericIPAddressField(_("adress"), null=True, blank=True)

    class Meta:
        verbose_name = _("säkerhetshändelse")
        verbose_name_plural = _("säkerhetshändelser")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.target_id}"


class ClosedYearQuerySet(models.QuerySet):
    def current(self):
        """Closings that stand (not reopened): at most one a year."""
        return self.filter(reopened_at__isnull=True)


class ClosedYear(models.Model):
    """A year's statistics as they stood when a manager closed the year (DESIGN §5, §7): the
    published figures, kept as aggregates so that weeding the records behind them never
    changes them. Reopening keeps the row, with who reopened it, when and why; the year can
    then be closed again."""

    year = models.PositiveSmallIntegerField(_("år"))
    # The figures: [stats.Table.to_dict(), ...] as the apps computed them, before suppression
    # (small counts are suppressed whenever they are shown).
    tables = models.JSONField(default=list, editable=False)
    closed_by = models.ForeignKey(
        User, verbose_name=_("stängt av"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("stängt"), default=timezone.now)
    reopened_by = models.ForeignKey(
        User, verbose_name=_("öppnat av"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("öppnat igen"), null=True, blank=True)
    reopen_reason = models.CharField(_("skäl"), max_length=500, blank=True)

    objects = ClosedYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("stängt år")
        verbose_name_plural = _("stängda år")
        ordering = ["-year", "-closed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(reopened_at__isnull=True),
                name="closedyear_one_standing_closing",
            ),
        ]

    def __str__(self):
        return str(self.year)


class WeedingRun(models.Model):
    """One run of `manage.py weed` (DESIGN §5): a dry run's report or an executed weeding's.
    Holds no personal data: records are named by their opaque id, with the unit, the regime,
    the rule that made them due or the reason they are kept, and counts."""

    executed = models.BooleanField(_("utförd"), default=False)
    as_of = models.DateField(_("per dag"))
    started_at = models.DateTimeField(_("startad"), default=timezone.now)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    run_by = models.ForeignKey(
        User, verbose_name=_("körd av"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    # The rules as they were set: {"social_years": 5, "patient_years": 10, ...}.
    rules = models.JSONField(_("regler"), default=dict)
    # Per unit: {"unit": {"due": n, "weeded": n, "kept": {reason: n}}}.
    totals = models.JSONField(_("summor"), default=dict)
    # Rows removed per kind of row ({"clients.journalentry": n, ...}), executed runs only.
    removed = models.JSONField(_("borttaget"), default=dict)
    # The records: [{"ref", "unit", "regime", "last", "due_on", "deadline", "action",
    # "rule", "reason"}], and the refs of clients whose weeding failed (left whole).
    records = models.JSONField(default=list, editable=False)
    failed = models.JSONField(default=list, editable=False)

    class Meta:
        verbose_name = _("gallring")
        verbose_name_plural = _("gallringar")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["executed", "-started_at"])]

    def __str__(self):
        return f"{self.as_of} {'execute' if self.executed else 'dry-run'}"

    @property
    def weeded_count(self):
        """Records weeded (or, in a dry run, that would be)."""
        return sum(total.get("weeded", 0) for total in self.totals.values())
