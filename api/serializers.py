"""What the API shows: personal data masked (身份证号, 银行卡号, phone), never in clear."""

from rest_framework import serializers

from cases.models import INCOME_SOURCES, Household, Member
from hardship.masking import mask_card, mask_id_number, mask_phone
from programs.assistance.models import Payment


class MemberSerializer(serializers.ModelSerializer):
    """A member with their income by source (元/年); the 身份证号 masked."""

    id_number = serializers.CharField(source="masked_id_number", read_only=True)
    annual_income = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Member
        fields = ["id", "relation", "name", "id_number", "work_status", "school_level", *INCOME_SOURCES,
                  "annual_income"]  # fmt: skip
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    head_id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    bank_card = serializers.SerializerMethodField()
    union_name = serializers.CharField(source="union.name", read_only=True)
    status_label = serializers.CharField(read_only=True)
    tier_label = serializers.CharField(read_only=True)
    # The household's income is its members' sum (元/年), never a figure of its own.
    recorded_income = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = ["id", "file_number", "head_name", "head_id_number", "phone", "bank_card", "status",
                  "status_label", "tier", "tier_label", "union", "union_name", "member_count",
                  "recorded_income", "annual_income", "per_capita_income", "filed_at", "exited_at",
                  "members"]  # fmt: skip
        read_only_fields = fields

    def get_head_id_number(self, obj: Household) -> str:
        return mask_id_number(obj.head_id_number)

    def get_phone(self, obj: Household) -> str:
        return mask_phone(obj.phone)

    def get_bank_card(self, obj: Household) -> str:
        return mask_card(obj.bank_card)


class ActionSerializer(serializers.Serializer):
    """One action of the file's workflow (hardship.workflow.Action): greyed out with ``reason`` unless allowed."""

    name = serializers.CharField()
    label = serializers.CharField()
    allowed = serializers.BooleanField()
    reason = serializers.CharField()


class PaymentSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="entitlement.program.name", read_only=True)
    period = serializers.CharField(source="entitlement.period_key", read_only=True)
    batch_period = serializers.CharField(source="batch.period", read_only=True)
    card_number = serializers.CharField(source="card_masked", read_only=True)
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "reference", "program", "period", "batch_period", "amount", "status", "card_number",
                  "settled_at"]  # fmt: skip
        read_only_fields = fields
