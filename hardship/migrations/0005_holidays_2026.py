"""The 2026 holidays and 调休 workdays of the State Council's notice (hardship/holidays.py)."""

from django.db import migrations

from hardship.holidays import ARRANGEMENTS, arrangement_rows, load_arrangements


def load(apps, schema_editor):
    load_arrangements(apps.get_model("hardship", "CalendarDay"))


def unload(apps, schema_editor):
    days = [day for year in ARRANGEMENTS for day, _kind, _name in arrangement_rows(year)]
    apps.get_model("hardship", "CalendarDay").objects.filter(day__in=days).delete()


class Migration(migrations.Migration):
    dependencies = [("hardship", "0004_calendar_days")]

    operations = [migrations.RunPython(load, unload)]
