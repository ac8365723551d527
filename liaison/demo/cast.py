"""The cast of accounts: who plays which role where, defined once for the demo, the tests and the benchmarks.

Every part is scoped by a public code (a region, a station or a handling unit) that exists both in the demo
organisation and in the small organisation of tests/cast.py, so each can create the same people from this table:
the demo under the usernames below (`loaddemo`, `demo_accounts`), tests/cast.py under its own short usernames,
bench/ with its own scopes where its synthetic organisation differs.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from liaison.org.models import ROLE_SCOPE, HandlingUnit, Membership, Region, Role, Station, User

DEMO_PASSWORD = "Liaison@2026"


@dataclass(frozen=True)
class Account:
    username: str  # the demo account
    role: str  # a liaison.org.models.Role
    scope: str | None  # code of the region, station or unit the role is held in (a deputy's: their station)
    label: str  # what `demo_accounts` prints
    display_name: str = ""  # deputies take their deputy's name


# In the order the demo creates them.
ACCOUNTS: dict[str, Account] = {
    a.username: a
    for a in (
        Account("admin", Role.ADMIN, None, "系统管理员（全部数据、管理后台）", "系统管理员"),
        Account("city_staff", Role.STAFF, "341700", "市人大常委会工作人员（全市）", "池州市人大常委会工作人员"),
        Account("city_leader", Role.LEADER, "341700", "市领导（全市，只读+督办）", "池州市人大常委会领导"),
        Account("shitai_staff", Role.STAFF, "341722", "石台县人大常委会工作人员", "石台县人大常委会工作人员"),
        Account("shitai_leader", Role.LEADER, "341722", "石台县领导", "石台县人大常委会领导"),
        Account("renli_staff", Role.STAFF, "341722100", "仁里镇人大主席团工作人员", "仁里镇人大主席团工作人员"),
        Account(
            "dongzhi_staff",
            Role.STAFF,
            "341721",
            "东至县人大常委会工作人员（看不到石台县）",
            "东至县人大常委会工作人员",
        ),
        Account("deputy", Role.DEPUTY, "ST341722100200", "缘溪村联络站进站代表（县级+乡镇级）"),
        Account("deputy2", Role.DEPUTY, "ST341722100200", "缘溪村联络站进站代表（附议人）"),
        Account("station_head", Role.STATION_HEAD, "ST341722100200", "缘溪村联络站站长", "缘溪村站长"),
        Account("liaison", Role.LIAISON_OFFICER, "ST341722100200", "缘溪村联络站联络员", "缘溪村联络员"),
        Account("village", Role.VILLAGE_COMMITTEE, "341722100200", "缘溪村两委", "缘溪村两委"),
        Account("unit_zjj", Role.UNIT, "U341722-ZJJ", "承办单位：石台县住房和城乡建设局", "石台县住建局经办人"),
        Account("unit_jtj", Role.UNIT, "U341722-JTJ", "承办单位：石台县交通运输局", "石台县交通局经办人"),
    )
}

_SCOPE_MODELS = {"region": Region, "station": Station, "unit": HandlingUnit}


def scope_of(account: Account, places: Mapping[str, object] | None = None):
    """The region, station or unit `account.scope` names: from `places` (code → object) if given, else the database."""
    if account.scope is None:
        return None
    if places is not None and account.scope in places:
        return places[account.scope]
    model = Station if account.role == Role.DEPUTY else _SCOPE_MODELS[ROLE_SCOPE[account.role]]
    return model.objects.get(code=account.scope)


def create_account(
    account: Account,
    *,
    username: str | None = None,
    password: str | None = None,
    password_hash: str | None = None,
    display_name: str | None = None,
    scope=None,
    places: Mapping[str, object] | None = None,
    membership: bool = True,
) -> User:
    """A user playing `account`'s part, with its membership (deputies get none: link a Deputy to the user).

    `username`, `display_name` and `scope` (a Region, Station or HandlingUnit) override the account's own;
    `password_hash` skips hashing when many users share one password; `membership=False` makes a bare user
    (the tests' superuser)."""
    is_admin = account.role == Role.ADMIN
    user = User(
        username=username or account.username,
        display_name=account.display_name if display_name is None else display_name,
        is_staff=is_admin,
        is_superuser=is_admin,
        # Not forced to change the password at first sign-in, unlike accounts an administrator creates in the
        # admin: the demo accounts must keep working with the README's password (docs/SECURITY.md).
        must_change_password=False,
    )
    if password_hash is not None:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    if membership and account.role != Role.DEPUTY:
        field = ROLE_SCOPE[account.role]
        where = {} if field is None else {field: scope if scope is not None else scope_of(account, places)}
        Membership.objects.create(user=user, role=account.role, **where)
    return user


def account_table() -> str:
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）：", "  用户名          说明"]
    for account in ACCOUNTS.values():
        lines.append(f"  {account.username:<15} {account.label}")
    return "\n".join(lines)
