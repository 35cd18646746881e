"""Creating and editing a household file: scope, one file per person, concurrent edits, masking."""

import threading
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from cases.models import Household, Member, Tier
from cases.services import StaleEdit, household_create, household_update
from hardship.identity import make_id_number
from hardship.models import AuditEvent, Role
from tests.factories import user_with_role

from .conftest import form_post as _form_post
from .conftest import household_data, person
from .conftest import member_row as _member

pytestmark = pytest.mark.django_db


def _create(actor, union, members=None, **data):
    return household_create(actor=actor, union=union, data=household_data(**data), members=members or [person()])


def test_creating_a_file_computes_the_tier_and_records_who_made_it(tree, standard, grassroots):
    household = _create(
        grassroots,
        tree["company"],
        members=[person(), person("child", "蒋晓明", date(2008, 9, 1), "student", school_level="senior")],
    )

    assert household.member_count == 2
    assert household.per_capita_income == Decimal("1500.00")
    assert household.tier == Tier.RELATIVE
    assert household.created_by == grassroots
    event = AuditEvent.objects.get(verb="household.create", target_id=str(household.pk))
    assert event.actor == grassroots


def test_birth_date_and_sex_come_from_the_id_number(tree, standard, grassroots):
    household = _create(grassroots, tree["company"], members=[person(birth=date(1978, 3, 12))])

    member = household.members.get()
    assert member.birth_date == date(1978, 3, 12)
    assert member.sex == ("M" if int(member.id_number[16]) % 2 else "F")


def test_staff_cannot_create_a_file_outside_their_unions(tree, standard, grassroots):
    with pytest.raises(PermissionDenied):
        _create(grassroots, tree["lihu"])
    assert Household.objects.count() == 0


def test_a_person_on_a_live_file_cannot_be_put_on_a_second_one(tree, standard, grassroots):
    head = person()
    _create(grassroots, tree["company"], members=[head])
    binhu_staff = user_with_role(Role.GRASSROOTS_STAFF, tree["lihu"])

    with pytest.raises(ValidationError) as error:
        _create(
            binhu_staff,
            tree["lihu"],
            members=[person(name="另一人"), person("spouse", "蒋建华", id_number=head.id_number)],
        )
    # Another district's file: the district-level union to contact, and nothing about that household.
    message = error.value.messages[0]
    assert "请联系「惠山区总工会」核实" in message
    assert "海溪公司工会" not in message and "堰桥" not in message
    assert head.id_number not in message and head.id_number[:6] in message
    assert Household.objects.count() == 1


def test_a_person_on_a_file_in_ones_own_scope_names_that_union(tree, standard, grassroots):
    head = person()
    _create(grassroots, tree["company"], members=[head])
    street_staff = user_with_role(Role.GRASSROOTS_STAFF, tree["yanqiao"])

    with pytest.raises(ValidationError) as error:
        _create(
            street_staff, tree["yanqiao"], members=[person(name="另一人"), person("spouse", id_number=head.id_number)]
        )

    assert "「海溪公司工会」" in error.value.messages[0]


def test_the_form_marks_the_member_already_on_another_file(client, tree, standard, grassroots):
    head = person()
    _create(grassroots, tree["company"], members=[head])
    binhu_staff = user_with_role(Role.GRASSROOTS_STAFF, tree["lihu"])
    client.force_login(binhu_staff)

    response = client.post(
        reverse("cases:household_create"), _form_post(tree["lihu"], [_member(id_number=head.id_number)])
    )

    # Said once, at that member's 身份证号 (its field error), not again at the top of the form.
    body = response.content.decode()
    assert body.count("请联系「惠山区总工会」核实") == 1
    assert 'data-testid="form-errors"' not in body


def test_a_file_needs_exactly_one_head(tree, standard, grassroots):
    with pytest.raises(ValidationError, match="有且只有一位"):
        _create(grassroots, tree["company"], members=[person("spouse"), person("child", "孩子", date(2010, 1, 1))])


