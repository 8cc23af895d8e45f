"""Every list page offers CSV and XLSX export of its filtered rows, and both downloads work."""

import pytest
from django.urls import get_resolver, reverse

from tests.conftest import page_client

pytestmark = pytest.mark.django_db


def list_url_names():
    names = []
    for namespace, (_, resolver) in get_resolver().namespace_dict.items():
        if namespace in ("api", "admin"):
            continue
        for name in resolver.reverse_dict:
            if isinstance(name, str) and name.endswith("_list"):
                try:
                    reverse(f"{namespace}:{name}")
                except Exception:
                    continue
                names.append(f"{namespace}:{name}")
    return sorted(set(names))


@pytest.mark.parametrize("name", list_url_names())
def test_each_list_offers_and_serves_csv_and_xlsx(executive, name):
    client = page_client(executive)
    page = client.get(reverse(name))
    assert page.status_code == 200
    body = page.content.decode()
    assert "export=csv" in body and "export=xlsx" in body
    csv = client.get(reverse(name), {"export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    xlsx = client.get(reverse(name), {"export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    content = b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content
    assert content[:2] == b"PK"  # a zip container, as every XLSX file is
