"""Issue (or show) the API token of a user: ``manage.py create_api_token --username X``."""

from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from hardship.models import User
from hardship.services import audit_record


class Command(BaseCommand):
    help = "Issue an API token for a user (the token sees what the user's roles see)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--rotate", action="store_true", help="replace an existing token")

    def handle(self, *args, username, rotate, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"no active user {username!r}") from exc
        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if created:
            audit_record(actor=None, verb="api.token_issue", target=user)
        self.stdout.write(token.key)
