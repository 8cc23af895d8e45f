"""Object-level write rules that the role alone does not decide (issue 15.3).

A contributor may *add* KPI measurements; correcting (PATCH) or removing (DELETE) a point is for
leaders, executives, the KPI's owner and the point's own author. Every channel asks the same
`rules` predicate (vpportal/permissions.py): the API, the services the pages call, and the admin.
"""

import pytest
from django.core.exceptions import PermissionDenied

from initiatives.models import KPIMeasurement
from initiatives.services.portfolio import kpi_measurement_delete, kpi_measurement_update
from tests.conftest import api_client
from tests.factories.people import UserFactory
from tests.factories.portfolio import KPIFactory, KPIMeasurementFactory
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db


def url(point):
    return f"/api/v1/kpi-measurements/{point.pk}/"


@pytest.fixture
def someone_elses_point():
    """A point added by another contributor, on a KPI the personas do not own."""
    return KPIMeasurementFactory(created_by=UserFactory(username="other-contributor", roles=["contributor"]))


def test_a_contributor_may_not_change_or_delete_a_point_someone_else_added(contributor, someone_elses_point):
    client = api_client(contributor)
    patched = client.patch(url(someone_elses_point), {"value": 1.0}, format="json")
    deleted = client.delete(url(someone_elses_point))
    assert (patched.status_code, deleted.status_code) == (403, 403)
    someone_elses_point.refresh_from_db()
    assert someone_elses_point.value == 75.0 and someone_elses_point.version == 1


def test_the_services_refuse_the_same_correction(contributor, someone_elses_point):
    with pytest.raises(PermissionDenied):
        kpi_measurement_update(someone_elses_point, by=contributor, data={"value": 1.0})
    with pytest.raises(PermissionDenied):
        kpi_measurement_delete(someone_elses_point, by=contributor)
    assert KPIMeasurement.objects.filter(pk=someone_elses_point.pk).exists()


def test_a_contributor_corrects_and_removes_their_own_point(contributor):
    client = api_client(contributor)
    created = client.post(
        "/api/v1/kpi-measurements/",
        {"kpi": KPIFactory().pk, "observed_at": "2025-03-01T10:00:00Z", "value": 3.5, "source": "manual"},
        format="json",
    )
    assert created.status_code == 201
    point = KPIMeasurement.objects.get(pk=created.json()["id"])
    assert client.patch(url(point), {"value": 4.5}, format="json").status_code == 200
    assert client.delete(url(point)).status_code == 204


@pytest.mark.parametrize("role", ["leader", "executive"])
def test_leaders_and_executives_correct_any_point(personas, role, someone_elses_point):
    client = api_client(personas[role])
    assert client.patch(url(someone_elses_point), {"value": 2.0}, format="json").status_code == 200
    assert client.delete(url(someone_elses_point)).status_code == 204


def test_the_kpi_owner_corrects_every_point_of_their_kpi(contributor):
    kpi = KPIFactory(owner=Person.objects.of_user(contributor))
    point = KPIMeasurementFactory(kpi=kpi, created_by=UserFactory(username="ml-platform", roles=["contributor"]))
    client = api_client(contributor)
    assert client.patch(url(point), {"value": 2.0}, format="json").status_code == 200
    assert client.delete(url(point)).status_code == 204


def test_an_auditor_owning_the_kpi_still_only_reads(auditor):
    kpi = KPIFactory(owner=Person.objects.of_user(auditor))
    point = KPIMeasurementFactory(kpi=kpi, created_by=auditor)
    client = api_client(auditor)
    assert client.patch(url(point), {"value": 2.0}, format="json").status_code == 403
    assert client.delete(url(point)).status_code == 403


def test_contributors_still_add_points_in_bulk(contributor):
    kpi = KPIFactory()
    response = api_client(contributor).post(
        "/api/v1/kpi-measurements/bulk/",
        [{"kpi": kpi.pk, "observed_at": "2025-03-01T10:00:00Z", "value": 1, "source": "mlflow"}],
        format="json",
    )
    assert response.status_code == 201
