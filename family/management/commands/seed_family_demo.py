"""``manage.py seed_family_demo``: after ``seed_demo``, a demo worker for the family channel (/family/).

A command of its own because the family app sits above programs (where ``seed_demo`` lives) and
programs may not import it. ``make seed`` runs both. Prints the worker's phone and where codes appear.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from hardship.sms import sms_file_path

from ...demo import seed_demo_worker


class Command(BaseCommand):
    help = "Create (or find) the demo worker account and print its phone and where sign-in codes appear."

    def handle(self, *args, **options):
        account = seed_demo_worker()
        if account is None:
            self.stdout.write("没有已建档的演示家庭：请先运行 seed_demo。")
            return
        backend = settings.SMS_BACKEND.rsplit(".", 1)[-1]
        if backend == "FileBackend":
            where = f"写入文件 {sms_file_path()}" + ("，并显示在 runserver 控制台" if settings.SMS_FILE_ECHO else "")
        elif backend == "ConsoleBackend":
            where = "显示在 runserver 控制台"
        else:
            where = f"由短信服务商发送（{backend}）"
        self.stdout.write(self.style.SUCCESS("职工自助演示账号 / demo worker:"))
        self.stdout.write(f"  http://127.0.0.1:8000/family/sign-in/  演示职工 {account.name}  手机号 {account.phone}")
        self.stdout.write(f"  登录验证码 / sign-in codes: {where}")
        self.stdout.write("  困难自测（无需登录）/ self-test: http://127.0.0.1:8000/family/self-test/")
