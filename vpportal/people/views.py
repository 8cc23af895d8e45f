from vpportal.core import views as generic

from .filtersets import PersonFilterSet
from .forms import PersonForm
from .models import Person
from .services import person_create, person_delete, person_update


class PersonViewMixin:
    model = Person
    url_namespace = "people"


class PersonListView(PersonViewMixin, generic.TrackedListView):
    filterset_class = PersonFilterSet
    columns = [
        ("name", "Name", "name"),
        ("title", "Title", None),
        ("function", "Function", "function"),
        ("career_level", "Level", "career_level"),
        ("manager", "Manager", None),
        ("active", "Active", None),
    ]
    export_columns = [
        ("name", "Name"),
        ("email", "Email"),
        ("title", "Title"),
        ("function", "Function"),
        ("career_level", "Career level"),
        ("manager", "Manager"),
        ("active", "Active"),
    ]


class PersonDetailView(PersonViewMixin, generic.TrackedDetailView):
    template_name = "people/person_detail.html"
    fields_shown = [
        ("email", "Email"),
        ("title", "Title"),
        ("function", "Function"),
        ("career_level", "Career level"),
        ("manager", "Manager"),
        ("active", "Active"),
        ("user", "Login"),
    ]


class PersonCreateView(PersonViewMixin, generic.TrackedCreateView):
    form_class = PersonForm
    create_service = person_create


class PersonUpdateView(PersonViewMixin, generic.TrackedUpdateView):
    form_class = PersonForm
    update_service = person_update


class PersonDeleteView(PersonViewMixin, generic.TrackedDeleteView):
    delete_service = person_delete


class PersonHistoryView(PersonViewMixin, generic.HistoryView):
    pass
