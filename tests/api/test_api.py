"""The read API: tokens only, scoped like every page, personal data masked, schema served without a CDN."""

import io
import json

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Household
from cases.services import household_create
from tests.cases.conftest import household_data, person

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_without_a_token_the_api_answers_401_json_not_a_redirect(client):
    response = client.get("/api/households/")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_a_session_login_is_not_enough_for_the_api(client, in_scope_user):
    client.force_login(in_scope_user)

    assert client.get("/api/households/").status_code == 401


def test_a_district_token_lists_only_its_own_households(dataset, in_scope_user):
    response = _client(in_scope_user).get("/api/households/")

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 6
    assert {row["union_name"] for row in body["results"]} == {"海溪公司工会", "堰桥街道总工会"}


def test_another_districts_household_is_a_404(dataset, out_of_scope_user):
    client = _client(out_of_scope_user)

    assert client.get(f"/api/households/{dataset['H1'].pk}/").status_code == 404
    assert client.get(f"/api/households/{dataset['H1'].pk}/payments/").status_code == 404
    assert client.get("/api/households/").json()["count"] == 1  # only 滨湖's H7


def test_no_full_id_number_card_or_phone_in_any_response(dataset, in_scope_user):
    household = Household.objects.get(pk=dataset["H1"].pk)
    Household.objects.filter(pk=household.pk).update(bank_card="6222021234567890128")
    client = _client(in_scope_user)

    texts = [
        client.get("/api/households/").content.decode(),
        client.get(f"/api/households/{household.pk}/").content.decode(),
        client.get(f"/api/households/{household.pk}/payments/").content.decode(),
    ]

    detail = json.loads(texts[1])
    assert detail["head_id_number"] == household.head_id_number[:6] + "********" + household.head_id_number[-4:]
    assert detail["bank_card"] == "6222 **** **** 0128"
    for text in texts:
        assert household.head_id_number not in text
        assert household.phone not in text
        assert "6222021234567890128" not in text


def test_a_households_payments_are_listed(dataset, in_scope_user):
    body = _client(in_scope_user).get(f"/api/households/{dataset['H1'].pk}/payments/").json()

    assert body["count"] == 3
    assert {(p["program"], p["amount"], p["status"]) for p in body["results"]} >= {("生活补贴", "350.00", "paid")}


def test_pages_hold_fifty_households(tree, standard, grassroots):
    for i in range(51):
        household_create(actor=grassroots, union=tree["company"], members=[person(name=f"户主{i}")],
                         data=household_data(phone=f"139{i:08d}"))  # fmt: skip

    body = _client(grassroots).get("/api/households/").json()

    assert body["count"] == 51 and len(body["results"]) == 50 and body["next"]


def test_the_openapi_document_loads(in_scope_user):
    response = _client(in_scope_user).get("/api/schema/?format=json")

    schema = json.loads(response.content)
    assert response.status_code == 200
    assert "/api/households/" in schema["paths"] and "/api/households/{id}/payments/" in schema["paths"]


def test_the_docs_page_uses_no_cdn(client, in_scope_user):
    client.force_login(in_scope_user)

    page = client.get("/api/docs/").content.decode()

    assert "swagger-ui" in page and "cdn." not in page and "https://" not in page


def test_create_api_token_issues_one_token_per_user(in_scope_user):
    out = io.StringIO()
    call_command("create_api_token", username=in_scope_user.username, stdout=out)
    call_command("create_api_token", username=in_scope_user.username, stdout=io.StringIO())

    assert out.getvalue().strip() == Token.objects.get(user=in_scope_user).key


def test_a_files_actions_are_what_its_page_offers(tree, standard, grassroots):
    """The API reads the same declaration as the page: the submitter may not do the 初审 of her own file."""
    from cases.review import services as review

    household = household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[person()])
    draft = _client(grassroots).get(f"/api/households/{household.pk}/actions/").json()
    review.household_submit(actor=grassroots, household_id=household.pk)

    submitted = _client(grassroots).get(f"/api/households/{household.pk}/actions/").json()

    assert draft == [{"name": "submit", "label": "提交申请", "allowed": True, "reason": ""}]
    assert submitted == []
