"""Fuzzed input for every form of the portal (issue #8): hostile text, amounts, dates, ids and files.

Each form has a *case*: how to build it and one valid submission. Hypothesis starts from that
submission and replaces or drops fields with hostile values. Properties, for every form:

* validating never raises;
* a value no correct form may accept (NaN, a NUL byte, 30 February, a negative amount, an id
  outside the choices, an empty file) is refused, and every refusal is a message in Chinese;
* what a form accepts can be stored (no NUL, no non-finite or oversized amount).

The forms are found in the code, so a new form without a case fails
``test_every_form_of_the_project_has_a_fuzz_case`` by name. The tests at the end go through the
real views with the test client: never a 500, a message on refusal, nothing partly saved.
"""

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cases.forms import MemberFormSet
from cases.models import Attachment, HardshipStandard, HomeVisit, Household, Member, VisitPhoto
from cases.services import household_create
from hardship.identity import make_id_number
from hardship.models import AuditEvent, Role, SocialOrganisation, Union, User
from programs.assistance.demo import seed_programs
from programs.assistance.models import Program
from programs.workstudy import services as workstudy
from programs.workstudy.models import Enterprise, Position, SafetyClass, Term
from tests.cases.conftest import WUXI, household_data, person
from tests.factories import SocialOrganisationFactory, user_with_role
from tests.workstudy.conftest import END, INSURED, START, filed_student, make_position

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PROJECT_PACKAGES = ("cases", "programs", "hardship")
# Modules that are not application code: settings read the environment, migrations are history.
NOT_APP_CODE = re.compile(r"\.(settings|migrations)(\.|$)|\.(wsgi|gunicorn\.conf)$")

# Every form gets at least 200 examples (issue #8).
FORM_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
CJK = re.compile(r"[\u4e00-\u9fff]")

# Hostile values ----------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "", " ", "\t\r\n", "\u202eRTL override\u202c", "مرحبا بالعالم", "שלום עולם", "😀👨‍👩‍👧‍👦🇨🇳",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' OR '1'='1", "'; DROP TABLE cases_household; --",
    "{{ 7|add:1 }}{% debug %}", "%s%s%n%(x)s", "../../etc/passwd", "\ufeff\u200b\u200d", "Ｆｕｌｌ１２３",
    "\x1b[31m\x7f\x08\x0b\x0c", "None", "[]", "-1", "1e309",
]  # fmt: skip
NUL_TEXT = ["\x00", "a\x00b", "张\x00三", "\x00" * 50]
long_text = st.builds(
    lambda piece, n: piece * n, st.sampled_from(["x", "长", "😀", "\u202e", "<b>", "1"]), st.integers(201, 20_000)
)
any_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT + NUL_TEXT),
    long_text,
    st.text(max_size=300),  # random unicode, control characters included
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
)
BAD_NUMBERS = [
    "NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "1e309", "-1e309", "abc", "1..2", "--1", "0x10",
    "-1", "-0.01", "-99999999", "99999999999999999999999", "1e20", "0.001", "\x00", "1\x00",
]  # fmt: skip
ODD_NUMBERS = ["", " ", "0", "-0", "1e2", "１２３", "1_000", "1,000", " 12.50 ", "9999999999.99", "2147483648",
               "9223372036854775808", "1e-309", "100000000", "99999999.99"]  # fmt: skip
BAD_INTEGERS = ["NaN", "1e309", "abc", "1.5", "\x00", "--1"]
BAD_DATES = ["2026-02-30", "2026-13-01", "0000-00-00", "99999-01-01", "-1", "1e309", "\x00", "2026/02/30",
             "today", "2026-1-1T00:00:00"]  # fmt: skip
ODD_DATES = ["", "0001-01-01", "1900-01-01", "9999-12-31", "2026-02-28", "2024-02-29", "2026-12-31",
             "2026/07/01", "07/01/2026"]  # fmt: skip
BAD_MONTHS = ["2026-13", "0000-00", "2026-00", "99999-01", "\x00"]
BAD_IDS = ["0", "-1", "abc", "1.5", "99999999999999999999999", "9223372036854775808", "\x00", "1e309", "[]"]

PDF, PNG, JPEG = b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"
FILE_NAMES = ["scan.pdf", "photo.png", "x.jpg", "报告.pdf", "evil.exe", "a.pdf.exe", "x.xlsx", "noext",
              "\u202egnp.exe", "😀.png", "<script>.pdf", "'; DROP TABLE x;--.pdf", "a" * 300 + ".pdf",
              "..\\..\\win.ini", "a\x00b.pdf", " .png"]  # fmt: skip
