"""Team-development pages: mentorships (list with "mine first", detail with sessions and action items),
logging and editing sessions, trainings (upcoming and past, attendee list, register, unregister,
attendance marking) and the AI-literacy coverage page.

Views are configuration over vpportal.core.views; every write goes through services.team. Sessions
are read through `visible_to(user)`, which blanks private notes the reader may not see.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import generic as django_generic
from django.views.decorators.http import require_POST

from vpportal.core import views as generic
from vpportal.core.services import ConflictError
from vpportal.people.models import Person
from vpportal.permissions import can_view_private_notes, has_any_role, perm_name

from ..choices import AttendanceStatus
from ..filtersets.team import MentorshipFilterSet, MentorshipSessionFilterSet, TrainingFilterSet
from ..forms.team import (
    AttendanceMarkForm,
    MentorshipForm,
    MentorshipReassignForm,
    MentorshipSessionForm,
    TrainingForm,
)
from ..models import Mentorship, MentorshipSession, Training, TrainingAttendance
from ..services import team as services
from ..specs import MENTORSHIP, SESSION, TRAINING

UNCOVERED_PER_PAGE = 50


class UserFormKwargsMixin:
    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}


# --- mentorships -----------------------------------------------------------------------------------
class MentorshipViewMixin:
    spec = MENTORSHIP
    writes = services.MENTORSHIP_WRITES


class MentorshipListView(MentorshipViewMixin, generic.TrackedListView):
    filterset_class = MentorshipFilterSet

    def get_queryset(self):
        # The signed-in person's own mentorships first; a chosen `ordering` replaces this.
        return super().get_queryset().mine_first(Person.objects.of_user(self.request.user))


class MentorshipDetailView(MentorshipViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        sessions = list(
            MentorshipSession.objects.visible_to(user)
            .filter(mentorship=self.object)
            .select_related("created_by", "updated_by")
        )
        change, delete = perm_name(MentorshipSession, "change"), perm_name(MentorshipSession, "delete")
        for session in sessions:
            session.can_change = user.has_perm(change, session)
            session.can_delete = user.has_perm(delete, session)
            # Whether to show the row at all; the value itself comes masked from visible_to.
            session.private_notes_hidden = not can_view_private_notes(user, session)
        ctx.update(
            sessions=sessions,
            action_items=[s for s in sessions if s.action_items.strip()][:5],
            can_log_session=user.has_perm(
                perm_name(MentorshipSession, "add"), MentorshipSession(mentorship=self.object)
            ),
            notes_visible=can_view_private_notes(user, MentorshipSession(mentorship=self.object)),
            can_reassign=user.has_perm("initiatives.reassign_mentorship")
            and user.has_perm(perm_name(Mentorship, "change"), self.object),
        )
        return ctx


class MentorshipCreateView(MentorshipViewMixin, UserFormKwargsMixin, generic.TrackedCreateView):
    form_class = MentorshipForm


class MentorshipUpdateView(MentorshipViewMixin, UserFormKwargsMixin, generic.TrackedUpdateView):
    form_class = MentorshipForm


class MentorshipReassignView(MentorshipViewMixin, UserFormKwargsMixin, generic.TrackedUpdateView):
    """Another mentor and/or mentee (leaders and executives); earlier notes stay with who was there."""

    form_class = MentorshipReassignForm
    update_service = services.mentorship_reassign

    def check_permission(self, obj=None):
        super().check_permission(obj)
        if obj is not None and not self.request.user.has_perm("initiatives.reassign_mentorship"):
            raise PermissionDenied


MentorshipDeleteView, MentorshipHistoryView = generic.record_pages(MentorshipViewMixin, "Delete History")


# --- sessions --------------------------------------------------------------------------------------
class SessionViewMixin:
    spec = SESSION
    writes = services.SESSION_WRITES


class MentorshipSessionListView(SessionViewMixin, generic.TrackedListView):
    """Every session, for every role; the notes column of the CSV is blank where the reader may not
    read them (the rows come from `visible_to`, which blanks them)."""

    filterset_class = MentorshipSessionFilterSet

    def get_context_data(self, **kwargs):
        # Sessions are logged from their mentorship's page, so the list has no "add" button.
        return super().get_context_data(**kwargs) | {"can_add": False}


class SessionFormMixin(UserFormKwargsMixin):
    template_name = "initiatives/mentorshipsession_form.html"
    form_class = MentorshipSessionForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"mentorship": self.mentorship}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"mentorship": self.mentorship}

    def get_success_url(self):
        return self.object.get_absolute_url()


class MentorshipSessionCreateView(SessionViewMixin, SessionFormMixin, generic.TrackedCreateView):
    """Log a session on one mentorship (its mentor, its mentee, leaders, executives)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.mentorship = get_object_or_404(
            Mentorship.objects.visible_to(request.user).with_related(), pk=kwargs["mentorship_pk"]
        )
        if not request.user.has_perm(
            perm_name(MentorshipSession, "add"), MentorshipSession(mentorship=self.mentorship)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def apply_service(self, form):
        data = form.service_data() | {"mentorship": self.mentorship}
        return services.session_create(by=self.request.user, data=data)


class MentorshipSessionUpdateView(SessionViewMixin, SessionFormMixin, generic.TrackedUpdateView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        self.mentorship = obj.mentorship
        return obj


class MentorshipSessionDeleteView(SessionViewMixin, generic.TrackedDeleteView):
    def get_success_url(self):
        return self.object.mentorship.get_absolute_url()


class MentorshipSessionHistoryView(SessionViewMixin, generic.HistoryView):
    pass


# --- trainings -------------------------------------------------------------------------------------
class TrainingViewMixin:
    spec = TRAINING
    writes = services.TRAINING_WRITES


class TrainingListView(TrainingViewMixin, generic.TrackedListView):
    filterset_class = TrainingFilterSet

    def get_queryset(self):
        today = timezone.localdate()
        person = Person.objects.of_user(self.request.user)
        return super().get_queryset().with_seat_of(person).upcoming_first(today)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"today": timezone.localdate()}


class TrainingDetailView(TrainingViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, training = self.request.user, self.object
        today = timezone.localdate()
        attendances = list(
            TrainingAttendance.objects.visible_to(user).filter(training=training).select_related("person")
        )
        person = Person.objects.of_user(user)
        mine = next((a for a in attendances if person and a.person_id == person.pk), None)
        full = training.capacity is not None and len(attendances) >= training.capacity
        may_seat_self = person is not None and user.has_perm(
            perm_name(TrainingAttendance, "add"), TrainingAttendance(training=training, person=person)
        )
        ctx.update(
            attendances=attendances,
            my_attendance=mine,
            is_upcoming=training.held_on >= today,
            is_full=full,
            can_register=may_seat_self and mine is None and training.held_on >= today and not full,
            can_unregister=mine is not None
            and (mine.status == AttendanceStatus.REGISTERED or user.has_perm("initiatives.manage_attendance"))
            and user.has_perm(perm_name(TrainingAttendance, "delete"), mine),
            can_mark=user.has_perm("initiatives.manage_attendance") and training.held_on <= today,
            mark_choices=[(AttendanceStatus.ATTENDED, "Attended"), (AttendanceStatus.NO_SHOW, "No show")],
        )
        return ctx


TrainingCreateView, TrainingUpdateView, TrainingDeleteView, TrainingHistoryView = generic.record_pages(
    TrainingViewMixin, "Create Update Delete History", form_class=TrainingForm
)


def _visible_training(request, pk):
    if not has_any_role(request.user):
        raise PermissionDenied
    return get_object_or_404(Training.objects.visible_to(request.user), pk=pk)


def _login_first(request):
    return redirect(f"{reverse('account_login')}?next={request.path}")


def _seat_action(request, pk, service, done: str):
    """Take or give back the signed-in person's seat; refusals (full, already held, twice) come
    back as messages."""
    if not request.user.is_authenticated:
        return _login_first(request)
    training = _visible_training(request, pk)
    try:
        service(training=training, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(training))
    return HttpResponseRedirect(training.get_absolute_url())


@require_POST
def training_register(request, pk):
    """The signed-in person takes a seat."""
    return _seat_action(request, pk, services.training_register, "You are registered for “{}”.")


@require_POST
def training_unregister(request, pk):
    return _seat_action(request, pk, services.training_unregister, "You gave back your seat at “{}”.")


@require_POST
def trainingattendance_mark(request, pk):
    """A leader marks one attendee as attended or no-show."""
    if not request.user.is_authenticated:
        return _login_first(request)
    if not has_any_role(request.user):
        raise PermissionDenied
    attendance = get_object_or_404(TrainingAttendance.objects.visible_to(request.user).with_related(), pk=pk)
    form = AttendanceMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose attended or no show.")
        return HttpResponseRedirect(attendance.get_absolute_url())
    try:
        services.attendance_mark(
            attendance=attendance,
            by=request.user,
            status=form.cleaned_data["status"],
            version=form.cleaned_data["version"],
        )
    except (ConflictError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
    else:
        messages.success(request, f"{attendance.person}: {attendance.get_status_display().lower()}.")
    return HttpResponseRedirect(attendance.get_absolute_url())


# --- AI literacy -----------------------------------------------------------------------------------
class AILiteracyView(
    TrainingViewMixin, generic.PermissionMixin, generic.ModelContextMixin, django_generic.TemplateView
):
    """Coverage over the last 12 months (EU AI Act Art. 4) and the active people not yet covered."""

    template_name = "initiatives/training_ai_literacy.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        coverage = services.ai_literacy_coverage()
        page = Paginator(coverage.uncovered, UNCOVERED_PER_PAGE).get_page(self.request.GET.get("page"))
        trainings = (
            Training.objects.visible_to(self.request.user)
            .with_related()
            .filter(counts_as_ai_literacy=True, held_on__gte=coverage.window_start)
            .upcoming_first(coverage.window_end)
        )
        ctx.update(coverage=coverage, page_obj=page, paginator=page.paginator, trainings=trainings, querystring="")
        return ctx