def test_more_than_three_secondary_causes_are_refused(tree, standard, grassroots):
    with pytest.raises(ValidationError, match="最多选择三项"):
        _create(grassroots, tree["company"], secondary_causes=["laid_off", "schooling", "accident", "other"])


def test_an_edit_records_old_and_new_values_with_personal_data_masked(tree, standard, grassroots):
    household = _create(grassroots, tree["company"], bank_name="工商银行", bank_card="6222021234567890128")
    head = household.members.get()

    household_update(
        actor=grassroots, household_id=household.pk, expected_version=household.version,
        data={"address": "新地址 1 号", "bank_card": "6222029876543210987"},
        members=[person(id=head.pk, id_number=head.id_number, name="蒋建华")],
    )  # fmt: skip

    event = AuditEvent.objects.get(verb="household.update")
    assert event.changes["address"] == ["惠山区堰桥街道西漳村 12 号", "新地址 1 号"]
    assert event.changes["bank_card"] == ["6222 **** **** 0128", "6222 **** **** 0987"]


def test_the_second_of_two_concurrent_edits_is_refused(tree, standard, grassroots):
    household = _create(grassroots, tree["company"])
    head = household.members.get()
    colleague = user_with_role(Role.GRASSROOTS_STAFF, tree["company"], full_name="李明")
    opened_version = household.version  # both opened the form at this version
    same_head = [person(id=head.pk, id_number=head.id_number)]

    household_update(actor=colleague, household_id=household.pk, expected_version=opened_version,
                     data={"address": "李明的修改"}, members=same_head)  # fmt: skip
    with pytest.raises(StaleEdit, match="李明"):
        household_update(actor=grassroots, household_id=household.pk, expected_version=opened_version,
                         data={"address": "王丽华的修改"}, members=same_head)  # fmt: skip

    household.refresh_from_db()
    assert household.address == "李明的修改"
    assert household.version == opened_version + 1


def test_removing_a_member_keeps_the_row_and_frees_the_person(tree, standard, grassroots):
    child = person("child", "蒋晓明", date(2008, 9, 1), "student")
    household = _create(grassroots, tree["company"], members=[person(), child])
    head = household.members.get(relation="self")

    household_update(actor=grassroots, household_id=household.pk, expected_version=household.version,
                     data={}, members=[person(id=head.pk, id_number=head.id_number)])  # fmt: skip

    household.refresh_from_db()
    assert household.member_count == 1
    assert Member.objects.filter(id_number=child.id_number, removed=True, is_live=False).exists()
    _create(grassroots, tree["company"], members=[person("self", "蒋晓明", id_number=child.id_number)])


@pytest.mark.postgres
def test_two_simultaneous_creations_of_the_same_person_leave_one_file(transactional_db, tree, standard, grassroots):
    """The database constraint decides the race; the loser gets the clear message."""
    id_number = make_id_number("320206", date(1978, 3, 12), 555)
    other = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(actor):
        try:
            barrier.wait(timeout=10)
            _create(actor, tree["company"], members=[person(id_number=id_number)])
            outcomes.append("created")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(actor,)) for actor in (grassroots, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes)[0] != "created" or outcomes.count("created") == 1
    assert outcomes.count("created") == 1
    assert any("只能有一份在档档案" in o for o in outcomes)
    assert Member.objects.filter(id_number=id_number, is_live=True).count() == 1


# The pages.


def test_the_list_shows_masked_id_numbers_and_only_files_in_scope(client, tree, standard, grassroots,
                                                                  out_of_scope_user):  # fmt: skip
    mine = _create(grassroots, tree["company"])
    other_staff = user_with_role(Role.GRASSROOTS_STAFF, tree["lihu"])
    theirs = _create(other_staff, tree["lihu"], members=[person(name="滨湖职工")])
    client.force_login(out_of_scope_user)

    body = client.get(reverse("cases:household_list")).content.decode()

    assert "滨湖职工" in body and mine.head_name not in body
    assert theirs.head_id_number not in body and theirs.head_id_number[:6] + "********" in body