file_contents = st.one_of(
    st.sampled_from(
        [
            b"",
            b"\x00",
            PDF,
            PNG,
            JPEG,
            b"MZ\x90\x00",
            b"<html><script>alert(1)</script>",
            b"PK\x03\x04broken",
            b"a,b,c\n1,2,3\n",
            "中文,测试\n".encode("gbk"),
        ]
    ),  # fmt: skip
    st.builds(lambda head, tail: head + tail, st.sampled_from([PDF, PNG, JPEG, b""]), st.binary(max_size=2000)),
)
file_specs = st.tuples(
    st.sampled_from(FILE_NAMES),
    file_contents,
    st.sampled_from(["application/pdf", "image/png", "text/html", "application/octet-stream"]),
)


# Per-field strategies: (value, must_fail) ----------------------------------------------------------------


def _decimal_must_fail(field: forms.DecimalField, text: str) -> bool:
    if not text.strip():
        return field.required
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return True
    if not value.is_finite() or value < 0:  # every amount of the portal is zero or more
        return True
    places = field.decimal_places if field.decimal_places is not None else 2
    whole = (field.max_digits or 12) - places
    return abs(value) >= Decimal(10) ** whole or value.as_tuple().exponent < -places


def _text_must_fail(field, value: str) -> bool:
    if "\x00" in value:
        return True
    shown = value.strip() if getattr(field, "strip", True) else value
    if getattr(field, "max_length", None) and len(shown) > field.max_length:
        return True
    return field.required and not shown


def _choice_must_fail(field, known: list[str], text: str) -> bool:
    if text == "" or (isinstance(field, forms.ModelChoiceField) and not text.strip()):
        return field.required
    if not isinstance(field, forms.ModelChoiceField):
        return text not in known
    try:
        return str(int(text)) not in known  # the pk lookup reads " 7 " as 7
    except ValueError:
        return True


def _values_for(field) -> st.SearchStrategy:
    if isinstance(field, forms.FileField):
        many = isinstance(field.widget, forms.ClearableFileInput) and field.widget.allow_multiple_selected
        specs = st.lists(file_specs, min_size=1, max_size=3) if many else file_specs.map(lambda s: [s])
        return specs.map(lambda ss: (("__files__", ss), any(not content for _n, content, _t in ss)))
    if isinstance(field, forms.ModelChoiceField | forms.ChoiceField):
        if isinstance(field, forms.ModelChoiceField):
            known = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:20]]
            bad = st.sampled_from(BAD_IDS)
        else:
            known = [str(value) for value, _label in field.choices if value != ""]
            bad = st.sampled_from(["__nope__", "\x00", "<script>", "1e309"])
        good = st.sampled_from(known or [""]).map(lambda v: (v, False))
        bad = bad.map(lambda v: (v, True))
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            listed = st.lists(st.one_of(good, bad), max_size=6)
            return listed.map(lambda vs: ([v for v, _f in vs], any(f for _v, f in vs) or (field.required and not vs)))
        texts = any_text.map(lambda t: (t, _choice_must_fail(field, known, t)))
        return st.one_of(good, bad, texts)
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "0", "false", "False", "1", "\x00", "😀"]).map(lambda v: (v, False))
    if isinstance(field, forms.DateField):
        if getattr(field, "input_formats", None) == ["%Y-%m"]:
            months = st.sampled_from([*BAD_MONTHS, "2026-01", "0001-01", "9999-12", "2026-1-1"])
            return months.map(lambda t: (t, t in BAD_MONTHS))
        texts = st.one_of(st.sampled_from(BAD_DATES + ODD_DATES), st.dates().map(date.isoformat), any_text)
        return texts.map(lambda t: (t, t in BAD_DATES or "\x00" in t or (field.required and not t.strip())))
    if isinstance(field, forms.DecimalField):
        texts = st.one_of(st.sampled_from(BAD_NUMBERS + ODD_NUMBERS),
                          st.decimals(allow_nan=True, allow_infinity=True).map(str), st.floats().map(repr))  # fmt: skip
        return texts.map(lambda t: (t, _decimal_must_fail(field, t)))
    if isinstance(field, forms.IntegerField):
        texts = st.one_of(st.sampled_from(BAD_INTEGERS + ODD_NUMBERS), st.integers().map(str))
        return texts.map(lambda t: (t, t in BAD_INTEGERS or (field.required and not t.strip())))
    if isinstance(field, forms.CharField):
        return any_text.map(lambda t: (t, _text_must_fail(field, t)))
    raise AssertionError(f"no fuzz strategy for the field type {type(field).__name__}")


KEEP, DROP = "__keep__", "__drop__"


def mutations(fields: dict) -> st.SearchStrategy:
    """For each field: keep the valid value (most often), drop it, or put a hostile value in."""
    keep = st.just((KEEP, False))
    return st.fixed_dictionaries(
        {
            key: st.one_of(keep, keep, keep, st.just((DROP, field.required)), _values_for(field))
            for key, field in fields.items()
        }  # fmt: skip
    )


