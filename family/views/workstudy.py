"""关爱·圆梦 from a phone: a filed household's student signs up for an open season with up to five positions,
sees the result and accepts the position — through the work-study services and machines."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hardship.money import money
from hardship.workflow import ActionRefused
from programs.workstudy import services
from programs.workstudy.matching import MAX_PREFERENCES
from programs.workstudy.selectors import position_choices

from .. import selectors
from ..auth import worker_required


class SignUpForm(forms.Form):
    student = forms.TypedChoiceField(label=gettext_lazy("学生"), coerce=int)
    school_name = forms.CharField(label=gettext_lazy("学校"), max_length=100, required=False)

    def __init__(self, *args, students, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [(m.pk, m.name) for m in students]
        choices = [("", "—")] + [
            (p.pk, _("%(enterprise)s · %(title)s · %(pay)s 元/月") % {
                "enterprise": p.enterprise.name, "title": p.title, "pay": money(p.pay)})
            for p in positions
        ]  # fmt: skip
        for rank in range(1, MAX_PREFERENCES + 1):
            self.fields[f"choice{rank}"] = forms.TypedChoiceField(
                label=_("第 %(n)d 志愿") % {"n": rank},
                choices=choices,
                coerce=int,
                required=rank == 1,
                empty_value=None,
            )

    def preferences(self) -> list[int]:
        return [self.cleaned_data[f"choice{r}"] for r in range(1, MAX_PREFERENCES + 1) if self.cleaned_data.get(
            f"choice{r}")]  # fmt: skip


@worker_required
def workstudy(request):
    worker = request.worker
    seasons = selectors.workstudy_seasons(worker)
    offers = []
    for season in seasons:
        students = selectors.workstudy_students(worker, season)
        positions = list(position_choices(season=season))
        if students and positions:
            offers.append((season, SignUpForm(students=students, positions=positions, prefix=f"s{season.pk}")))
    return render(request, "family/workstudy.html", {
        "worker": worker, "offers": offers, "applications": selectors.workstudy_applications(worker),
    })  # fmt: skip


@worker_required
@require_POST
def workstudy_sign_up(request, season_id: int):
    worker = request.worker
    season = next((s for s in selectors.workstudy_seasons(worker) if s.pk == season_id), None)
    if season is None:
        raise Http404
    form = SignUpForm(request.POST, students=selectors.workstudy_students(worker, season),
                      positions=list(position_choices(season=season)), prefix=f"s{season.pk}")  # fmt: skip
    if form.is_valid():
        try:
            services.application_register_by_family(
                worker=worker, season_id=season.pk, member_id=form.cleaned_data["student"],
                details=services.StudentDetails(school_name=form.cleaned_data["school_name"]),
                preferences=form.preferences(), request=request,
            )  # fmt: skip
        except (ActionRefused, ValidationError) as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("报名成功，匹配结果发布后可在这里查看。"))
    else:
        messages.error(request, _("请选择学生和至少 1 个志愿。"))
    return redirect("family:workstudy")


@worker_required
@require_POST
def workstudy_accept(request, placement_id: int):
    worker = request.worker
    shown = [a.shown_placement for a in selectors.workstudy_applications(worker) if a.shown_placement]
    if placement_id not in {p.pk for p in shown}:
        raise Http404
    try:
        services.placement_accept_by_family(worker=worker, placement_id=placement_id, request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已确认，企业将与您联系上岗事宜。"))
    return redirect("family:workstudy")
