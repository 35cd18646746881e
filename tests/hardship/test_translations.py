"""The English catalog: complete, placeholders intact, nothing fuzzy; and the list page in English."""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from hardship.models import Role
from tests.factories import UnionFactory, user_with_role

PO_PATH = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"

# %(name)s with optional flags, width and precision: %(mb).1f, %(n)d …
NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifeEgGxXor]")
# A bare conversion: %s, %d, %.2f … (%% is a literal percent sign, not a placeholder).
BARE = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifeEgGxXor]")


def _placeholders(text: str) -> tuple[set[str], Counter]:
    text = text.replace("%%", "")
    named = set(NAMED.findall(text))
    bare = Counter(BARE.findall(NAMED.sub("", text)))
    return named, bare


def _placeholders_differ(source: str, translation: str) -> bool:
    (source_named, source_bare), (named, bare) = _placeholders(source), _placeholders(translation)
    return source_named != named or sum(source_bare.values()) != sum(bare.values())


def test_english_catalog_is_complete_with_matching_placeholders_and_nothing_fuzzy():
    catalog = polib.pofile(str(PO_PATH))
    empty, fuzzy, mismatched = [], [], []
    for entry in catalog:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            fuzzy.append(entry.msgid)
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(max(2, len(entry.msgstr_plural)))]
            if not all(forms):
                empty.append(entry.msgid)
            # msgstr[0] answers msgid; every other form answers msgid_plural.
            pairs = [(entry.msgid, forms[0])] + [(entry.msgid_plural, form) for form in forms[1:]]
        else:
            if not entry.msgstr:
                empty.append(entry.msgid)
            pairs = [(entry.msgid, entry.msgstr)]
        if any(translation and _placeholders_differ(source, translation) for source, translation in pairs):
            mismatched.append(entry.msgid)

    problems = []
    if empty:
        problems.append(f"{len(empty)} entries without a translation:\n  " + "\n  ".join(empty))
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy entries:\n  " + "\n  ".join(fuzzy))
    if mismatched:
        problems.append(f"{len(mismatched)} entries whose placeholders differ:\n  " + "\n  ".join(mismatched))
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_household_list_in_english_shows_household_files_in_the_navigation(client):
    union = UnionFactory()
    client.force_login(user_with_role(Role.CENTRE_STAFF, union))

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("cases:household_list"))

    assert response.status_code == 200
    nav = [str(item["label"]) for item in response.context["nav_items"]]
    assert "Household files" in nav
    body = response.content.decode()
    assert 'lang="en"' in body
    assert "Household files" in body
