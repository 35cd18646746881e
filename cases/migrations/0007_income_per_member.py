"""One income truth: income is recorded per member and source; the household's is their sum.

Before, the file held each member's 月收入 and, separately, the household's yearly income by
source, and the tier read only the second. The household's figures move onto its members, so
that every source's household sum — hence every tier — stays what it was:

- a member's old 月收入 × 12 goes to the source of their work (在职 → 工资性, 灵活就业 → 经营性,
  退休 → 养老金, anyone else → 工资性) as far as the household's figure for that source covers it;
- what is left of each household figure (property, transfers, union aid, and any remainder)
  goes to the head (本人);
- a member's 月收入 that the household's figures did not carry was never counted in the tier;
  it is not counted now either (the tier would change silently), and the file's history says
  so in words (``household.income_migrated``), so that staff can correct it by a change request.

Going back sums the members' sources onto the household again.
"""

from decimal import Decimal

from django.db import migrations, models

SOURCES = ("income_wages", "income_business", "income_property", "income_transfer", "income_pension",
           "income_union_aid")  # fmt: skip
SOURCE_OF_WORK = {"employed": "income_wages", "flexible": "income_business", "retired": "income_pension"}
ZERO = Decimal("0")
CHUNK = 2000


def move_to_members(apps, schema_editor):
    Household = apps.get_model("cases", "Household")
    Member = apps.get_model("cases", "Member")
    AuditEvent = apps.get_model("hardship", "AuditEvent")
    ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        households = Household.objects.filter(pk__in=chunk).select_related("union")
        members: dict[int, list] = {}
        for member in Member.objects.filter(household_id__in=chunk).order_by("household_id", "position", "id"):
            members.setdefault(member.household_id, []).append(member)
        changed, notes = [], []
        for household in households:
            rows = members.get(household.pk, [])
            current = [m for m in rows if not m.removed] or rows[:1]
            if not current:
                continue
            remaining = {source: getattr(household, source) for source in SOURCES}
            unrecorded = {}
            for member in current:
                declared = member.monthly_income * 12
                if declared <= 0:
                    continue
                source = SOURCE_OF_WORK.get(member.work_status, "income_wages")
                taken = min(declared, remaining[source])
                setattr(member, source, getattr(member, source) + taken)
                remaining[source] -= taken
                if declared > taken:
                    unrecorded[member.name] = member.monthly_income
            head = next((m for m in current if m.relation == "self"), current[0])
            for source, left in remaining.items():
                if left > 0:
                    setattr(head, source, getattr(head, source) + left)
            changed += current
            if unrecorded:
                notes.append(AuditEvent(
                    verb="household.income_migrated", target_type="cases.household", target_id=str(household.pk),
                    target_repr=f"{household.head_name}户（{household.union.name}）"[:200], union_id=household.union_id,
                    changes={f"members.{name}.monthly_income_unrecorded": [str(amount), None]
                             for name, amount in unrecorded.items()},
                ))  # fmt: skip
        Member.objects.bulk_update(changed, SOURCES, batch_size=1000)
        AuditEvent.objects.bulk_create(notes, batch_size=1000)


def move_to_households(apps, schema_editor):
    Household = apps.get_model("cases", "Household")
    Member = apps.get_model("cases", "Member")
    for household in Household.objects.all().iterator(chunk_size=CHUNK):
        current = list(Member.objects.filter(household=household, removed=False))
        for source in SOURCES:
            setattr(household, source, sum((getattr(m, source) for m in current), ZERO))
        household.save(update_fields=SOURCES)
        for member in current:
            member.monthly_income = (sum((getattr(member, s) for s in SOURCES), ZERO) / 12).quantize(Decimal("0.01"))
            member.save(update_fields=["monthly_income"])


def _source(label):
    return models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=12, verbose_name=label)


LABELS = {"income_wages": "工资性收入", "income_business": "经营性收入", "income_property": "财产性收入",
          "income_transfer": "转移性收入", "income_pension": "养老金", "income_union_aid": "工会帮扶收入"}  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_mutual_cover_claims"),
        ("hardship", "0003_notifications"),
    ]

    operations = [
        *[migrations.AddField(model_name="member", name=name, field=_source(label)) for name, label in LABELS.items()],
        migrations.RunPython(move_to_members, move_to_households, elidable=False),
        *[migrations.RemoveField(model_name="household", name=name) for name in SOURCES],
        migrations.RemoveField(model_name="member", name="monthly_income"),
    ]
