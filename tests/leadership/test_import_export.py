"""Import and export: the preview reports row errors and writes nothing; an import is all or
nothing; an export imported into an empty database reproduces the same records."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from governance.models import AISystem, Incident, Mitigation, Risk, Vendor
from initiatives.models import KPI, Initiative, KPIMeasurement, Milestone
from leadership.imports.exports import export_rows
from leadership.imports.importer import run_import
from leadership.imports.tables import csv_bytes, read_table, xlsx_bytes
from tests.conftest import page_client
from tests.factories import incidents, portfolio, risks
from tests.factories.people import PersonFactory
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db

ORDER = ("people", "initiatives", "vendors", "ai-systems", "kpis", "kpi-measurements", "risks", "incidents")


def _file(kind, fmt):
    columns, rows = export_rows(kind)
    content = xlsx_bytes(columns, rows) if fmt == "xlsx" else csv_bytes(columns, rows)
    return content, f"{kind}.{fmt}"


def _empty_the_database():
    for model in (Incident, Mitigation, Risk, AISystem, Vendor, KPIMeasurement, KPI, Milestone, Initiative):
        model.objects.all().delete()
    Person.objects.update(manager=None)
    Person.objects.all().delete()


def test_an_export_imported_into_an_empty_database_reproduces_the_same_records(executive):
    boss = PersonFactory(email="boss@example.com", function="executive", career_level="vp")
    PersonFactory(email="report@example.com", manager=boss)
    portfolio.seed_api_data()
    risks.seed_api_data()
    incidents.seed_api_data()
    for initiative in Initiative.objects.filter(key__startswith="INI-9"):  # the risk factory's made-up keys
        Initiative.objects.filter(pk=initiative.pk).update(key=f"INI-{initiative.pk:04d}")
    Initiative.objects.filter(pk=Initiative.objects.order_by("pk").first().pk).update(
        budget="125000.50", health="at_risk", value_hypothesis="Saves 2 FTE"
    )
    # The pilot initiative has what its gate checks (a KPI with a target from the seed, and an assessed
    # AI system), so it can pass the gate again once those are back in.
    risks.AISystemFactory(initiative=Initiative.objects.get(stage="pilot"), eu_ai_act_tier="minimal")
    before = {kind: export_rows(kind)[1] for kind in ORDER}
    files = {kind: _file(kind, "xlsx" if i % 2 else "csv") for i, kind in enumerate(ORDER)}
    _empty_the_database()
    assert not Initiative.objects.exists() and not Person.objects.exists()

    # The gate holds in an import too (it never overrides): the initiatives come in before the gate
    # first, and move through it once their KPIs and AI systems are in.
    content, name = files["initiatives"]
    before_the_gate = [
        {**row, "stage": "poc" if row["stage"] in ("Pilot", "Production") else row["stage"]}
        for row in read_table(content, name)
    ]

    def load(kind, table=None):
        report = run_import(kind, table or read_table(*files[kind]), by=executive, preview=False)
        assert report.ok, (kind, [(r.line, r.errors) for r in report.errors])
        assert report.written

    load("people")
    load("initiatives", before_the_gate)
    for kind in ORDER[2:]:
        load(kind)
    load("initiatives")

    after = {kind: export_rows(kind)[1] for kind in ORDER}
    for kind in ORDER:
        assert sorted(map(repr, after[kind])) == sorted(map(repr, before[kind])), kind
    assert before["initiatives"] and before["kpi-measurements"] and before["risks"]
    assert before["vendors"] and before["incidents"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(executive):
    portfolio.seed_api_data()
    content, name = _file("kpi-measurements", "csv")
    report = run_import("kpi-measurements", read_table(content, name), by=executive, preview=False)
    assert report.summary["unchanged"] == len(report.rows) > 0


def test_a_preview_lists_row_errors_and_writes_nothing(executive):
    PersonFactory(email="owner@example.com")
    content = csv_bytes(
        ["title", "owner_email", "stage", "start_date", "target_date"],
        [
            ["Good one", "owner@example.com", "idea", "2025-01-01", "2025-06-01"],
            ["", "nobody@example.com", "sideways", "2025-01-01", "not a date"],
            ["Backwards", "owner@example.com", "idea", "2025-06-01", "2025-01-01"],
        ],
    )
    report = run_import("initiatives", read_table(content, "i.csv"), by=executive, preview=True)
    assert [r.action for r in report.rows] == ["create", "error", "error"]
    assert set(report.rows[1].errors) == {"title", "owner_email", "stage", "target_date"}
    assert "target_date" in report.rows[2].errors
    assert not Initiative.objects.exists()


def test_a_real_import_with_one_bad_row_writes_nothing_at_all(executive):
    PersonFactory(email="owner@example.com")
    content = csv_bytes(["title", "owner_email"], [["Fine", "owner@example.com"], ["Orphan", "ghost@example.com"]])
    report = run_import("initiatives", read_table(content, "i.csv"), by=executive, preview=False)
    assert not report.written and len(report.errors) == 1
    assert not Initiative.objects.exists()


def test_an_import_runs_the_services_so_history_names_the_importer(executive):
    content = csv_bytes(["email", "name", "function"], [["new@example.com", "New Person", "legal"]])
    run_import("people", read_table(content, "p.csv"), by=executive, preview=False)
    person = Person.objects.get(email="new@example.com")
    assert person.history.get().history_user == executive and person.created_by == executive


def test_import_page_previews_then_imports_on_confirmation(executive):
    PersonFactory(email="owner@example.com")
    client = page_client(executive)
    upload = io.BytesIO(csv_bytes(["title", "owner_email"], [["From the page", "owner@example.com"]]))
    upload.name = "initiatives.csv"
    response = client.post(reverse("import_data"), {"kind": "initiatives", "file": upload})
    assert response.status_code == 200 and "1 to create" in response.content.decode()
    assert not Initiative.objects.exists()
    token = response.context["token"]
    response = client.post(reverse("import_data"), {"token": token}, follow=True)
    assert "1 created" in response.content.decode()
    assert Initiative.objects.get().title == "From the page"


def test_import_page_shows_row_errors_and_keeps_the_database_unchanged(executive):
    client = page_client(executive)
    upload = io.BytesIO(csv_bytes(["email", "name", "function"], [["x@example.com", "X", "astrology"]]))
    upload.name = "people.csv"
    body = client.post(reverse("import_data"), {"kind": "people", "file": upload}).content.decode()
    assert "astrology" in body and "Nothing was written" in body
    assert not Person.objects.filter(email="x@example.com").exists()


def test_a_file_that_is_not_csv_or_xlsx_is_refused_on_the_field(executive):
    upload = io.BytesIO(b"\x00\x01garbage")
    upload.name = "data.xlsx"
    response = page_client(executive).post(reverse("import_data"), {"kind": "people", "file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


@pytest.mark.parametrize("persona", ["leader", "governance", "contributor", "auditor", "outsider"])
def test_only_executives_may_open_the_import_page(personas, persona):
    assert page_client(personas[persona]).get(reverse("import_data")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_from_the_import_page(db):
    response = page_client().get(reverse("import_data"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_import_page_exports_each_kind_as_xlsx_for_re_import_with_readable_headers(executive):
    portfolio.seed_api_data()
    response = page_client(executive).get(reverse("import_data") + "?export=kpis&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:2] == ["Initiative key", "Name"] and sheet.max_row == KPI.objects.count() + 1


def test_an_imported_key_is_kept_and_later_creates_still_get_free_keys(executive):
    from initiatives.services.portfolio import initiative_create

    owner = PersonFactory(email="owner@example.com")
    content = csv_bytes(["key", "title", "owner_email"], [["INI-0500", "Imported", "owner@example.com"]])
    assert run_import("initiatives", read_table(content, "i.csv"), by=executive, preview=False).written
    assert Initiative.objects.get(title="Imported").key == "INI-0500"
    later = initiative_create(by=executive, data={"title": "Made later", "owner": owner})
    assert later.key != "INI-0500" and later.pk > 500


# --- the gate holds in an import: same transition service, never an override ---------------------
def _initiatives_file(*rows):
    return read_table(csv_bytes(["key", "title", "owner_email", "stage"], list(rows)), "i.csv")


def test_an_import_never_moves_an_initiative_past_a_failed_gate(executive):
    initiative = portfolio.InitiativeFactory(stage="idea", title="No KPI yet")
    rows = _initiatives_file([initiative.key, initiative.title, initiative.owner.email, "production"])
    for preview in (True, False):
        report = run_import("initiatives", rows, by=executive, preview=preview)
        assert [r.action for r in report.rows] == ["error"] and not report.written
        assert any("stage gate refuses" in message for message in report.rows[0].errors["stage"])
        assert any("no KPI with a target" in message for message in report.rows[0].errors["stage"])
    initiative.refresh_from_db()
    assert (initiative.stage, initiative.gate_override_justification) == ("idea", "")
    assert initiative.history.count() == 1  # not even the ungated steps before the refusal


def test_an_import_creates_no_initiative_beyond_a_failed_gate(executive):
    owner = PersonFactory(email="owner@example.com")
    report = run_import(
        "initiatives", _initiatives_file(["", "Straight to pilot", owner.email, "pilot"]), by=executive, preview=True
    )
    assert report.rows[0].action == "error" and "stage" in report.rows[0].errors
    assert not Initiative.objects.exists()


def test_an_import_moves_through_a_passing_gate_like_the_api(executive):
    initiative = portfolio.InitiativeFactory(stage="poc", title="Ready")
    portfolio.KPIFactory(initiative=initiative)
    risks.AISystemFactory(initiative=initiative, eu_ai_act_tier="minimal")
    rows = _initiatives_file([initiative.key, initiative.title, initiative.owner.email, "pilot"])
    report = run_import("initiatives", rows, by=executive, preview=False)
    assert report.ok and report.rows[0].action == "update"
    initiative.refresh_from_db()
    assert (initiative.stage, initiative.gate_override_justification) == ("pilot", "")


def test_uses_ai_is_exported_and_imported(executive):
    initiative = portfolio.InitiativeFactory(uses_ai=True)
    columns, rows = export_rows("initiatives")
    assert "uses_ai" in columns and rows[0][columns.index("uses_ai")] == "yes"
    table = read_table(
        csv_bytes(
            ["key", "title", "owner_email", "uses_ai"],
            [[initiative.key, initiative.title, initiative.owner.email, "no"]],
        ),
        "i.csv",
    )
    assert run_import("initiatives", table, by=executive, preview=False).ok
    initiative.refresh_from_db()
    assert initiative.uses_ai is False


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_filtered_list_export_is_the_import_file_and_imports_back_unchanged(executive, fmt):
    risks.RiskFactory.create_batch(3, status="identified")
    risks.RiskFactory(status="closed", title="Not in the file")
    response = page_client(executive).get(reverse("governance:risk_list"), {"status": "identified", "export": fmt})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert 'filename="risks-status-identified-' in disposition and disposition.endswith(f'.{fmt}"')
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = read_table(content, f"risks.{fmt}")
    assert len(rows) == 3 and "owner_email" in rows[0]  # "Owner email" in the file, mapped back
    report = run_import("risks", rows, by=executive, preview=True)
    assert report.ok and report.summary["unchanged"] == 3, [(r.line, r.errors) for r in report.errors]
    assert report.summary["create"] == report.summary["update"] == 0


def test_the_file_headers_read_as_words_and_an_importable_list_links_to_the_import(executive, auditor):
    risks.RiskFactory()
    response = page_client(executive).get(reverse("governance:risk_list"), {"export": "csv"})
    header = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert header.splitlines()[0].startswith("Key,Title,")
    assert "Owner email" in header.splitlines()[0]
    import_link = f'btn-sm" href="{reverse("import_data")}">Import</a>'  # the list's button (not the menu's)
    assert import_link in page_client(executive).get(reverse("governance:risk_list")).content.decode()
    assert import_link not in page_client(auditor).get(reverse("governance:risk_list")).content.decode()
    assert import_link not in page_client(executive).get(reverse("governance:policy_list")).content.decode()


# --- the other states an import could reach: only as the API reaches them ------------------------
def _risk_file(risk, status, justification=""):
    columns, rows = export_rows("risks")
    row = dict(zip(columns, next(r for r in rows if risk.key in r), strict=True))
    row.update(status=status, acceptance_justification=justification)
    return read_table(csv_bytes(list(row), [list(row.values())]), "r.csv")


def test_an_import_accepts_a_risk_only_through_the_acceptance_action(executive):
    from vpportal.events.models import Event

    risk = risks.RiskFactory(title="Imported acceptance")
    report = run_import("risks", _risk_file(risk, "accepted"), by=executive, preview=True)
    assert report.rows[0].action == "error" and "acceptance_justification" in report.rows[0].errors
    risk.refresh_from_db()
    assert risk.status == "identified"
    report = run_import(
        "risks", _risk_file(risk, "accepted", "Residual risk is tolerable."), by=executive, preview=False
    )
    assert report.ok, [r.errors for r in report.rows]
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by, risk.acceptance_justification) == (
        "accepted",
        executive,
        "Residual risk is tolerable.",
    )
    assert risk.accepted_at is not None
    assert Event.objects.filter(type="risk.accepted", object_id=risk.pk).count() == 1


def test_an_import_by_someone_who_may_not_accept_risks_accepts_none(leader):
    risk = risks.RiskFactory(title="Not theirs to accept")
    report = run_import("risks", _risk_file(risk, "accepted", "Looks fine to me."), by=leader, preview=True)
    assert not report.ok and not report.written
    risk.refresh_from_db()
    assert risk.status == "identified"


def test_what_has_a_workflow_of_its_own_is_not_importable():
    """Policy versions (draft -> review -> approval by another person), acknowledgements and training
    seats (capacity) have no import kind: a file cannot reach their states at all. The kinds that
    carry a state (initiative stage, risk status, incident status) move it through their services."""
    from leadership.imports.kinds import KINDS

    assert tuple(KINDS) == ORDER
