from vpportal import localisation
from vpportal.core import views as generic

from . import session_name
from .filtersets import PersonFilterSet
from .forms import PersonForm
from .models import Person
from .services import PERSON_WRITES
from .specs import PERSON


class PersonViewMixin:
    model = Person
    spec = PERSON
    url_namespace = "people"
    writes = PERSON_WRITES


PersonListView, PersonCreateView, PersonDeleteView, PersonHistoryView = generic.record_pages(
    PersonViewMixin, "List Create Delete History", form_class=PersonForm, filterset_class=PersonFilterSet
)


class PersonDetailView(PersonViewMixin, generic.TrackedDetailView):
    template_name = "people/person_detail.html"


class PersonUpdateView(PersonViewMixin, generic.TrackedUpdateView):
    form_class = PersonForm

    def apply_service(self, form):
        person = super().apply_service(form)
        if person.user_id == self.request.user.pk:
            localisation.remember(self.request, person.time_zone)  # one's own clock, from the next page
            session_name.remember(self.request, person.name)  # and the navigation's greeting
        return person
