"""Masking of personal data (个人信息保护法 §28–29): shown masked unless a role unmasks it."""

# Field names whose values are personal data: audit rows and histories mask them.
SENSITIVE_FIELDS = frozenset(
    {"id_number", "bank_card", "card_number", "phone", "head_id_number", "password", "health", "disability"}
)


def mask_id_number(value: str | None) -> str:
    """110105********002X: the first 6 and the last 4 characters."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_card(value: str | None) -> str:
    """6222 **** **** 1234: only the last 4 digits."""
    if not value:
        return ""
    digits = "".join(ch for ch in value if ch.isdigit()) or value
    if len(digits) <= 4:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** {digits[-4:]}"


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张*明 / 李*: one character masked, as a 公示 shows it."""
    if not value:
        return ""
    if len(value) == 1:
        return "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_value(field: str, value):
    """Mask ``value`` when ``field`` names personal data; leave it as it is otherwise."""
    if value in (None, ""):
        return value
    # "members.3.id_number" is an id_number too.
    field = field.rsplit(".", 1)[-1]
    if field not in SENSITIVE_FIELDS:
        return value
    text = str(value)
    if field in {"id_number", "head_id_number"}:
        return mask_id_number(text)
    if field in {"bank_card", "card_number"}:
        return mask_card(text)
    if field == "phone":
        return mask_phone(text)
    return "***"
