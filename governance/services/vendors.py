"""Writes on vendors: pages, admin and API all call these."""

from governance.models import Vendor
from vpportal.core.services import Writes, create_record, delete_record, update_record


def _normalise(data: dict) -> dict:
    data = dict(data)
    if data.get("data_locations") is not None and isinstance(data["data_locations"], list):
        # Codes are upper case and each named once (the validator refuses anything not in ISO 3166-1).
        codes = [str(code).strip().upper() if isinstance(code, str) else code for code in data["data_locations"]]
        data["data_locations"] = list(dict.fromkeys(code for code in codes if code != ""))
    return data


def vendor_create(*, by, data: dict) -> Vendor:
    return create_record(Vendor, by=by, data=_normalise(data))


def vendor_update(vendor: Vendor, *, by, data: dict, version: int | None = None) -> Vendor:
    return update_record(vendor, by=by, data=_normalise(data), version=version)


def vendor_delete(vendor: Vendor, *, by, version: int | None = None) -> None:
    """A vendor still named by an AI system or a risk stays (the systems and risks name it first)."""
    delete_record(vendor, by=by, version=version)


VENDOR_WRITES = Writes(create=vendor_create, update=vendor_update, delete=vendor_delete)
