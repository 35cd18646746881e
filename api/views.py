"""Read-only endpoints. Every queryset starts from the scoped selector: another union's file is a 404."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.models import Member
from cases.selectors import household_queryset
from hardship.workflow import available_actions
from programs.assistance.models import Payment

from .serializers import ActionSerializer, HouseholdSerializer, PaymentSerializer


class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    """Household files in the token user's unions and below."""

    serializer_class = HouseholdSerializer

    def get_queryset(self):
        current = Prefetch("members", queryset=Member.objects.filter(removed=False).order_by("position", "id"))
        return (
            household_queryset(user=self.request.user).select_related("union").prefetch_related(current).order_by("-id")
        )

    @extend_schema(responses=PaymentSerializer(many=True))
    @action(detail=True)
    def payments(self, request, pk=None, **kwargs):
        """The household's payments (any status), newest first."""
        # **kwargs: the router's "payments.json" route passes the format suffix as a keyword.
        household = self.get_object()  # scoped: 404 outside the user's unions
        payments = (
            Payment.objects.filter(household=household).select_related("entitlement__program", "batch").order_by("-id")
        )
        page = self.paginate_queryset(payments)
        return self.get_paginated_response(PaymentSerializer(page, many=True).data)

    @extend_schema(responses=ActionSerializer(many=True))
    @action(detail=True)
    def actions(self, request, pk=None, **kwargs):
        """What the token user may do on this file now: the same answer as the file page's buttons."""
        household = self.get_object()
        return Response(ActionSerializer(available_actions(household, request.user), many=True).data)
