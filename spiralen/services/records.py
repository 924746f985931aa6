"""The patient record (issue 9): encounters and the samples ordered at them, followed until the
patient knows.

An encounter is a journal entry (kind "visit") in the client's Spiralen journal with its
Encounter row; the entry's text holds the findings. It is drafted and signed like every journal
entry (clients.services.save_draft / sign_entry); signing makes its samples (the entry_signed
receiver below), so a discarded draft leaves nothing. A sample then moves taken → sent → result
→ patient informed, each step with who and when, none skipped silently; a positive result also
gets a follow-up plan and, for a notifiable disease, the notification recorded. The follow-up
list gathers what waits, in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.signals import pre_delete
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import access
from clients import services as client_services
from clients.models import EntryKind, Journal, JournalEntry
from prostenhet import retention
from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from ..models import (
    AT_ONCE,
    NOTIFIABLE,
    Encounter,
    EncounterKind,
    InformedHow,
    Sample,
    SampleKind,
    SampleResult,
    SampleState,
)

__all__ = [
    "FollowUp",
    "encounter_details",
    "follow_up",
    "inform_patient",
    "mark_sent",
    "record_follow_up_plan",
    "record_notification",
    "record_result",
    "refuse_changing_signed_encounter",
    "samples_on_signing",
    "save_encounter",
]


# --- encounters --------------------------------------------------------------------------------


def _check_encounter_fields(kind, sample_kinds):
    if kind not in EncounterKind.values:
        raise DomainError(_("Välj besökets art."), field="kind")
    unknown = [k for k in sample_kinds if k not in SampleKind.values]
    if unknown:
        raise DomainError(_("Okänt prov: %(kinds)s") % {"kinds": ", ".join(map(str, unknown))},
                          field="sample_kinds")
    # In the order of the choices, so that the same choice saves as no change.
    return [k for k in SampleKind.values if k in set(sample_kinds)]


@transaction.atomic
def save_encounter(*, journal, by, entry=None, editor="", seq=None, expected_version=None,
                   kind, findings, actions="", examination_postponed=False, sample_kinds=(),
                   event_date=None, booking=None):
    """Create or update the author's draft of an encounter: the journal entry (its text is the
    findings, see clients.services.save_draft for editor/seq/expected_version) and its
    Encounter row. A change of the encounter alone counts as a change of the draft (its version
    goes up), so that signing names exactly what was on screen. A signed entry's encounter
    never changes."""
    if journal.unit != UnitCode.SPIRALEN:
        raise DomainError(_("En mottagningsanteckning skrivs i patientens journal på Spiralen."))
    ordered = _check_encounter_fields(kind, sample_kinds)
    if event_date is not None and event_date > timezone.localdate():
        raise DomainError(_("Händelsedatumet kan inte vara i framtiden."), field="event_date")
    if booking is not None and (
        booking.unit != UnitCode.SPIRALEN or booking.client_id != journal.client_id
    ):
        raise DomainError(_("Bokningen hör inte till patientens besök på Spiralen."))
    # As save_draft does: the journal's row first, then the entry's (one lock order for the
    # page's racing saves), and the same page's saves find the draft the first one made.
    Journal.objects.select_for_update(no_key=True).filter(pk=journal.pk).first()
    if entry is None and editor:
        entry = JournalEntry.objects.filter(author=by, editor_token=editor).first()
    before = None
    if entry is not None:
        before = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        if before.is_signed:
            raise DomainError(_("Anteckningen är signerad: besöket kan inte ändras."))
        if before.journal_id != journal.pk and before.journal.merged_into_id != journal.pk:
            raise DomainError(_("Anteckningen hör till en annan journal."))
        if editor and before.editor_token == editor and seq is not None and (
            seq <= before.editor_seq
        ):
            return before  # a late save from this page: a newer one is already saved
    fields = {"text": findings, "kind": EntryKind.VISIT}
    if event_date is not None:
        fields["event_date"] = event_date
    if booking is not None:
        fields["booking"] = booking
    saved = client_services.save_draft(
        journal=journal, by=by, entry=before, editor=editor, seq=seq,
        expected_version=expected_version, **fields,
    )
    values = {"kind": kind, "actions": actions, "examination_postponed": examination_postponed,
              "sample_kinds": ordered}
    encounter = Encounter.objects.filter(entry=saved).first()
    if encounter is None:
        Encounter.objects.create(entry=saved, **values)
        changed = before is not None
    else:
        changed = {n: v for n, v in values.items() if getattr(encounter, n) != v}
        for name, value in changed.items():
            setattr(encounter, name, value)
        if changed:
            encounter.save()
    if changed and before is not None and saved.version == before.version:
        saved.version += 1
        saved.updated_at = timezone.now()
        saved.save(update_fields=["version", "updated_at"])
    return saved


def refuse_changing_signed_encounter(sender, instance, signal=None, **kwargs):
    """pre_save/pre_delete of Encounter: a signed entry's encounter never changes (PostgreSQL's
    trigger says the same in the database)."""
    if instance.pk is None:
        return
    if signal is pre_delete and retention.is_weeding():
        return  # weeding (DESIGN §5): the one lawful delete
    if JournalEntry.objects.filter(pk=instance.entry_id).signed().exists():
        raise DomainError(_("Anteckningen är signerad: besöket kan inte ändras."))


def _taken_at(entry):
    signed = entry.signed_at or timezone.now()
    if entry.event_date < timezone.localdate(signed):
        # Written afterwards: taken on the day of the visit.
        return timezone.make_aware(datetime.combine(entry.event_date, time(12)))
    return signed


def samples_on_signing(sender, entry, by, **kwargs):
    """entry_signed receiver (inside sign_entry's transaction): the samples ordered at a
    Spiralen encounter are taken, by the author, when the entry is signed."""
    if entry.unit != UnitCode.SPIRALEN:
        return
    encounter = Encounter.objects.filter(entry=entry).first()
    if encounter is None:
        return
    taken_at = _taken_at(entry)
    for kind in encounter.sample_kinds:
        if kind in SampleKind.values:
            Sample.objects.get_or_create(
                entry=entry, kind=kind,
                defaults={"journal_id": entry.journal_id, "taken_by_id": entry.author_id,
                          "taken_at": taken_at, "state": SampleState.TAKEN},
            )


def encounter_details(entries):
    """The journal hook (prostenhet.registry.journal_entry_details): {entry.pk: context} of
    the entries' encounters, in one query."""
    found = Encounter.objects.filter(entry_id__in=[e.pk for e in entries])
    return {encounter.entry_id: {"encounter": encounter} for encounter in found}


def encounter_print_fields(detail):
    """The printed journal's lines of an entry's encounter (as its _entry_detail.html)."""
    encounter = detail["encounter"]
    fields = [(_("Besökets art"), encounter.get_kind_display())]
    if encounter.actions:
        fields.append((_("Åtgärder"), encounter.actions))
    if encounter.examination_postponed:
        fields.append((_("Undersökning"), _("Erbjöds men sköts upp")))
    fields.append((_("Prover"), ", ".join(encounter.sample_labels) or _("Inga")))
    return fields


# --- sample steps ------------------------------------------------------------------------------


def _locked(sample, expected_version):
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    if expected_version is not None and sample.version != expected_version:
        raise DomainError(_("Provet har ändrats av någon annan sedan du öppnade sidan. Se hur "
                            "det ser ut nu och försök igen."))
    return sample


def _save(sample):
    sample.version += 1
    sample.save()
    return sample


@transaction.atomic
def mark_sent(sample, *, by, expected_version=None):
    """taken → sent to the laboratory."""
    sample = _locked(sample, expected_version)
    if sample.kind in AT_ONCE:
        raise DomainError(_("%(kind)s läses av direkt och skickas inte till laboratoriet: "
                            "registrera svaret.") % {"kind": sample.get_kind_display()})
    if sample.state != SampleState.TAKEN:
        raise DomainError(_("Provet är redan skickat."))
    sample.state = SampleState.SENT
    sample.sent_at, sample.sent_by = timezone.now(), by
    return _save(sample)


@transaction.atomic
def record_result(sample, *, result, text="", by, expected_version=None):
    """sent → result received (negative, positive or inconclusive, with the result text); a
    test read at once (pregnancy) goes from taken straight to its result."""
    sample = _locked(sample, expected_version)
    if result not in SampleResult.values:
        raise DomainError(_("Välj svaret."), field="result")
    if sample.state in (SampleState.RESULT, SampleState.INFORMED):
        raise DomainError(_("Provet har redan ett registrerat svar."))
    if sample.state == SampleState.TAKEN and sample.kind not in AT_ONCE:
        raise DomainError(_("Provet är inte skickat: ett svar kan inte registreras innan provet "
                            "har skickats till laboratoriet."))
    sample.state = SampleState.RESULT
    sample.result, sample.result_text = result, text.strip()
    sample.result_at, sample.result_by = timezone.now(), by
    return _save(sample)


def _set_plan(sample, plan, by, now):
    sample.follow_up_plan = plan
    sample.follow_up_at, sample.follow_up_by = now, by


@transaction.atomic
def inform_patient(sample, *, how, at=None, plan="", by, expected_version=None):
    """result → patient informed (how, when, by whom). A positive result needs its follow-up
    plan, given here or recorded before."""
    sample = _locked(sample, expected_version)
    now = timezone.now()
    at = at or now
    plan = plan.strip()
    if sample.state in (SampleState.TAKEN, SampleState.SENT):
        raise DomainError(_("Det finns inget svar ännu: patienten kan inte informeras om ett "
                            "svar innan det har kommit."))
    if sample.state == SampleState.INFORMED:
        raise DomainError(_("Patienten är redan informerad om svaret."))
    if how not in InformedHow.values:
        raise DomainError(_("Ange hur patienten informerades."), field="how")
    if at > now:
        raise DomainError(_("Tidpunkten kan inte vara i framtiden."), field="at")
    # To the minute, as the form gives it: told in the minute the result came is fine.
    if sample.result_at and at < sample.result_at.replace(second=0, microsecond=0):
        raise DomainError(_("Patienten kan inte ha informerats innan svaret registrerades."),
                          field="at")
    if sample.result == SampleResult.POSITIVE:
        if plan:
            _set_plan(sample, plan, by, now)
        elif not sample.follow_up_plan:
            raise DomainError(_("Ett positivt svar behöver en uppföljningsplan: skriv planen "
                                "som patienten fick veta."), field="plan")
    elif plan:
        raise DomainError(_("En uppföljningsplan skrivs bara för ett positivt svar."),
                          field="plan")
    sample.state = SampleState.INFORMED
    sample.informed_how, sample.informed_at, sample.informed_by = how, at, by
    return _save(sample)


@transaction.atomic
def record_follow_up_plan(sample, *, plan, by, expected_version=None):
    """The follow-up plan of a positive result (treatment, contact tracing, a new test)."""
    sample = _locked(sample, expected_version)
    plan = plan.strip()
    if sample.result != SampleResult.POSITIVE:
        raise DomainError(_("En uppföljningsplan skrivs bara för ett positivt svar."))
    if not plan:
        raise DomainError(_("Skriv uppföljningsplanen."), field="plan")
    _set_plan(sample, plan, by, timezone.now())
    return _save(sample)


@transaction.atomic
def record_notification(sample, *, notified_on, by, expected_version=None):
    """The notification under the Communicable Diseases Act of a positive result of a
    notifiable disease is done (the date it was made, by whom)."""
    sample = _locked(sample, expected_version)
    if sample.result != SampleResult.POSITIVE:
        raise DomainError(_("Smittskyddsanmälan görs bara för ett positivt svar."))
    if sample.kind not in NOTIFIABLE:
        raise DomainError(_("%(kind)s är inte anmälningspliktigt enligt smittskyddslagen.")
                          % {"kind": sample.get_kind_display()})
    if sample.notified_on is not None:
        raise DomainError(_("Smittskyddsanmälan är redan registrerad."))
    if notified_on > timezone.localdate():
        raise DomainError(_("Datumet kan inte vara i framtiden."), field="notified_on")
    if sample.result_at and notified_on < timezone.localdate(sample.result_at):
        raise DomainError(_("Anmälan kan inte ha gjorts innan svaret kom."),
                          field="notified_on")
    sample.notified_on, sample.notified_by = notified_on, by
    return _save(sample)


# --- the follow-up list ------------------------------------------------------------------------


@dataclass
class FollowUp:
    """The follow-up list: four categories of samples (each at most `limit`, the longest
    waiting first) and how many each has in all."""

    today: object
    overdue: list = field(default_factory=list)  # result not received in time
    uninformed: list = field(default_factory=list)  # result, patient not told in time
    without_plan: list = field(default_factory=list)  # positive, no follow-up plan
    to_notify: list = field(default_factory=list)  # positive notifiable, not notified
    counts: dict = field(default_factory=dict)

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def empty(self):
        return self.total == 0

    @property
    def categories(self):
        return [
            ("overdue", _("Svar som dröjer"), self.overdue, self.counts.get("overdue", 0)),
            ("uninformed", _("Svar som patienten inte fått veta"), self.uninformed,
             self.counts.get("uninformed", 0)),
            ("without_plan", _("Positiva svar utan uppföljningsplan"), self.without_plan,
             self.counts.get("without_plan", 0)),
            ("to_notify", _("Smittskyddsanmälan att göra"), self.to_notify,
             self.counts.get("to_notify", 0)),
        ]


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def follow_up_conditions(today):
    """{category: Q} of the follow-up list on `today` (local date): a per-kind cut-off for
    results not received, so that every category is one indexed query."""
    overdue = Q(pk__in=[])
    for kind, days in settings.SPIRALEN_RESULT_DAYS.items():
        # At least `days` days since taken: taken before the start of (today - days + 1).
        overdue |= Q(kind=kind, taken_at__lt=_day_start(today - timedelta(days=days - 1)))
    inform_cutoff = _day_start(today - timedelta(days=settings.SPIRALEN_INFORM_DAYS - 1))
    positive = Q(result=SampleResult.POSITIVE)
    return {
        "overdue": Q(state__in=[SampleState.TAKEN, SampleState.SENT]) & overdue,
        "uninformed": Q(state=SampleState.RESULT, result_at__lt=inform_cutoff),
        "without_plan": positive & Q(follow_up_plan=""),
        "to_notify": positive & Q(kind__in=list(NOTIFIABLE), notified_on__isnull=True),
    }


LISTED_FIELDS = [
    "public_id", "kind", "state", "result", "taken_at", "result_at", "follow_up_plan",
    "notified_on", "version", "journal__client__public_id", "journal__client__alias",
]

ORDER = {
    "overdue": ["taken_at", "pk"],
    "uninformed": ["result_at", "pk"],
    "without_plan": ["result_at", "pk"],
    "to_notify": ["result_at", "pk"],
}


def _listing(sample):
    listed = Sample.__new__(Sample)
    listed.__dict__.update(sample.__dict__)
    return listed


def follow_up(user, *, today=None, limit=100):
    """The samples that wait for something, in journals the user may read: results not
    received after SPIRALEN_RESULT_DAYS[kind] days, results the patient has not been told of
    after SPIRALEN_INFORM_DAYS days, positive results without a follow-up plan, and positive
    results of notifiable diseases whose notification is not recorded.

    Two queries, however many samples there are: the waiting ones (each condition is
    indexed, so the clinic's whole history is never read), as their id, dates and
    categories, through the journals' access filter once; then the listed ones, by id. (A
    query per category repeated the access filter, which reads every grant of the clinic's
    journals: five times 30 ms at ten times the reference data.)"""
    today = today or timezone.localdate()
    result = FollowUp(today=today)
    if not user.has_perm("spiralen.view_sample"):
        return result
    samples = access.in_readable_journals(user, Sample.objects.all(), journal_field="journal")
    conditions = follow_up_conditions(today)
    waiting = Q(pk__in=[])
    for condition in conditions.values():
        waiting |= condition
    flags = {
        f"in_{name}": ExpressionWrapper(condition, output_field=BooleanField())
        for name, condition in conditions.items()
    }
    rows = list(
        samples.filter(waiting).annotate(**flags).order_by()
        .values("pk", "taken_at", "result_at", *flags)
    )
    listed = {}
    for name in conditions:
        members = [row for row in rows if row[f"in_{name}"]]
        result.counts[name] = len(members)
        date_field = ORDER[name][0]
        # As PostgreSQL orders them: the oldest first, a missing date last, then by id.
        members.sort(key=lambda row, f=date_field: (row[f] is None, row[f] or 0, row["pk"]))
        listed[name] = [row["pk"] for row in members[:limit]]
    wanted = {pk for pks in listed.values() for pk in pks}
    found = {
        sample.pk: sample
        for sample in Sample.objects.filter(pk__in=wanted).select_related("journal__client")
        # The list shows the patient's alias, the sample and where it stands.
        .only(*LISTED_FIELDS)
    } if wanted else {}
    for name, pks in listed.items():
        shown = []
        for pk in pks:
            if pk not in found:  # weeded between the two queries
                continue
            # One object per listing: a sample in two categories gets its own days in each
            # (a shallow copy of the fields, for showing only: copy.copy of a model instance
            # went through its pickling state, a third of the list's time).
            sample = _listing(found[pk])
            sample.patient = sample.journal.client
            since = sample.taken_at if name == "overdue" else sample.result_at
            sample.days = (today - timezone.localdate(since)).days if since else None
            shown.append(sample)
        setattr(result, name, shown)
    return result