def test_each_row_of_the_list_shows_its_file_escaped_and_labelled_for_the_phone(client, tree, standard, grassroots):
    household = _create(grassroots, tree["company"], members=[person(name='<b>蒋"建</b>')])
    household.refresh_from_db()
    client.force_login(grassroots)

    body = client.get(reverse("cases:household_list")).content.decode()

    row = body[body.index("<tbody>") : body.index("</tbody>")]
    assert "<b>" not in row and "&lt;b&gt;蒋&quot;建&lt;/b&gt;" in row  # a name is text, never markup
    assert f'href="{reverse("cases:household_detail", args=[household.pk])}"' in row
    assert f'data-label="身份证号">{household.head_id_number[:6]}********' in row
    assert f'data-label="所属工会">{tree["company"].name}</td>' in row
    assert f'tier-{household.tier}">{household.get_tier_display()}</span>' in row
    assert f'data-label="人均月收入">{household.per_capita_income:.2f}</td>' in row
    assert 'data-label="职工编号">—</td>' in row  # a draft has no number yet
    client.post(reverse("set_language"), {"language": "en", "next": reverse("cases:household_list")})
    english = client.get(reverse("cases:household_list")).content.decode()
    assert 'data-label="Per-capita monthly income"' in english and 'status-draft">Draft<' in english
    assert 'data-label="人均月收入"' not in english


def test_search_by_full_id_number_finds_the_household_of_any_member(client, tree, standard, grassroots):
    child = person("child", "蒋晓明", date(2008, 9, 1), "student")
    household = _create(grassroots, tree["company"], members=[person(), child])
    client.force_login(grassroots)

    page = client.get(reverse("cases:household_list"), {"q": child.id_number}).context["page"]

    assert [h.pk for h in page.object_list] == [household.pk]


def test_filters_by_tier_and_by_name_prefix(client, tree, standard, grassroots):
    poor = _create(grassroots, tree["company"], members=[person(name="张三", income_wages=Decimal("0"))])
    _create(grassroots, tree["company"], members=[person(name="张四", income_wages=Decimal("90000"))])
    client.force_login(grassroots)

    by_tier = client.get(reverse("cases:household_list"), {"tier": "extreme"}).context["page"]
    by_name = client.get(reverse("cases:household_list"), {"q": "张"}).context["page"]

    assert [h.pk for h in by_tier.object_list] == [poor.pk]
    assert len(by_name.object_list) == 2


def test_a_sibling_districts_file_is_a_404(client, tree, standard, grassroots, out_of_scope_user):
    household = _create(grassroots, tree["company"])
    client.force_login(out_of_scope_user)

    for name in ("household_detail", "household_print", "household_edit"):
        assert client.get(reverse(f"cases:{name}", args=[household.pk])).status_code == 404


def test_the_detail_page_is_masked_and_unmasking_is_an_audit_event(client, tree, standard, grassroots):
    household = _create(grassroots, tree["company"], bank_name="工商银行", bank_card="6222021234567890128")
    client.force_login(grassroots)

    masked = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    clear = client.post(reverse("cases:household_unmask", args=[household.pk])).content.decode()

    assert household.head_id_number not in masked and "6222021234567890128" not in masked
    assert "6222 **** **** 0128" in masked
    assert household.head_id_number in clear and "6222021234567890128" in clear
    assert AuditEvent.objects.filter(verb="household.unmask", actor=grassroots, target_id=str(household.pk)).exists()


def test_an_observer_reads_the_file_but_cannot_unmask_or_edit(client, tree, standard, grassroots, observer):
    household = _create(grassroots, tree["company"])
    client.force_login(observer)

    assert client.get(reverse("cases:household_detail", args=[household.pk])).status_code == 200
    assert client.post(reverse("cases:household_unmask", args=[household.pk])).status_code == 403
    assert client.get(reverse("cases:household_edit", args=[household.pk])).status_code == 403
    assert not AuditEvent.objects.filter(verb="household.unmask").exists()


