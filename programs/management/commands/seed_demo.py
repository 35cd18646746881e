"""``manage.py seed_demo``: the whole demo, composed above the apps it fills.

The platform's unions and users (hardship), then households, filed through the
review chain (cases), then programs and 关爱·圆梦 (programs). It lives in
``programs`` because that is the one app allowed to import both the others:
``hardship`` imports no app above it. Idempotent: a second run adds nothing and
prints the same logins.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from cases.demo import file_demo_households, seed_cover_plans, seed_crosscheck, seed_households
from hardship.demo import demo_logins, seed_unions_and_users
from hardship.models import User
from programs.assistance.demo import seed_programs
from programs.workstudy.demo import seed_workstudy


class Command(BaseCommand):
    help = "Create (or refresh) the Wuxi demo: unions, one user per role, households, programs and work-study."

    @transaction.atomic
    def handle(self, *args, **options):
        unions = seed_unions_and_users()
        centre = User.objects.get(username="centre")
        seed_households(actor=centre)
        file_demo_households()
        seed_cover_plans()
        seed_crosscheck(union=unions["WX"])
        seed_programs(union=unions["WX"], actor=centre)
        seed_workstudy(actor=centre)

        self.stdout.write(self.style.SUCCESS("演示数据已就绪 (demo data ready). 演示账号 / demo logins:"))
        for line in demo_logins(unions):
            self.stdout.write(line)
