from django.utils import translation

from cases.models import Household, Member, Status


def test_a_status_label_is_in_the_language_of_the_page():
    # Given a file in 建档 status (the label map is built once per field, the label translated per call)
    household = Household(status=Status.FILED)

    # When the page asks for its label in Chinese, then in English
    with translation.override("zh-hans"):
        chinese = household.get_status_display()
    with translation.override("en"):
        english = household.get_status_display()

    # Then each language gets its own words
    assert chinese == "已建档" and english != chinese and english


def test_a_value_outside_the_choices_is_shown_as_it_is():
    member = Member(relation="cousin")

    assert member.get_relation_display() == "cousin"