def make_file(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def submission(valid: dict, mutation: dict) -> tuple[MultiValueDict, MultiValueDict, list[str]]:
    """POST data and files: the valid submission with the mutation applied, and the keys that must fail."""
    merged = dict(valid)
    must_fail = []
    for key, (value, fails) in mutation.items():
        if value == DROP:
            merged.pop(key, None)
        elif value != KEEP:
            merged[key] = value
        if fails:
            must_fail.append(key)
    data, files = MultiValueDict(), MultiValueDict()
    for key, value in merged.items():
        if isinstance(value, tuple) and value and value[0] == "__files__":
            files.setlist(key, [make_file(*spec) for spec in value[1]])
        else:
            data.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return data, files, must_fail


def error_messages(obj) -> list[str]:
    """Every message a form or formset would show."""
    if isinstance(obj, forms.BaseFormSet):
        found = [str(m) for m in obj.non_form_errors()]
        for form in obj.forms:
            found += error_messages(form)
        return found
    return [str(m) for errors in obj.errors.values() for m in errors]


def unsafe_values(cleaned) -> list[str]:
    """Accepted values the database would refuse: a NUL in text, a non-finite or oversized amount."""
    problems = []
    for row in cleaned if isinstance(cleaned, list) else [cleaned]:
        for name, value in row.items():
            for item in value if isinstance(value, list | tuple) else [value]:
                if isinstance(item, str) and "\x00" in item:
                    problems.append(f"{name}: NUL")
                if isinstance(item, Decimal) and (not item.is_finite() or abs(item) >= Decimal("1e10")):
                    problems.append(f"{name}: {item}")
    return problems


# The world the forms need ---------------------------------------------------------------------------------


@pytest.fixture
def world(tree, in_scope_user, observer):
    centre = in_scope_user  # 惠山区 centre staff
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    grassroots = user_with_role(Role.GRASSROOTS_STAFF, tree["company"], full_name="王丽华")
    caseworker = user_with_role(Role.CASEWORKER, tree["yanqiao"], full_name="走访员")
    household = household_create(
        actor=grassroots, union=tree["company"], data=household_data(),
        members=[person(id_number=make_id_number("320206", date(1969, 1, 1), 1)),
                 person("child", "蒋小华", date(2010, 9, 1), "student", school_level="junior",
                        id_number=make_id_number("320206", date(2010, 9, 1), 2))],
    )  # fmt: skip
    seed_programs(union=tree["city"])
    season = workstudy.season_create(
        actor=centre, union=tree["huishan"], year=2026, term=Term.WINTER, starts_on=START, ends_on=END
    )
    enterprise = workstudy.enterprise_create(
        actor=centre, union=tree["company"], data={"name": "无锡海溪防腐设备有限公司", **INSURED}, contacts=[]
    )
    return SimpleNamespace(
        tree=tree, centre=centre, grassroots=grassroots, caseworker=caseworker, observer=observer,
        household=household, season=season, enterprise=enterprise,
        position=make_position(centre, season, enterprise),
        student=filed_student(tree["company"], birth=date(2007, 5, 1), level="university"),
        organisation=SocialOrganisationFactory(contracted_by=tree["city"]),
    )  # fmt: skip


def _plans():
    from cases.support.models import MutualCoverPlan

    MutualCoverPlan.objects.get_or_create(name="职工住院互助保障")
    return MutualCoverPlan.objects.order_by("pk")


def _one(model, pk):
    return model.objects.filter(pk=pk)


ZERO_MONEY = {f: "0" for f in ("expense_medical", "expense_disability", "expense_schooling", "expense_housing",
                               "sudden_event_cost")}  # fmt: skip


def household_post(w) -> dict:
    return {"union": w.tree["company"].pk, "phone": "13905100001", "address": "惠山区堰桥街道西漳村 12 号",
            "housing": "owned", **ZERO_MONEY, "main_cause": "serious_illness",
            "secondary_causes": ["laid_off"], "bank_name": "中国工商银行",
            "bank_card": "6222021234567890128"}  # fmt: skip


def member_post(id_number: str) -> dict:
    return {"relation": "self", "name": "蒋建华", "id_number": id_number, "health": "healthy",
            "disability": "none", "work_status": "employed", "income_unit": "month", "income_wages": "2600",
            "income_business": "0", "income_property": "0", "income_transfer": "0", "income_pension": "0",
            "income_union_aid": "0", "medical_insurance": "employee"}  # fmt: skip


FRESH_ID = make_id_number("320206", date(1975, 4, 2), 731)
MEMBER_PREFIX = "members-0-"
MANAGEMENT = {"members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0"}


def _formset_fields(_w) -> dict:
    formset = MemberFormSet(prefix="members")
    row = {MEMBER_PREFIX + k: f for k, f in formset.form(prefix="x").fields.items()}
    return {**row, **{f"members-{k}": f for k, f in formset.management_form.fields.items() if f.required}}


@dataclass
class FormCase:
    """How to build a form on the test world, and one submission it accepts."""

    build: Callable  # (world, data, files) -> form or formset
    valid: Callable  # (world) -> dict; files as ("__files__", [(name, content, type)])
    fields: Callable = field(default=None)  # (world) -> {POST key: form field}; default: the form's own

    def fields_of(self, w) -> dict:
        return self.fields(w) if self.fields else dict(self.build(w, None, None).fields)


def _files(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return ("__files__", [(name, content, content_type)])


def _cases() -> dict[str, FormCase]:
    from cases import forms as f
    from cases import forms_excel
    from cases.archive import forms as archive_forms
    from cases.changes import forms as changes
    from cases.crosscheck import forms as xcheck
    from cases.crosscheck.models import Registry
    from cases.register import forms as register_forms
    from cases.register.engine import KINDS
    from cases.review import forms as forms_review
    from cases.support import forms as support
    from cases.tickets import forms as tickets
    from programs.assistance import forms as money
    from programs.recovery import forms as recovery
    from programs.workstudy import forms as ws

    today = timezone.localdate()
    return {
        "cases.forms.HouseholdForm": FormCase(
            lambda w, d, x: f.HouseholdForm(d, unions=_one(Union, w.tree["company"].pk)), household_post),
        "cases.forms.MemberForm": FormCase(lambda w, d, x: f.MemberForm(d), lambda w: member_post(FRESH_ID)),
        "cases.forms.BaseMemberFormSet": FormCase(
            lambda w, d, x: MemberFormSet(d, prefix="members"),
            lambda w: {**MANAGEMENT, **{MEMBER_PREFIX + k: v for k, v in member_post(FRESH_ID).items()}},
            _formset_fields),
        "cases.forms.AttachmentForm": FormCase(
            lambda w, d, x: f.AttachmentForm(d, x), lambda w: {"kind": "medical", "file": _files("a.pdf", PDF)}),
        "cases.forms.StandardForm": FormCase(
            lambda w, d, x: f.StandardForm(d, unions=_one(Union, w.tree["city"].pk)),
            lambda w: {"union": w.tree["city"].pk, "effective_from": "2026-07-01", "dibao_monthly": "1230",
                       "extreme_line_monthly": "1440", "deep_multiple": "1.00", "relative_multiple": "2.00",
                       "sudden_cost_ratio": "0.80", "minimum_wage_monthly": "2490"}),
        "cases.changes.forms.MemberAddForm": FormCase(
            lambda w, d, x: changes.MemberAddForm(d),
            lambda w: {**member_post(make_id_number("320206", date(2026, 1, 8), 733)), "relation": "child",
                       "work_status": "preschool", "reason": "birth", "note": "新生儿"}),
        "cases.changes.forms.MemberChangeForm": FormCase(
            lambda w, d, x: changes.MemberChangeForm(d, member=w.household.members.first()),
            lambda w: {**{k: v for k, v in member_post(FRESH_ID).items() if k != "id_number"},
                       "relation": w.household.members.first().relation, "reason": "income"}),
        "cases.changes.forms.MemberRemoveForm": FormCase(
            lambda w, d, x: changes.MemberRemoveForm(d, household=w.household),
            lambda w: {"member": w.household.members.exclude(relation="self").first().pk, "reason": "death"}),
        "cases.changes.forms.HouseholdChangeForm": FormCase(
            lambda w, d, x: changes.HouseholdChangeForm(d, instance=w.household, kind="bank_account"),
            lambda w: {"bank_name": "中国银行", "bank_card": "6222 0212 3456 7890 128", "reason": "new_card"}),
        "cases.changes.forms.DecisionForm": FormCase(
            lambda w, d, x: changes.DecisionForm(d), lambda w: {"note": "属实", "confirm": "on"}),
        "cases.changes.forms.ContactForm": FormCase(
            lambda w, d, x: changes.ContactForm(d, instance=w.household),
            lambda w: {"phone": "13905100002", "address": "新址 1 号", "version": "1"}),
        "cases.forms_excel.HouseholdImportForm": FormCase(
            lambda w, d, x: forms_excel.HouseholdImportForm(d, x, unions=_one(Union, w.tree["company"].pk)),
            lambda w: {"union": w.tree["company"].pk, "file": _files("a.xlsx", b"PK\x03\x04")}),
        "cases.review.forms.DecisionForm": FormCase(
            lambda w, d, x: forms_review.DecisionForm(d), lambda w: {"decision": "return", "text": "缺收入证明"}),
        "cases.review.forms.AssignForm": FormCase(
            lambda w, d, x: forms_review.AssignForm(d, organisations=_one(SocialOrganisation, w.organisation.pk)),
            lambda w: {"organisation": w.organisation.pk, "due": str(today + timedelta(days=15))}),
        "cases.review.forms.TextForm": FormCase(lambda w, d, x: forms_review.TextForm(d), lambda w: {"text": "异议"}),
        "cases.review.forms.OptionalTextForm": FormCase(
            lambda w, d, x: forms_review.OptionalTextForm(d), lambda w: {"text": ""}),
        "cases.review.forms.ExitForm": FormCase(
            lambda w, d, x: forms_review.ExitForm(d), lambda w: {"kind": "out_of_hardship", "reason": "再就业"}),
        "cases.review.forms.VisitForm": FormCase(
            lambda w, d, x: forms_review.VisitForm(
                d, x, members=list(w.household.members.all()), colleagues=_one(User, w.caseworker.pk),
                observers=_one(User, w.observer.pk)),
            lambda w: {"visited_on": str(today), "visitors": [w.caseworker.pk], "observer": w.observer.pk,
                       "address_confirmed": "on", "living_conditions": "租住一室", "findings": "属实",
                       **{f"income_{m.pk}": "1200" for m in w.household.members.all()},
                       "photos": _files("p.png", PNG + b"x")}),
        "cases.review.forms.MonthlyIncomeForm": FormCase(
            lambda w, d, x: forms_review.MonthlyIncomeForm(d),
            lambda w: {"month": "2026-01", "per_capita_income": "800"}),
        "cases.support.forms.HelpForm": FormCase(
            lambda w, d, x: support.HelpForm(d),
            lambda w: {"kind": "goods", "given_on": "2026-01-10", "goods_value": "300", "note": "米油"}),
        "cases.support.forms.LoanForm": FormCase(
            lambda w, d, x: support.LoanForm(d),
            lambda w: {"amount": "50000", "start_date": "2026-01-10", "lender": "江苏银行"}),
        "cases.support.forms.CoverEnrolForm": FormCase(
            lambda w, d, x: support.CoverEnrolForm(d, members=w.household.members.all(), plans=_plans()),
            lambda w: {"members": [m.pk for m in w.household.members.all()], "plan": _plans()[0].pk,
                       "year": "2026"}),
        "cases.support.forms.CoverClaimForm": FormCase(
            lambda w, d, x: support.CoverClaimForm(d, members=w.household.members.all(), plans=_plans()),
            lambda w: {"member": w.household.members.first().pk, "plan": _plans()[0].pk, "year": "2026",
                       "treated_on": "2026-03-02", "hospital": "无锡市人民医院", "illness": "肺炎",
                       "amount": "3000", "paid_on": "2026-03-20"}),
        "programs.assistance.forms.BatchStartForm": FormCase(
            lambda w, d, x: money.BatchStartForm(d, unions=_one(Union, w.tree["city"].pk)),
            lambda w: {"union": w.tree["city"].pk, "period": "2026-Q2"}),
        "programs.assistance.forms.ApproveForm": FormCase(
            lambda w, d, x: money.ApproveForm(d), lambda w: {"confirmed_total": "1750.00", "checked": "on"}),
        "programs.assistance.forms.RejectForm": FormCase(
            lambda w, d, x: money.RejectForm(d), lambda w: {"reason": "金额有误"}),
        "programs.assistance.forms.ReconcileForm": FormCase(
            lambda w, d, x: money.ReconcileForm(d, x), lambda w: {"file": _files("r.csv", b"a,b\n")}),
        "programs.assistance.forms.AllocateForm": FormCase(
            lambda w, d, x: money.AllocateForm(d), lambda w: {"year": "2026", "amount": "10000", "memo": "拨款"}),
        "programs.assistance.forms.ProgramStandardForm": FormCase(
            lambda w, d, x: money.ProgramStandardForm(d, program=Program.objects.get(code="autumn")),
            lambda w: {"effective_from": "2026-07-01", "tier": "extreme", "school_level": "university",
                       "amount": "7000"}),
        "programs.assistance.forms.GrantForm": FormCase(
            lambda w, d, x: money.GrantForm(d, programs=Program.objects.filter(code="medical")),
            lambda w: {"program": Program.objects.get(code="medical").pk, "amount": "1000", "self_paid": "2000",
                       "reason": "住院"}),
        "programs.assistance.forms.GrantDecisionForm": FormCase(
            lambda w, d, x: money.GrantDecisionForm(d), lambda w: {"approve": "0", "reason": "不符合条件"}),
        "programs.workstudy.forms.EnterpriseForm": FormCase(
            lambda w, d, x: ws.EnterpriseForm(d, unions=Union.objects.filter(path__startswith=w.tree["huishan"].path)),
            lambda w: {"union": w.tree["company"].pk, "name": "无锡永舜机械有限公司", "contact_phone": "0510-1234567",
                       "insurance_valid_from": "2026-01-01", "insurance_valid_until": "2026-12-31", "is_active": "on"}),
        "programs.workstudy.forms.SeasonForm": FormCase(
            lambda w, d, x: ws.SeasonForm(d, unions=_one(Union, w.tree["huishan"].pk)),
            lambda w: {"union": w.tree["huishan"].pk, "year": "2027", "term": Term.SUMMER, "starts_on": "2027-07-01",
                       "ends_on": "2027-08-31", "min_age": "16"}),
        "programs.workstudy.forms.PositionForm": FormCase(
            lambda w, d, x: ws.PositionForm(d, enterprises=_one(Enterprise, w.enterprise.pk)),
            lambda w: {"enterprise": w.enterprise.pk, "title": "仓库助理", "place": "成品仓库", "places": "2",
                       "pay": "2300", "hours_per_day": "8", "safety_class": SafetyClass.NORMAL,
                       "school_levels": ["university"]}),
        "programs.workstudy.forms.HardshipApplicationForm": FormCase(
            lambda w, d, x: ws.HardshipApplicationForm(
                d, season=w.season, members=_one(Member, w.student.pk),
                positions=Position.objects.filter(season=w.season)),
            lambda w: {"member": w.student.pk, "school_name": "江南大学", "pref_1": w.position.pk}),
        "programs.workstudy.forms.OutstandingApplicationForm": FormCase(
            lambda w, d, x: ws.OutstandingApplicationForm(
                d, unions=_one(Union, w.tree["company"].pk), positions=Position.objects.filter(season=w.season)),
            lambda w: {"union": w.tree["company"].pk, "name": "王小明",
                       "id_number": make_id_number("320206", date(2006, 3, 1), 512), "school_level": "university",
                       "pref_1": w.position.pk}),
        "programs.workstudy.forms.AssignForm": FormCase(
            lambda w, d, x: ws.AssignForm(d, positions=Position.objects.filter(season=w.season)),
            lambda w: {"position": w.position.pk}),
        "programs.workstudy.forms.ConfirmForm": FormCase(
            lambda w, d, x: ws.ConfirmForm(d, minor=True),
            lambda w: {"starts_on": "2026-01-26", "ends_on": "2026-02-27", "health_checked": "on"}),
        "programs.workstudy.forms.EarningsForm": FormCase(
            lambda w, d, x: ws.EarningsForm(d), lambda w: {"days_attended": "20", "earnings": "2300"}),
        # 存量导入, 信息比对, the archive and 追回.
        "cases.register.forms.RegisterUploadForm": FormCase(
            lambda w, d, x: register_forms.RegisterUploadForm(
                d, x, unions=_one(Union, w.tree["company"].pk), kinds=list(KINDS.values())),
            lambda w: {"kind": next(iter(KINDS)), "union": w.tree["company"].pk,
                       "file": _files("r.csv", b"a,b\n")}),
        "cases.crosscheck.forms.ConsentForm": FormCase(
            lambda w, d, x: xcheck.ConsentForm(d, x, members=w.household.members.order_by("pk"),
                                               registries=Registry.objects.order_by("pk")),
            lambda w: {"members": [str(w.household.members.order_by("pk").first().pk)], "file": _files("c.pdf", PDF),
                       "signed_on": str(today), "valid_until": str(today.replace(year=today.year + 1)),
                       "registries": [str(Registry.objects.order_by("pk").first().pk)]}),
        "cases.crosscheck.forms.RequestForm": FormCase(
            lambda w, d, x: xcheck.RequestForm(
                d, unions=[w.tree["huishan"]], registries=Registry.objects.order_by("pk")),
            lambda w: {"union": str(w.tree["huishan"].pk), "scope": xcheck.RequestScope.choices[0][0],
                       "registries": [str(Registry.objects.order_by("pk").first().pk)]}),
        "cases.crosscheck.forms.ResultForm": FormCase(
            lambda w, d, x: xcheck.ResultForm(d, x, registries=Registry.objects.order_by("pk")),
            lambda w: {"registry": str(Registry.objects.order_by("pk").first().pk), "result_date": str(today),
                       "file": _files("r.csv", b"a,b\n")}),
        "cases.crosscheck.forms.DecisionForm": FormCase(
            lambda w, d, x: xcheck.DecisionForm(d),
            lambda w: {"reason": "核实属实", "income_source": "", "monthly": ""}),
        "cases.review.forms.CloseForm": FormCase(
            lambda w, d, x: forms_review.CloseForm(d), lambda w: {"reason": "moved_away", "note": "迁出本地"}),
        "cases.archive.forms.DestructionDecisionForm": FormCase(
            lambda w, d, x: archive_forms.DestructionDecisionForm(d, name="approve"),
            lambda w: {"note": "同意", "confirm": "on"}),
        # The payments field is a model choice by id: any rows of the world stand in for the payments.
        "programs.recovery.forms.RaiseForm": FormCase(
            lambda w, d, x: recovery.RaiseForm(d, payments=Program.objects.order_by("pk")),
            lambda w: {"payments": [str(Program.objects.order_by("pk").first().pk)], "amount": "50",
                       "reason": "信息比对发现有车辆"}),
        "programs.recovery.forms.CollectForm": FormCase(
            lambda w, d, x: recovery.CollectForm(d),
            lambda w: {"amount": "25", "received_on": str(today), "memo": "第一期", "confirm": "on"}),
        "programs.recovery.forms.WriteOffForm": FormCase(
            lambda w, d, x: recovery.WriteOffForm(d), lambda w: {"reason": "户主去世，无力偿还"}),
        "programs.recovery.forms.WriteOffDecisionForm": FormCase(
            lambda w, d, x: recovery.WriteOffDecisionForm(d), lambda w: {"note": "同意核销", "confirm": "on"}),
        "programs.recovery.forms.ReverseForm": FormCase(
            lambda w, d, x: recovery.ReverseForm(d), lambda w: {"reason": "凭证为 150 元，误登记为 180 元",
                                                                 "confirm": "on"}),
        # 申诉/投诉/举报: the public complaint and tip-off (no sign-in), staff recording one, handling.
        "cases.tickets.forms.ComplaintForm": FormCase(
            lambda w, d, x: tickets.ComplaintForm(d),
            lambda w: {"union": str(w.tree["city"].pk), "about": "堰桥街道服务窗口", "name": "王女士",
                       "phone": "13900001111", "text": "窗口工作人员态度差"}),
        "cases.tickets.forms.TipOffForm": FormCase(
            lambda w, d, x: tickets.TipOffForm(d),
            lambda w: {"notice_number": str(w.household.pk), "text": "该户开有小超市", "anonymous": "on"}),
        "cases.tickets.forms.StaffTicketForm": FormCase(
            lambda w, d, x: tickets.StaffTicketForm(d),
            lambda w: {"kind": "appeal", "subject": "rejection", "name": "蒋建华", "phone": "13905100001",
                       "text": "收入算错了"}),
        "cases.tickets.forms.ReplyForm": FormCase(lambda w, d, x: tickets.ReplyForm(d), lambda w: {"text": "已受理"}),
        "cases.tickets.forms.AssignForm": FormCase(
            lambda w, d, x: tickets.AssignForm(d, staff=User.objects.filter(pk=w.centre.pk)),
            lambda w: {"assignee": str(w.centre.pk)}),
        "cases.tickets.forms.CloseForm": FormCase(
            lambda w, d, x: tickets.CloseForm(d), lambda w: {"outcome": "经核实，申诉成立"}),
    }  # fmt: skip


CASES = _cases()


def project_form_classes() -> set[str]:
    """Every form and formset class defined in the portal's own modules (imported to be found)."""
    for package in PROJECT_PACKAGES:
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if not NOT_APP_CODE.search(module.name):
                importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = set()
    for base in (forms.BaseForm, forms.BaseFormSet):
        for cls in subclasses(base):
            if cls.__module__.split(".")[0] in PROJECT_PACKAGES:
                found.add(f"{cls.__module__}.{cls.__qualname__}")
    return found


def test_every_form_of_the_project_has_a_fuzz_case():
    found = project_form_classes()

    missing, stale = sorted(found - set(CASES)), sorted(set(CASES) - found)

    assert not missing, f"forms without a fuzz case (add one to CASES): {missing}"
    assert not stale, f"fuzz cases for forms that no longer exist: {stale}"
    assert len(found) >= 33


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_form_never_crashes_refuses_hostile_input_with_a_chinese_message(name, world):
    case = CASES[name]
    valid = case.valid(world)
    fields = case.fields_of(world)
    data, files, _ = submission(valid, {})
    accepted = case.build(world, data, files)
    # The starting point is accepted, so every refusal below comes from the hostile value.
    assert accepted.is_valid(), f"{name}: the valid submission was refused: {error_messages(accepted)}"

    @FORM_SETTINGS
    @given(mutation=mutations(fields))
    def check(mutation):
        data, files, must_fail = submission(valid, mutation)
        form = case.build(world, data, files)

        is_valid = form.is_valid()

        shown = error_messages(form)
        if must_fail:
            assert not is_valid, f"{name} accepted {[(k, data.getlist(k)) for k in must_fail if k in data]}"
        if is_valid:
            assert not unsafe_values(form.cleaned_data), f"{name} accepted values the database refuses"
        else:
            assert shown, f"{name} refused the input without saying why"
            assert all(CJK.search(message) for message in shown), f"{name}: message not in Chinese: {shown}"

    check()


# Through the real pages ----------------------------------------------------------------------------------

VIEW_SETTINGS = settings(FORM_SETTINGS, max_examples=30)
ERROR_MARKUP = ("alert-danger", "is-invalid", "invalid-feedback")


def counts(*models) -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in models}


def post_rolled_back(client, url: str, data: MultiValueDict, files: MultiValueDict | None = None):
    """POST, then undo whatever it saved: every example starts from the same files."""
    payload = {key: data.getlist(key) for key in data}
    for key in files or {}:
        payload[key] = files.getlist(key)
    client.cookies.pop("messages", None)  # only this request's messages
    with transaction.atomic():
        response = client.post(url, payload)
        after = counts(Household, Member, HomeVisit, VisitPhoto, Attachment, AuditEvent)
        transaction.set_rollback(True)
    return response, after


def shown_messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def _page_household_fields(w) -> dict:
    from cases.forms import HouseholdForm

    return {**dict(HouseholdForm(unions=_one(Union, w.tree["company"].pk)).fields), **_formset_fields(w)}


def test_the_new_household_page_answers_hostile_input_with_a_message_and_saves_all_or_nothing(client, world):
    client.force_login(world.grassroots)
    url = reverse("cases:household_create")
    valid = {**household_post(world), **MANAGEMENT, **{MEMBER_PREFIX + k: v for k, v in member_post(FRESH_ID).items()}}
    before = counts(Household, Member, HomeVisit, VisitPhoto, Attachment, AuditEvent)

    @VIEW_SETTINGS
    @given(mutation=mutations(_page_household_fields(world)))
    # "sNaN" as a member's income was a 500: the formset compared it while checking for changed rows.
    @example(mutation={MEMBER_PREFIX + "income_wages": ("sNaN", True)})
    # Every income at the column's largest value: their sum must not overflow the yearly total.
    @example(mutation={f"{MEMBER_PREFIX}income_{k}": ("9999999999.99", False) for k in
                       ("wages", "business", "property", "transfer", "pension", "union_aid")})  # fmt: skip
    def check(mutation):
        data, _files, must_fail = submission(valid, mutation)

        response, after = post_rolled_back(client, url, data)

        assert response.status_code < 500
        if response.status_code == 302:
            assert not must_fail, f"saved although {must_fail} must be refused"
            assert after["Household"] == before["Household"] + 1 and after["Member"] == before["Member"] + 1
        else:
            assert response.status_code == 200
            assert any(mark in response.content.decode() for mark in ERROR_MARKUP), "refused without a message"
            assert after == before, "a refused household left rows behind"

    check()
    assert client.post(url, {k: v for k, v in valid.items()}).status_code == 302  # the valid one is saved


def test_the_attachment_upload_refuses_wrong_empty_and_oversized_files_with_a_message(client, world, tmp_path):
    from cases.services import households as household_services

    client.force_login(world.grassroots)
    url = reverse("cases:attachment_upload", args=[world.household.pk])
    limit = 4096  # stands in for the 10 MB limit: the same check, without writing 10 MB per example
    sizes = st.one_of(st.integers(1, limit - 64), st.integers(limit + 1, limit * 2))
    heads = st.sampled_from([PDF, PNG, JPEG, b"", b"GIF89a", b"MZ", b"<svg onload=alert(1)>", b"PK\x03\x04"])
    before = counts(Household, Member, HomeVisit, VisitPhoto, Attachment, AuditEvent)

    @VIEW_SETTINGS
    @given(name=st.sampled_from(FILE_NAMES), head=heads, size=sizes, kind=st.sampled_from(["medical", "", "x\x00"]))
    def check(name, head, size, kind):
        content = (head + b"\x00" * size)[: max(size, len(head))] if head else b"\x01" * size
        data = MultiValueDict({"kind": [kind]})
        files = MultiValueDict({"file": [make_file(name, content)]})

        response, after = post_rolled_back(client, url, data, files)

        assert response.status_code == 302
        levels = [level for level, _text in shown_messages(response)]
        ok_type = any(content.startswith(m) for m in (PDF, PNG, JPEG))
        if kind == "medical" and ok_type and len(content) <= limit:
            assert levels == ["success"] and after["Attachment"] == before["Attachment"] + 1
        else:
            assert "error" in levels and all(CJK.search(text) for _l, text in shown_messages(response))
            assert after == before

    with override_settings(MEDIA_ROOT=str(tmp_path)):
        original = household_services.MAX_ATTACHMENT_BYTES
        household_services.MAX_ATTACHMENT_BYTES = limit
        try:
            check()
        finally:
            household_services.MAX_ATTACHMENT_BYTES = original


def test_the_visit_form_never_fails_and_a_refused_visit_saves_nothing(client, world, tmp_path):
    from cases.review import services as review
    from cases.review.forms import VisitForm

    review.household_submit(actor=world.grassroots, household_id=world.household.pk)
    client.force_login(world.caseworker)
    url = reverse("cases:visit_create", args=[world.household.pk, "first"])
    valid = CASES["cases.review.forms.VisitForm"].valid(world)
    valid.pop("visitors"), valid.pop("observer")  # not colleagues of this caseworker
    fields = dict(VisitForm(members=list(world.household.members.all())).fields)
    before = counts(Household, Member, HomeVisit, VisitPhoto, Attachment, AuditEvent)

    @VIEW_SETTINGS
    @given(mutation=mutations(fields))
    def check(mutation):
        data, files, must_fail = submission(valid, mutation)

        response, after = post_rolled_back(client, url, data, files)

        assert response.status_code < 500
        if response.status_code == 302:
            assert not must_fail, f"saved although {must_fail} must be refused"
            assert after["HomeVisit"] == before["HomeVisit"] + 1
        else:
            assert any(mark in response.content.decode() for mark in ERROR_MARKUP), "refused without a message"
            assert after == before, "a refused visit left rows behind"

    with override_settings(MEDIA_ROOT=str(tmp_path)):
        check()
