"""Webhook pages: list, detail (delivery log, rotate, test, redeliver), create (the secret shown once
on the page that answers the create), edit, delete, history; model sources (sync now, KPI feeds) and
the AI system versions they bring in (approve, reject)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from governance.gate_checks import system_failures
from vpportal.core import views as generic
from vpportal.core.services import ConflictError, TransitionError
from vpportal.people.models import Person
from vpportal.permissions import perm_name
from vpportal.security import SIGNED_IN, access

from . import registry, services
from .filtersets import AISystemVersionFilterSet, ModelSourceFilterSet, WebhookFilterSet
from .forms import ModelSourceForm, WebhookForm
from .mlflow_client import RegistryError
from .models import AISystemVersion, Approval, EmailChoice, ModelSource, Notification, Webhook, WebhookDelivery
from .specs import AI_SYSTEM_VERSION, MODEL_SOURCE, WEBHOOK

DELIVERIES_SHOWN = 50


class WebhookViewMixin:
    spec = WEBHOOK
    writes = services.WEBHOOK_WRITES


WebhookListView, WebhookUpdateView, WebhookDeleteView, WebhookHistoryView = generic.record_pages(
    WebhookViewMixin, "List Update Delete History", form_class=WebhookForm, filterset_class=WebhookFilterSet
)


class WebhookDetailView(WebhookViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["deliveries"] = self.object.deliveries.select_related("event").order_by("-id")[:DELIVERIES_SHOWN]
        return ctx


class WebhookCreateView(WebhookViewMixin, generic.TrackedCreateView):
    form_class = WebhookForm

    def form_valid(self, form):
        from django.core.exceptions import ValidationError

        try:
            webhook, secret = services.webhook_create(by=self.request.user, data=form.service_data())
        except ValidationError as error:
            generic._add_errors(form, error)
            return self.form_invalid(form)
        return render(self.request, "integrations/webhook_secret.html", {"object": webhook, "secret": secret})


def _for_change(request, model, pk):
    """The record `pk` of `model` if this user sees it (404 otherwise) and may change it (403)."""
    record = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm(perm_name(model, "change"), record):
        raise PermissionDenied
    return record


@access("integrations.change_webhook")
@require_POST
def webhook_rotate_secret(request, pk):
    webhook, secret = services.webhook_rotate_secret(_for_change(request, Webhook, pk), by=request.user)
    return render(request, "integrations/webhook_secret.html", {"object": webhook, "secret": secret, "rotated": True})


@access("integrations.change_webhook")
@require_POST
def webhook_test(request, pk):
    webhook = _for_change(request, Webhook, pk)
    services.webhook_test(webhook, by=request.user)
    messages.success(request, "A webhook.ping event is on its way.")
    return redirect(webhook)


@access("integrations.change_webhookdelivery")
@require_POST
def delivery_redeliver(request, pk):
    delivery = get_object_or_404(WebhookDelivery.objects.visible_to(request.user).select_related("webhook"), pk=pk)
    services.delivery_redeliver(delivery, by=request.user)
    messages.success(request, "The event will be delivered again.")
    return redirect(delivery.webhook)


# --- notifications: each person's own -------------------------------------------------------------
NOTIFICATIONS_SHOWN = 100


@access(SIGNED_IN)
def notification_list(request):
    person = Person.objects.of_user(request.user)
    if request.method == "POST":
        if "email" in request.POST and person is not None:
            services.set_email_preference(person, request.POST["email"])
            messages.success(request, "Your email preference is saved.")
        else:
            ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
            services.mark_read(request.user, ids=ids)
        return redirect("integrations:notifications")
    notifications = Notification.objects.for_user(request.user).order_by("-id")[:NOTIFICATIONS_SHOWN]
    preference = getattr(person, "notification_preference", None) if person else None
    return render(
        request,
        "integrations/notification_list.html",
        {
            "notifications": notifications,
            "email_choices": EmailChoice.choices,
            "email_choice": preference.email if preference else EmailChoice.DIGEST,
        },
    )


@access(SIGNED_IN)
def notification_bell(request):
    """The bell's unread count, fetched by the navigation after the page loaded (static/js/portal.js), so no page
    pays a query for it."""
    count = Notification.objects.for_user(request.user).unread().count()
    return render(request, "integrations/_bell.html", {"unread": count})


# --- the model registry -------------------------------------------------------------------------
class ModelSourceViewMixin:
    spec = MODEL_SOURCE
    writes = registry.MODEL_SOURCE_WRITES


class ModelSourceListView(ModelSourceViewMixin, generic.TrackedListView):
    filterset_class = ModelSourceFilterSet


class ModelSourceDetailView(ModelSourceViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        from initiatives.models import KPI

        ctx = super().get_context_data(**kwargs)
        source = self.object
        ctx["registered"] = source.registered_models.select_related("ai_system").order_by("name")[:MODELS_SHOWN]
        ctx["missing"] = source.registered_models.filter(missing_since__isnull=False).order_by("name")[:MODELS_SHOWN]
        ctx["feeds"] = source.kpi_feeds.select_related("kpi").order_by("id")
        ctx["kpis"] = KPI.objects.order_by("name", "id").only("pk", "name")[:500]
        ctx["result"] = source.last_sync_result or {}
        return ctx


ModelSourceCreateView, ModelSourceUpdateView, ModelSourceDeleteView, ModelSourceHistoryView = generic.record_pages(
    ModelSourceViewMixin, "Create Update Delete History", form_class=ModelSourceForm
)

MODELS_SHOWN = 200


@access("integrations.change_modelsource")
@require_POST
def modelsource_sync(request, pk):
    source = _for_change(request, ModelSource, pk)
    try:
        result = registry.sync_now(source, by=request.user)
    except RegistryError as exc:
        messages.error(request, f"The sync failed, nothing was changed: {exc.message}")
    else:
        models_, versions = result["registered_models"], result["versions"]
        messages.success(
            request,
            f"Synced: {models_.get('created', 0)} AI systems created, {versions.get('created', 0)} versions "
            f"created, {versions.get('updated', 0)} updated, {versions.get('unchanged', 0)} unchanged.",
        )
    return redirect(source)


@access("integrations.change_modelsource")
@require_POST
def modelsource_feed(request, pk):
    from initiatives.models import KPI

    source = _for_change(request, ModelSource, pk)
    kpi = KPI.objects.filter(pk=request.POST.get("kpi") if str(request.POST.get("kpi", "")).isdigit() else None).first()
    if kpi is None:
        messages.error(request, "Choose the KPI that follows the metric.")
        return redirect(source)
    try:
        registry.kpi_feed_set(
            by=request.user,
            kpi=kpi,
            model_source=source,
            model_name=request.POST.get("model_name", ""),
            metric_key=request.POST.get("metric_key", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"KPI “{kpi}” follows the metric from the next sync on.")
    return redirect(source)


class AISystemVersionViewMixin:
    spec = AI_SYSTEM_VERSION


AISystemVersionListView, AISystemVersionHistoryView = generic.record_pages(
    AISystemVersionViewMixin, "List History", filterset_class=AISystemVersionFilterSet
)


class AISystemVersionDetailView(AISystemVersionViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, version = self.request.user, self.object
        ctx["can_decide"] = registry.may_decide(user)
        ctx["gate_failures"] = system_failures(version.ai_system) if ctx["can_decide"] else []
        # The buttons ask the service's own predicate: shown exactly when the decision is allowed.
        failures = ctx["gate_failures"]
        ctx["may_approve"] = ctx["can_decide"] and registry.may_make(
            user, version, Approval.APPROVED, failures=failures
        )
        ctx["may_reject"] = ctx["can_decide"] and registry.may_make(user, version, Approval.REJECTED, failures=failures)
        return ctx


@access("governance.accept_risk")
@require_POST
def aisystemversion_decide(request, pk, decision):
    version = get_object_or_404(AISystemVersion.objects.visible_to(request.user), pk=pk)
    expected = request.POST.get("version")
    try:
        registry.version_decide(
            version,
            by=request.user,
            decision=decision,
            comment=request.POST.get("comment", ""),
            expected=int(expected) if str(expected or "").isdigit() else None,
        )
    except TransitionError as exc:
        messages.error(request, " ".join([exc.message, *exc.details]))
    except ConflictError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Version {decision}; it is being written to the registry.")
    return redirect(version)
