"""``get_FOO_display()`` without rebuilding the field's choices on every call.

Django's ``Model._get_FIELD_display`` makes a dict of ``make_hashable(field.flatchoices)`` each time:
hashing the (lazy) labels translates every label of the field, for one of them. A household file
page asks for some forty labels (status, tier, each member's relation, sex, health, work …), which
made it one of the page's largest costs. Here the value → label map is built once per field and
the one label asked for is translated, in the active language, as before.
"""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class ChoiceLabels:
    """Mixed into a model before ``models.Model``: its ``get_FOO_display`` methods use the cached map."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        labels = field.__dict__.get("_choice_labels")
        if labels is None:
            labels = field.__dict__["_choice_labels"] = {make_hashable(key): label for key, label in field.flatchoices}
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