def test_an_observers_file_page_builds_and_renders_no_form_it_cannot_send(client, tree, standard, grassroots,
                                                                         observer):  # fmt: skip
    household = _create(grassroots, tree["company"])
    client.force_login(observer)

    response = client.get(reverse("cases:household_detail", args=[household.pk]))

    page = response.content.decode()
    assert response.context["attachment_form"] is None and response.context["help_form"] is None
    assert 'name="kind"' not in page and 'name="file"' not in page and 'name="per_capita_income"' not in page


def test_the_detail_page_uses_a_fixed_number_of_queries(client, tree, standard, grassroots,
                                                        django_assert_max_num_queries):  # fmt: skip
    members = [person()] + [person("child", f"孩子{i}", date(2010, 1, 1 + i), "student") for i in range(8)]
    household = _create(grassroots, tree["company"], members=members)
    for i in range(12):
        household_update(actor=grassroots, household_id=household.pk, expected_version=household.version + i,
                         data={"address": f"地址 {i}"},
                         members=[person(id=m.pk, id_number=m.id_number, name=m.name, relation=m.relation,
                                         work=m.work_status) for m in household.members.all()])  # fmt: skip
    client.force_login(grassroots)
    url = reverse("cases:household_detail", args=[household.pk])
    client.get(url)  # the session's first page pushes its expiry (then once a minute)

    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["members"]) == 9


def test_the_form_creates_a_household_with_two_members(client, tree, standard, grassroots):
    client.force_login(grassroots)
    members = [_member(), _member("child", "蒋晓明", make_id_number("320206", date(2008, 9, 1), 778), "student")]

    response = client.post(reverse("cases:household_create"), _form_post(tree["company"], members))

    household = Household.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:household_detail", args=[household.pk])
    assert household.member_count == 2 and household.tier == Tier.RELATIVE


def test_a_wrong_id_number_in_the_form_is_shown_and_nothing_is_saved(client, tree, standard, grassroots):
    client.force_login(grassroots)

    response = client.post(reverse("cases:household_create"),
                           _form_post(tree["company"], [_member(id_number="11010519491231002")]))  # fmt: skip

    assert response.status_code == 200
    assert "身份证号应为 18 位" in response.content.decode()
    assert "蒋建华" in response.content.decode()  # what was typed is kept
    assert Household.objects.count() == 0


def test_a_luhn_failure_saves_with_a_warning(client, tree, standard, grassroots):
    client.force_login(grassroots)
    post = _form_post(tree["company"], [_member()], bank_name="工商银行", bank_card="6222021234567890123")

    response = client.post(reverse("cases:household_create"), post, follow=True)

    assert Household.objects.get().bank_card_luhn_ok is False
    assert "未通过校验" in response.content.decode()


def test_a_card_number_typed_in_groups_of_four_is_kept_whole(client, tree, standard, grassroots):
    """19 digits typed as printed on the card (with spaces) are 23 characters: the form must take them."""
    client.force_login(grassroots)
    form = client.get(reverse("cases:household_create")).content.decode()
    assert 'maxlength="19"' not in form.split('id="id_bank_card"')[0].rsplit("<input", 1)[1]

    response = client.post(reverse("cases:household_create"),
                           _form_post(tree["company"], [_member()], bank_name="建设银行",
                                      bank_card="6217 0015 1000 1234 567"))  # fmt: skip

    assert response.status_code == 302
    household = Household.objects.get()
    assert household.bank_card == "6217001510001234567"
    assert household.bank_card_luhn_ok is True


