"""Readers that cannot import the declaration agree with it."""

from cases.review.selectors import QUEUES
from hardship.navigation import REVIEW_ROLES


def test_the_navigation_shows_the_review_queue_to_exactly_the_roles_that_have_one():
    """hardship/ may not import cases/, so the nav keeps its own list: it must match the queues."""
    assert set(REVIEW_ROLES) == {role for queue in QUEUES.values() for role in queue.seen_by}
