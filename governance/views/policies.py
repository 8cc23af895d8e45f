"""Pages of policies, their versions and workflow, acknowledgements, and the framework catalogue.

Every write calls governance.services.policies; these views only shape input and answers.
"""

import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views import generic as django_generic
from django.views.decorators.http import require_POST

from evidence.models import Evidence, EvidenceLink
from evidence.views.evidence import pack_response
from governance.choices import VersionStatus
from governance.coverage import framework_coverage
from governance.filtersets.policies import FrameworkFilterSet, PolicyFilterSet, PolicyVersionFilterSet
from governance.forms.policies import (
    FrameworkForm,
    PolicyForm,
    PolicyVersionForm,
    RejectForm,
    RequirementForm,
)
from governance.markdown import render_markdown
from governance.models import Acknowledgement, Framework, Policy, PolicyVersion, Requirement
from governance.services import policies as services
from governance.specs import FRAMEWORK, POLICY, POLICY_VERSION
from vpportal.core import views as generic
from vpportal.core.services import ConflictError, TransitionError
from vpportal.people.models import Person
from vpportal.permissions import has_any_role, perm_name
from vpportal.security import RecentAuthRequiredMixin

# --- policies -------------------------------------------------------------------------------------


class PolicyViewMixin:
    spec = POLICY
    writes = services.POLICY_WRITES
    # The next review date is not edited: approving a version sets it (approval + review interval).
    bulk_fields = ("owner",)


PolicyListView, PolicyCreateView, PolicyUpdateView, PolicyDeleteView, PolicyHistoryView, PolicyBulkView = (
    generic.record_pages(
        PolicyViewMixin,
        "List Create Update Delete History Bulk",
        form_class=PolicyForm,
        filterset_class=PolicyFilterSet,
    )
)


class PolicyDetailView(PolicyViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        policy, user = self.object, self.request.user
        versions = list(policy.versions.select_related("author", "approved_by").order_by("-number"))
        for version in versions:
            version.policy = policy  # str(version) reads the policy code: no query per row
        current = next((v for v in versions if v.status == VersionStatus.APPROVED), None)
        me = Person.objects.of_user(user)
        ctx.update(
            versions=versions,
            current=current,
            body_html=render_markdown(current.body) if current else "",
            can_add_version=user.has_perm(perm_name(PolicyVersion, "add"))
            and not any(v.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW) for v in versions),
            **_acknowledgement_context(current, me),
        )
        return ctx


def _acknowledgement_context(current, me):
    """Who has and has not acknowledged the version in force (active people), and the rate."""
    if current is None:
        return {"acknowledged": [], "not_acknowledged": [], "ack_rate": None, "can_acknowledge": False}
    acknowledged = list(
        Acknowledgement.objects.filter(policy_version=current).select_related("person").order_by("person__name")
    )
    done = {a.person_id for a in acknowledged}
    people = list(Person.objects.active().order_by("name").only("pk", "name", "title"))
    active_done = sum(1 for p in people if p.pk in done)
    return {
        "acknowledged": acknowledged,
        "not_acknowledged": [p for p in people if p.pk not in done],
        "ack_rate": round(100 * active_done / len(people)) if people else None,
        "can_acknowledge": me is not None and me.pk not in done,
        "me": me,
    }


@login_required
def policy_diff(request, pk):
    """The changes between two versions of a policy (`a` older, `b` newer; default the newest two).

    difflib escapes the text it puts in its table, so a `<script>` in a body shows as text.
    """
    if not request.user.has_perm(perm_name(Policy, "view")):
        raise PermissionDenied
    policy = get_object_or_404(Policy.objects.visible_to(request.user), pk=pk)
    versions = list(policy.versions.order_by("-number"))
    by_pk = {str(v.pk): v for v in versions}
    a = by_pk.get(request.GET.get("a", ""))
    b = by_pk.get(request.GET.get("b", ""))
    if (a is None or b is None) and len(versions) >= 2:
        a, b = a or versions[1], b or versions[0]
    table = ""
    if a is not None and b is not None:
        if a.number > b.number:
            a, b = b, a
        table = difflib.HtmlDiff(wrapcolumn=70).make_table(
            a.body.splitlines(),
            b.body.splitlines(),
            fromdesc=f"Version {a.number}",
            todesc=f"Version {b.number}",
            context=True,
            numlines=3,
        )
    for version in versions:
        version.policy = policy
    return render(
        request,
        "governance/policy_diff.html",
        {"object": policy, "versions": versions, "a": a, "b": b, "table": mark_safe(table)},  # noqa: S308
    )


@login_required
@require_POST
def policy_acknowledge(request, pk):
    policy = get_object_or_404(Policy.objects.visible_to(request.user), pk=pk)
    try:
        acknowledgement = services.policy_acknowledge(policy=policy, by=request.user)
    except (TransitionError, ValidationError, PermissionDenied) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, f"You acknowledged {policy.code} version {acknowledgement.policy_version.number}.")
    return HttpResponseRedirect(policy.get_absolute_url())