class _RenderedForm(HTMLParser):
    """What a browser would post for the page's form untouched: every field with its rendered value."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._in_template = 0
        self._select = None
        self._select_first = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self._in_template += 1
        if self._in_template or not a.get("name") and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("submit", "file", "checkbox", "radio"):
            self.data[a["name"]] = a.get("value") or ""
        elif tag == "input" and "checked" in a:
            self.data[a["name"]] = a.get("value") or "on"
        elif tag == "select":
            self._select, self._select_first = a["name"], None
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
                self.data.setdefault(self._select, self._select_first)
            if "selected" in a:
                self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "template":
            self._in_template -= 1
        elif tag == "select":
            self._select = None


def _rendered_form(response) -> dict[str, str]:
    parser = _RenderedForm()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def test_the_blank_member_rows_the_form_offers_can_be_left_blank(client, tree, standard, grassroots):
    """新建 offers three member rows and 编辑 one blank row after the members: "空行不保存", not "必填"."""
    client.force_login(grassroots)
    post = _rendered_form(client.get(reverse("cases:household_create")))
    assert post["members-TOTAL_FORMS"] == "3"
    post.update({k: v for k, v in _form_post(tree["company"], []).items() if not k.startswith("members-")})
    post.update({f"members-0-{k}": v for k, v in _member().items()})  # rows 2 and 3 stay as rendered

    response = client.post(reverse("cases:household_create"), post)

    assert response.status_code == 302, response.context["formset"].errors
    household = Household.objects.get()
    assert household.member_count == 1

    edit_url = reverse("cases:household_edit", args=[household.pk])
    post = _rendered_form(client.get(edit_url))
    post["address"] = "惠山区堰桥街道西漳村 14 号"
    response = client.post(edit_url, post)

    assert response.status_code == 302, response.context["formset"].errors
    household.refresh_from_db()
    assert household.address == "惠山区堰桥街道西漳村 14 号"
    assert household.member_count == 1


def test_the_form_cannot_be_posted_for_a_union_outside_scope(client, tree, standard, grassroots):
    client.force_login(grassroots)

    response = client.post(reverse("cases:household_create"), _form_post(tree["lihu"], [_member()]))

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert Household.objects.count() == 0


def test_a_stale_form_is_refused_with_a_message_and_nothing_overwritten(client, tree, standard, grassroots):
    household = _create(grassroots, tree["company"])
    head = household.members.get()
    household_update(actor=grassroots, household_id=household.pk, expected_version=1, data={"address": "先保存的"},
                     members=[person(id=head.pk, id_number=head.id_number)])  # fmt: skip
    client.force_login(grassroots)
    post = _form_post(tree["company"], [_member(id_number=head.id_number) | {"id": head.pk}], version="1",
                      address="后保存的")  # fmt: skip
    post["members-INITIAL_FORMS"] = "1"

    response = client.post(reverse("cases:household_edit", args=[household.pk]), post, follow=True)

    assert "您的修改没有保存" in response.content.decode()
    household.refresh_from_db()
    assert household.address == "先保存的"


def test_the_print_sheet_is_masked(client, tree, standard, grassroots):
    household = _create(grassroots, tree["company"])
    client.force_login(grassroots)

    body = client.get(reverse("cases:household_print", args=[household.pk])).content.decode()

    assert "困难职工家庭档案（一户一档）" in body
    assert household.head_id_number not in body
    assert "print.css" in body


@pytest.mark.parametrize("union", ["99999999999999999999", "-1", "abc", "0"])
def test_a_nonsense_union_filter_is_ignored_not_a_server_error(client, tree, standard, grassroots, union):
    _create(grassroots, tree["company"])
    client.force_login(grassroots)

    response = client.get(reverse("cases:household_list"), {"union": union})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def test_every_audit_verb_in_the_code_has_words_in_the_ui_language():
    """The history and the audit log show verbs in words: a verb written by the code without words showed raw
    ("household.demo_filed", "standard.apply"). Every app registers its verbs in hardship.audit_words."""
    import re
    from pathlib import Path

    from hardship.audit_words import known_verbs

    root = Path(__file__).resolve().parents[2]
    used = set()
    for folder in ("cases", "programs", "hardship", "api"):
        for path in (root / folder).rglob("*.py"):
            used |= set(re.findall(r'verb="([a-z_]+(?:\.[a-z_]+)+)"', path.read_text(encoding="utf-8")))
    assert len(used) > 40 and not used - known_verbs(), sorted(used - known_verbs())
