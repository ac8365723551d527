"""提 drafting: the lead deputy drafts, invites co-signers, submits or withdraws; invited deputies respond."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from liaison.events.services import record_event, transition, transition_each
from liaison.lib.errors import DomainError, TransitionError
from liaison.lib.uploads import clean_attachment
from liaison.opinions.models import Opinion
from liaison.org.models import Body, Deputy, Level, User
from liaison.org.selectors import body_for_level, scope_of

from ..lifecycles import cosignature
from ..lifecycles import suggestion as suggestion_lifecycle
from ..models import (
    CoSigner,
    State,
    Suggestion,
    SuggestionSource,
)
from .common import (
    SUBJECT,
    deputy_users,
    link,
    move_suggestion,
    notify_users,
    require,
    staff_users,
    suggestion_event,
    today,
)


def body_for_deputy(deputy: Deputy, level: str) -> Body:
    mandate = deputy.mandates.filter(level=level).select_related("region").first()
    if mandate is None:
        raise DomainError("您没有该层级的代表职务")
    body = body_for_level(level, deputy.home_region)
    if body is None:
        raise DomainError("未找到受理该层级代表建议的人大机关，请联系管理员")
    return body


def default_level(deputy: Deputy) -> str:
    levels = set(deputy.mandates.values_list("level", flat=True))
    for level in (Level.COUNTY, Level.TOWNSHIP, Level.CITY, Level.PROVINCIAL, Level.NATIONAL):
        if level in levels:
            return level
    raise DomainError("该代表没有代表职务，不能提出建议")


@transaction.atomic
def create_draft(
    *,
    actor: User,
    deputy: Deputy,
    title: str,
    cause: str,
    proposals: str,
    category,
    reasons: str = "",
    level: str | None = None,
    publishable: bool = True,
    confidential: bool = False,
    opinions: Sequence = (),
    attachment=None,
) -> Suggestion:
    suggestion_lifecycle.require_own_draft(actor, deputy)
    require(bool(title.strip()) and bool(cause.strip()) and bool(proposals.strip()), "请填写标题、案由和具体建议")
    attachment = clean_attachment(attachment) if attachment else ""
    level = level or default_level(deputy)
    body = body_for_deputy(deputy, level)
    opinions = list(opinions)
    for opinion in opinions:
        require(
            opinion.state == Opinion.State.TO_SUGGESTION and opinion.drafting_deputy_id == deputy.pk,
            f"民意“{opinion.title}”不是会商决定由您起草建议的事项",
        )
    station = opinions[0].station if opinions else deputy.stations.order_by("code").first()
    suggestion = Suggestion.objects.create(
        title=title.strip(),
        cause=cause.strip(),
        reasons=reasons.strip(),
        proposals=proposals.strip(),
        category=category,
        lead_deputy=deputy,
        level=level,
        body=body,
        station=station,
        region=station.region if station else deputy.home_region,
        publishable=publishable,
        confidential=confidential,
        attachment=attachment,
    )
    record_event(
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        action="created",
        actor=actor,
        to_state=State.DRAFT,
        note=f"起草建议，受理机关：{body.name}",
        data={"opinions": [o.code for o in opinions]},
    )
    if opinions:
        SuggestionSource.objects.bulk_create([SuggestionSource(suggestion=suggestion, opinion=o) for o in opinions])
        from liaison.opinions.services import link_opinions_to_suggestion

        link_opinions_to_suggestion(opinions=opinions, suggestion_code=suggestion.code, actor=actor)
    return suggestion


EDITABLE = ("title", "cause", "reasons", "proposals", "category", "publishable", "confidential")


@transaction.atomic
def update_draft(*, suggestion: Suggestion, actor: User, **fields) -> Suggestion:
    suggestion_lifecycle.require(actor, "edit", suggestion)
    if suggestion.state not in (State.DRAFT, State.COSIGNING):
        raise TransitionError("建议已提交，不能再修改")
    changed = [k for k in EDITABLE if k in fields and getattr(suggestion, k) != fields[k]]
    for key in changed:
        setattr(suggestion, key, fields[key])
    if changed:
        n = Suggestion.objects.filter(pk=suggestion.pk, state__in=(State.DRAFT, State.COSIGNING)).update(
            **{k: getattr(suggestion, k) for k in changed}
        )
        if n != 1:
            raise TransitionError("建议已提交，不能再修改")
        suggestion_event(suggestion, "edited", actor=actor, note="修改草稿：" + "、".join(changed))
    return suggestion


@transaction.atomic
def invite_cosigners(*, suggestion: Suggestion, actor: User, deputies: Sequence[Deputy], deadline: dt.date):
    suggestion_lifecycle.require(actor, "invite_cosigners", suggestion)
    deputies = [d for d in deputies if d.pk != suggestion.lead_deputy_id]
    invitable = set(
        cosignature.invitable_deputies(suggestion).filter(pk__in=[d.pk for d in deputies]).values_list("pk", flat=True)
    )
    outsiders = [d.name for d in deputies if d.pk not in invitable]
    require(not outsiders, f"只能邀请同站的进站代表附议（{'、'.join(outsiders)}不是）")
    require(bool(deputies), "请选择要邀请附议的代表")
    require(deadline >= today(), "附议截止日期不能早于今天")
    if suggestion.state == State.DRAFT:
        move_suggestion(
            suggestion, State.COSIGNING, action="cosign_opened", actor=actor, updates={"cosign_deadline": deadline}
        )
    elif suggestion.state != State.COSIGNING:
        raise TransitionError("建议已提交，不能再邀请附议")
    existing = set(suggestion.cosigners.values_list("deputy_id", flat=True))
    new = [CoSigner(suggestion=suggestion, deputy=d, deadline=deadline) for d in deputies if d.pk not in existing]
    CoSigner.objects.bulk_create(new)
    names = "、".join(c.deputy.name for c in new)
    suggestion_event(suggestion, "cosign_invited", actor=actor, note=f"邀请附议：{names}，截止 {deadline:%Y-%m-%d}")
    notify_users(
        deputy_users([c.deputy_id for c in new]),
        f"{suggestion.lead_deputy.name}代表邀请您附议建议《{suggestion.title}》",
        link=link("suggestions:detail", suggestion.code),
        key=f"sugg:cosign:{suggestion.code}",
    )
    return new


@transaction.atomic
def respond_cosign(*, suggestion: Suggestion, actor: User, accept: bool) -> CoSigner:
    scope = scope_of(actor)
    cosigner = (
        CoSigner.objects.filter(suggestion=suggestion, deputy_id=scope.deputy_id).select_related("deputy").first()
    )
    cosignature.require_invited(actor, cosigner)
    if suggestion.state != State.COSIGNING:
        raise TransitionError("该建议已不在征集附议阶段")
    if cosigner.deadline and today() > cosigner.deadline:
        raise DomainError("已超过附议截止日期")
    to = CoSigner.State.CONFIRMED if accept else CoSigner.State.DECLINED
    transition(
        cosigner,
        table=cosignature.TRANSITIONS,
        to=to,
        action="cosign_confirmed" if accept else "cosign_declined",
        actor=actor,
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        updates={"responded_at": timezone.now()},
        note=f"{cosigner.deputy.name}{'同意附议' if accept else '谢绝附议'}",
    )
    return cosigner


@transaction.atomic
def submit_suggestion(*, suggestion: Suggestion, actor: User) -> Suggestion:
    suggestion_lifecycle.require(actor, "submit", suggestion)
    lapsed = transition_each(
        suggestion.cosigners.filter(state__in=cosignature.PENDING).select_related("deputy").order_by("pk"),
        table=cosignature.TRANSITIONS,
        to=CoSigner.State.EXPIRED,
        action="cosign_expired",
        actor=actor,
        subject=lambda c: (SUBJECT, suggestion.code),
        note=lambda c: f"{c.deputy.name}未在提交前确认附议",
    )
    n_lapsed = len(lapsed)
    n_confirmed = suggestion.cosigners.filter(state=CoSigner.State.CONFIRMED).count()
    note = f"提交建议，附议代表 {n_confirmed} 名" + (f"（{n_lapsed} 名未确认）" if n_lapsed else "")
    move_suggestion(
        suggestion,
        State.SUBMITTED,
        action="submitted",
        actor=actor,
        note=note,
        updates={"submitted_at": timezone.now()},
    )
    notify_users(
        staff_users(suggestion.body),
        f"收到代表建议《{suggestion.title}》，请审查",
        link=link("suggestions:detail", suggestion.code),
        key=f"sugg:submitted:{suggestion.code}",
    )
    return suggestion


@transaction.atomic
def withdraw_suggestion(*, suggestion: Suggestion, actor: User, reason: str = "") -> Suggestion:
    suggestion_lifecycle.require(actor, "withdraw", suggestion)
    move_suggestion(suggestion, State.WITHDRAWN, action="withdrawn", actor=actor, note=reason or "领衔代表撤回建议")
    return suggestion