def _message(error) -> str:
    if isinstance(error, TransitionError | ConflictError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You may not do that."


# --- versions and their workflow ------------------------------------------------------------------


class PolicyVersionViewMixin:
    spec = POLICY_VERSION
    writes = services.POLICYVERSION_WRITES


class PolicyVersionListView(PolicyVersionViewMixin, generic.TrackedListView):
    """All versions, e.g. filtered to "in review": the approvers' queue."""

    filterset_class = PolicyVersionFilterSet

    def get_context_data(self, **kwargs):
        # A version is started from its policy's page (it needs the policy), not from this list.
        return {**super().get_context_data(**kwargs), "can_add": False}


class PolicyVersionDetailView(PolicyVersionViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        version, user = self.object, self.request.user
        is_draft = version.status == VersionStatus.DRAFT
        reviewer = user.has_perm(services.APPROVE_PERM)
        ctx.update(
            body_html=render_markdown(version.body),
            can_change=ctx["can_change"] and is_draft,
            can_delete=ctx["can_delete"] and is_draft,
            can_submit=is_draft and user.has_perm(perm_name(PolicyVersion, "change"), version),
            # The services' own predicates: a button shows exactly when its move would be allowed.
            can_approve=services.may_approve(user, version),
            can_reject=services.may_reject(user, version),
            is_author=version.author_id == user.pk,
            in_review=version.status == VersionStatus.IN_REVIEW,
            can_retire=version.status == VersionStatus.APPROVED and reviewer,
        )
        return ctx


class PolicyVersionCreateView(PolicyVersionViewMixin, generic.TrackedCreateView):
    """A new draft of one policy, starting from the text of its newest version."""

    form_class = PolicyVersionForm
    template_name = "governance/policyversion_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.policy = get_object_or_404(Policy.objects.visible_to(request.user), pk=kwargs["policy_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        latest = self.policy.versions.order_by("-number").first()
        return {"body": latest.body} if latest else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(policy=self.policy, **kwargs)

    def apply_service(self, form):
        return services.policyversion_create(by=self.request.user, data={**form.service_data(), "policy": self.policy})


class PolicyVersionUpdateView(PolicyVersionViewMixin, generic.TrackedUpdateView):
    """Drafts only: a version in review or approved is refused with the reason, never edited."""

    form_class = PolicyVersionForm
    template_name = "governance/policyversion_form.html"

    def get_object(self, queryset=None):
        # UpdateView.get/post fetch the record again after our draft check: fetch it once.
        if getattr(self, "_version", None) is None:
            self._version = super().get_object(queryset)
        return self._version

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status != VersionStatus.DRAFT:
            return self._refuse()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status != VersionStatus.DRAFT:
            return self._refuse()
        return super().post(request, *args, **kwargs)

    def _refuse(self):
        messages.error(self.request, services.MSG_ONLY_DRAFTS.format(status=self.object.get_status_display().lower()))
        return HttpResponseRedirect(self.object.get_absolute_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(policy=self.object.policy, **kwargs)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except TransitionError as error:  # the version left draft while the form was open
            form.add_error(None, error.message)
            return self.form_invalid(form)


class PolicyVersionDeleteView(PolicyVersionViewMixin, generic.TrackedDeleteView):
    def get_success_url(self):
        return self.object.policy.get_absolute_url()

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except TransitionError as error:
            messages.error(self.request, error.message)
            return HttpResponseRedirect(self.object.get_absolute_url())


class PolicyVersionHistoryView(PolicyVersionViewMixin, generic.HistoryView):
    pass


class VersionMoveView(django_generic.View):
    """GET: a confirmation page; POST: make the move through its service.

    A role that may never make the move gets 403; a move not allowed now (wrong state, the author
    approving) is refused with the reason on the version's page.
    """

    move = ""  # submit | approve | reject | retire
    title = ""
    done = ""
    explanation = ""
    button = ""
    button_class = "btn-primary"

    def may_try(self, user, version) -> bool:
        if self.move == "submit":
            return user.has_perm(perm_name(PolicyVersion, "change"), version)
        return user.has_perm(services.APPROVE_PERM)

    def dispatch(self, request, pk):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if not has_any_role(request.user):
            raise PermissionDenied
        self.version = get_object_or_404(PolicyVersion.objects.visible_to(request.user).with_related(), pk=pk)
        if not self.may_try(request.user, self.version):
            raise PermissionDenied
        return super().dispatch(request, pk)

    def form(self, data=None):
        return RejectForm(data) if self.move == "reject" else None

    def get(self, request, pk):
        return self.render(self.form())

    def render(self, form):
        return render(
            self.request,
            "governance/policyversion_confirm.html",
            {"object": self.version, "view": self, "form": form, "body_html": render_markdown(self.version.body)},
        )

    def post(self, request, pk):
        form = self.form(request.POST)
        if form is not None and not form.is_valid():
            return self.render(form)
        kwargs = {"version": self.version, "by": request.user, "expected_version": request.POST.get("version") or None}
        if form is not None:
            kwargs["comment"] = form.cleaned_data["comment"]
        service = getattr(services, f"policyversion_{self.move}")
        try:
            service(**kwargs)
        except ValidationError as error:
            if form is None:
                messages.error(request, _message(error))
                return HttpResponseRedirect(self.version.get_absolute_url())
            form.add_error("comment" if hasattr(error, "error_dict") and "comment" in error.error_dict else None, error)
            return self.render(form)
        except (TransitionError, ConflictError) as error:
            messages.error(request, _message(error))
            return HttpResponseRedirect(self.version.get_absolute_url())
        messages.success(request, f"{self.version} {self.done}.")
        return HttpResponseRedirect(self.version.get_absolute_url())


class PolicyVersionSubmitView(VersionMoveView):
    move, title, button, done = "submit", "Submit for review", "Submit for review", "submitted for review"
    explanation = "The text is frozen while it is reviewed; a reviewer approves it or returns it with a comment."


class PolicyVersionApproveView(RecentAuthRequiredMixin, VersionMoveView):
    recent_auth_perm = services.APPROVE_PERM  # approving needs a recent sign-in (vpportal.security)
    move, title, button, done, button_class = "approve", "Approve", "Approve", "approved", "btn-success"
    explanation = (
        "This version comes into force: the version in force now is superseded, everyone is asked to "
        "acknowledge the new text, and the policy's next review date is set."
    )


class PolicyVersionRejectView(VersionMoveView):
    move, title, button, done, button_class = (
        "reject",
        "Return to the author",
        "Reject",
        "returned to draft",
        "btn-danger",
    )
    explanation = "The version goes back to draft with your comment, for its author to revise."


class PolicyVersionRetireView(VersionMoveView):
    move, title, button, done, button_class = "retire", "Retire", "Retire", "retired", "btn-outline-danger"
    explanation = "The policy no longer applies: nobody needs to acknowledge it and it has no review date."


# --- frameworks and requirements ------------------------------------------------------------------


class FrameworkViewMixin:
    spec = FRAMEWORK
    writes = services.FRAMEWORK_WRITES


FrameworkListView, FrameworkCreateView, FrameworkHistoryView = generic.record_pages(
    FrameworkViewMixin, "List Create History", form_class=FrameworkForm, filterset_class=FrameworkFilterSet
)


class FrameworkDetailView(FrameworkViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        custom = not self.object.is_builtin
        ctx.update(
            coverage=framework_coverage(self.object),
            can_change=ctx["can_change"] and custom,
            can_delete=ctx["can_delete"] and custom,
            can_add_requirement=custom and self.request.user.has_perm(perm_name(Requirement, "add")),
        )
        return ctx


class CustomFrameworkOnly:
    """The shipped catalogue is read-only in every channel (the services refuse too)."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        framework = obj if isinstance(obj, Framework) else obj.framework
        if framework.is_builtin:
            raise PermissionDenied(services.MSG_BUILTIN.format(framework=framework))
        return obj


class FrameworkUpdateView(FrameworkViewMixin, CustomFrameworkOnly, generic.TrackedUpdateView):
    form_class = FrameworkForm


class FrameworkDeleteView(FrameworkViewMixin, CustomFrameworkOnly, generic.TrackedDeleteView):
    pass


class RequirementViewMixin:
    model = Requirement
    writes = services.REQUIREMENT_WRITES
    template_name = "governance/requirement_form.html"
    form_class = RequirementForm

    @classmethod
    def url_prefix(cls):
        return "governance:framework"  # requirements live on their framework's page


class RequirementCreateView(RequirementViewMixin, generic.TrackedCreateView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.framework = get_object_or_404(Framework.objects.visible_to(request.user), pk=kwargs["framework_pk"])
        if self.framework.is_builtin:
            raise PermissionDenied(services.MSG_BUILTIN.format(framework=self.framework))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "framework": self.framework}

    def get_context_data(self, **kwargs):
        return super().get_context_data(framework=self.framework, **kwargs)

    def apply_service(self, form):
        return services.requirement_create(
            by=self.request.user, data={**form.service_data(), "framework": self.framework}
        )


class RequirementUpdateView(RequirementViewMixin, CustomFrameworkOnly, generic.TrackedUpdateView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(framework=self.object.framework, **kwargs)


# --- home page panel ------------------------------------------------------------------------------


class FrameworkEvidencePackView(FrameworkViewMixin, generic.PermissionMixin, django_generic.View):
    """The auditor's ZIP for a framework: the evidence attached to its requirements (index.csv
    and the files, only what the reader sees; evidence.pack)."""

    def get(self, request, pk):
        framework = get_object_or_404(Framework.objects.visible_to(request.user), pk=pk)
        requirements = Requirement.objects.filter(framework=framework).values("pk")
        links = EvidenceLink.objects.filter(
            content_type__app_label="governance", content_type__model="requirement", object_id__in=requirements
        )
        evidence = Evidence.objects.visible_to(request.user).filter(pk__in=links.values("evidence_id"))
        return pack_response(request, evidence, name=f"evidence-pack-{slugify(framework.code)}")

    post = get  # "Build it in the background" on the page offered for a large pack
