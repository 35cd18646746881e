import factory

from hardship.models import Role, SocialOrganisation, Union, User
from hardship.services import role_assign, union_create


class UnionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Union

    name = factory.Sequence(lambda n: f"测试工会{n}")
    code = factory.Sequence(lambda n: f"T{n:05d}")
    level = Union.Level.GRASSROOTS
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the service, so the materialised path is right.
        return union_create(actor=None, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"职工{n}")
    password = factory.django.Password("Secret#2026")


class SocialOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialOrganisation

    name = factory.Sequence(lambda n: f"社会工作服务中心{n}")
    contracted_by = factory.SubFactory(UnionFactory, level=Union.Level.CITY)


def user_with_role(role: str, union: Union, *, organisation: SocialOrganisation | None = None, **fields) -> User:
    user = UserFactory(**fields)
    if role == Role.THIRD_PARTY_REVIEWER and organisation is None:
        organisation = SocialOrganisationFactory(contracted_by=union)
    role_assign(actor=None, user=user, union=union, role=role, organisation=organisation)
    return user
