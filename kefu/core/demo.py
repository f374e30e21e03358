"""A realistic Chinese demo data set (Faker zh_CN): branches, teams, one user per role, customers.

Idempotent: every record has a fixed natural key, and what exists is left alone, so running it twice
changes nothing. `customers_bulk()` makes the large sets for the benchmarks quickly (no history rows).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from kefu.accounts.models import Branch, Team, User
from kefu.accounts.services import roles_seed_defaults, user_create
from kefu.core.permissions import DEFAULT_ROLES
from kefu.customers.models import (
    ContactPerson,
    Customer,
    CustomerAddress,
    CustomerKind,
    CustomerPhone,
    Device,
)
from kefu.customers.services import customer_kinds_seed_defaults

DEMO_PASSWORD = "Kefu-demo-2026"

BRANCHES = (
    ("sh", "上海分公司", "上海", "021"),
    ("bj", "北京分公司", "北京", "010"),
    ("gz", "广州分公司", "广州", "020"),
    ("sz", "深圳分公司", "深圳", "0755"),
    ("cd", "成都分公司", "成都", "028"),
)
CITY_PREFIX = {"sh": "上海市", "bj": "北京市", "gz": "广东省广州市", "sz": "广东省深圳市", "cd": "四川省成都市"}
DISTRICTS = {
    "sh": ("浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区"),
    "bj": ("朝阳区", "海淀区", "东城区", "丰台区", "西城区"),
    "gz": ("天河区", "越秀区", "海珠区", "白云区", "番禺区"),
    "sz": ("南山区", "福田区", "罗湖区", "宝安区", "龙岗区"),
    "cd": ("武侯区", "锦江区", "青羊区", "金牛区", "成华区"),
}
MOBILE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159",
                   "177", "186", "187", "188", "189", "199")
DEVICE_MODELS = ("新大陆 NEW8210", "百富 S910", "联迪 A8", "惠尔丰 VX520", "新国都 K370", "艾体威尔 SC10")
MERCHANT_TRADES = ("餐饮店", "便利店", "超市", "药房", "服装店", "酒店", "加油站", "面包房", "书店", "水果店", "五金店")


class DemoNotAllowed(Exception):
    pass


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _landline(rng: random.Random, area: str) -> str:
    return area + str(rng.randint(2, 8)) + f"{rng.randrange(10**7):07d}"


def load(*, customers: int = 200, out: Callable[[str], None] = print) -> list[tuple[str, str, str]]:
    """Load the demo organisation and `customers` customers; returns the demo logins."""
    if not settings.DEMO_ALLOWED:
        raise DemoNotAllowed("Demo data is never loaded under production settings.")
    from faker import Faker

    roles_seed_defaults()
    customer_kinds_seed_defaults()
    with transaction.atomic():
        branches = {}
        for code, name, city, _area in BRANCHES:
            branches[code], _ = Branch.objects.get_or_create(code=code, defaults={"name": name, "city": city})
        teams = [
            ("desk", "一线坐席组", Team.Kind.FIRST_LINE, None, ""),
            ("complaints", "投诉处理组", Team.Kind.COMPLAINT_DESK, None, ""),
            ("tech-pos", "终端技术支持组", Team.Kind.SECOND_LINE, None, "POS终端故障"),
            ("tech-net", "网络与系统支持组", Team.Kind.SECOND_LINE, None, "网络/系统故障"),
            ("partner-hx", "华信第三方支持团队", Team.Kind.THIRD_PARTY, None, ""),
            ("bizmgmt", "业务管理部", Team.Kind.BUSINESS_DEPARTMENT, None, ""),
            ("market", "市场拓展部", Team.Kind.BUSINESS_DEPARTMENT, None, ""),
        ] + [(f"field-{code}", f"{city}现场服务队", Team.Kind.FIELD, code, "") for code, _n, city, _a in BRANCHES]
        team_objs = {}
        for code, name, kind, branch, category in teams:
            team_objs[code], _ = Team.objects.get_or_create(
                code=code, defaults={"name": name, "kind": kind, "branch": branches.get(branch),
                                     "service_category": category})
        fake = Faker("zh_CN")
        fake.seed_instance(2026)
        role_team = {"agent": "desk", "shift_lead": "desk", "supervisor": "desk", "complaint_handler": "complaints",
                     "qa_inspector": "desk", "retention_agent": "desk", "back_office": "desk",
                     "business_management": "bizmgmt", "tech_support": "tech-pos", "dispatcher": "field-sh",
                     "field_engineer": "field-sh", "third_party_partner": "partner-hx",
                     "business_department": "market"}
        logins = []
        for index, definition in enumerate(DEFAULT_ROLES, start=1):
            username = definition.code.replace("_", "-")
            work_number = f"{1000 + index}"
            name = fake.name()
            if not User.objects.filter(username=username).exists():
                team = team_objs.get(role_team.get(definition.code, ""))
                user_create(username=username, password=DEMO_PASSWORD, full_name=name, work_number=work_number,
                            roles=[definition.code], teams=[team] if team else [],
                            branch=team.branch if team else None, extension=f"8{index:03d}")
            logins.append((username, DEMO_PASSWORD, str(definition.name)))
    created = customers_with_details(customers, fake=fake)
    out(f"Demo customers: {Customer.objects.count()} in all, {created} new.")
    out(f"Demo tickets: {tickets(out=out)} new.")
    from kefu.workforce import demo as workforce_demo

    workforce_demo.load(out=out)  # a planning queue with call history and agents for the staffing pages
    from kefu.callbacks import demo as callbacks_demo

    callbacks_demo.load(out=out)  # callbacks planned, done and pending, and a survey sent by SMS
    return logins


def tickets(*, out: Callable[[str], None] = print) -> int:
    """A few tickets in every state, some dispatched, so the lists and the status inquiry have content."""
    from kefu.tickets.models import ServiceCategory, Ticket, TicketKind
    from kefu.tickets.services import ticket_create, ticket_dispatch, ticket_transition

    teams = {t.code: t for t in Team.objects.all()}
    for code, team in (("technical_fault", "tech-pos"), ("complaint", "complaints"), ("consultation", "desk"),
                       ("phone_fix", "desk")):
        TicketKind.objects.filter(code=code, default_team=None).update(default_team=teams.get(team))
    ServiceCategory.objects.filter(code="pos_terminal", team=None).update(team=teams.get("tech-pos"))
    from kefu.tickets.config import config_changed

    config_changed()  # the updates above send no signal: running servers must drop their copy of the kinds
    if Ticket.objects.filter(title__startswith="【演示】").exists():
        return 0
    agent = User.objects.get(username="agent")
    lead = User.objects.get(username="shift-lead")
    kinds = {k.code: k for k in TicketKind.objects.all()}
    customers = list(Customer.objects.order_by("customer_number")[:12])
    scripts = [
        ("repair", "POS 终端无法开机", ["start"]),
        ("repair", "刷卡后不出小票", ["start", "wait"]),
        ("installation", "新商户装机", []),
        ("technical_fault", "交易上送失败，提示网络超时", ["start", "resolve"]),
        ("complaint", "投诉工程师上门迟到两小时", ["start"]),
        ("billing_inquiry", "询问 T+1 结算到账时间", ["start", "resolve", "close"]),
        ("repair", "密码键盘按键失灵", ["dispatch"]),
        ("service_request", "申请更换收银台位置的终端", []),
    ]
    reasons = {"wait": "等待商户确认营业时间", "resolve": "电话指导重新签到后恢复"}
    made = 0
    with transaction.atomic():
        for index, (kind, title, steps) in enumerate(scripts):
            customer = customers[index % len(customers)]
            ticket = ticket_create(actor=agent, kind=kinds[kind], title=f"【演示】{title}", customer=customer,
                                   reporter_name=customer.contact_persons.first().name if
                                   customer.contact_persons.exists() else "",
                                   location=str(customer.addresses.first() or ""))
            for step in steps:
                if step == "dispatch":
                    ticket_dispatch(actor=lead, ticket=ticket, version=ticket.version, team=teams["partner-hx"],
                                    assignee=User.objects.get(username="third-party-partner"), phoned=True,
                                    phoned_person="华信 值班工程师", note="请今日上门")
                    ticket.refresh_from_db()
                    continue
                ticket = ticket_transition(actor=agent, ticket=ticket, transition=step, version=ticket.version,
                                           reason=reasons.get(step, ""))
            made += 1
        consultation = ticket_create(actor=agent, kind=kinds["consultation"], title="【演示】咨询退货流程",
                                     close_at_once=True, resolution="告知退货需在终端上发起撤销交易")
        made += bool(consultation)
    return made


def customers_with_details(count: int, *, fake) -> int:
    """Customers with Faker names, addresses, contact persons, devices and both phone kinds."""
    rng = random.Random(2026)
    kinds = {k.code: k for k in CustomerKind.objects.all()}
    branches = list(Branch.objects.filter(code__in=[b[0] for b in BRANCHES]).order_by("code"))
    area_by_branch = {b[0]: b[3] for b in BRANCHES}
    created = 0
    with transaction.atomic():
        for i in range(1, count + 1):
            number = f"KH{i:08d}"
            # Draw the same values whether or not the customer exists, so the data never shifts.
            kind = "merchant" if i % 5 else rng.choice(["subscriber", "individual", "enterprise"])
            branch = branches[i % len(branches)]
            person = fake.name()
            company = fake.company() if kind in ("merchant", "enterprise") else person
            district = rng.choice(DISTRICTS[branch.code])
            if kind == "merchant":
                company = f"{district[:2]}{fake.last_name()}记{rng.choice(MERCHANT_TRADES)}"
            address = f"{CITY_PREFIX[branch.code]}{district}{fake.street_name()}{rng.randint(1, 999)}号"
            mobile, landline = _mobile(rng), _landline(rng, area_by_branch[branch.code])
            model = rng.choice(DEVICE_MODELS)
            serial = f"SN{i:010d}"
            id_number = fake.ssn()
            if Customer.objects.filter(customer_number=number).exists():
                continue
            customer = Customer.objects.create(
                customer_number=number, kind=kinds[kind], name=company, branch=branch,
                merchant_number=f"898{area_by_branch[branch.code][-3:]}{i:09d}" if kind == "merchant" else None,
                id_number=id_number if kind in ("individual", "subscriber") else "",
                business_hours="09:00–21:00" if kind == "merchant" else "",
            )
            contact = ContactPerson.objects.create(customer=customer, name=person, title="店主" if kind == "merchant"
                                                   else "", is_primary=True)
            CustomerPhone.objects.create(customer=customer, number=mobile, kind="mobile", label="手机",
                                         contact_person=contact)
            CustomerPhone.objects.create(customer=customer, number=landline, kind="landline", label="座机")
            CustomerAddress.objects.create(customer=customer, address=address, is_primary=True)
            if kind == "merchant":
                Device.objects.create(customer=customer, model=model, serial_number=serial)
            created += 1
    return created


def customers_bulk(count: int, *, batch: int = 5000, out: Callable[[str], None] = print) -> int:
    """Benchmark data: `count` customers with three phone numbers each, made quickly (no history rows).

    Names are drawn from pools made by Faker once, so a million rows take minutes, not hours.
    """
    from faker import Faker

    customer_kinds_seed_defaults()
    fake = Faker("zh_CN")
    fake.seed_instance(7)
    rng = random.Random(7)
    cities = [fake.city_name() for _ in range(300)]
    surnames = [fake.last_name() for _ in range(200)]
    kind = CustomerKind.objects.get(code="merchant")
    start = Customer.objects.filter(customer_number__startswith="BK").count()
    made = 0
    for offset in range(start, count, batch):
        upto = min(offset + batch, count)
        with transaction.atomic():
            rows = [Customer(customer_number=f"BK{i:09d}", merchant_number=f"899{i:012d}", kind=kind,
                             name=f"{rng.choice(cities)}{rng.choice(surnames)}记{rng.choice(MERCHANT_TRADES)}"
                                  f"{i % 97}号店")
                    for i in range(offset, upto)]
            Customer.objects.bulk_create(rows, batch_size=batch)
            ids = dict(Customer.objects.filter(customer_number__in=[c.customer_number for c in rows])
                       .values_list("customer_number", "id"))
            phones = []
            for c in rows:
                pk = ids[c.customer_number]
                n = int(c.customer_number[2:])
                # Real prefixes only: "1{30 + n % 70}" made numbers libphonenumber rejects (140, 154, 160, ...),
                # which the search box cannot find.
                phones.append(CustomerPhone(customer_id=pk, number=f"{MOBILE_PREFIXES[n % len(MOBILE_PREFIXES)]}"
                                                                   f"{n:08d}", kind="mobile"))
                # 2-7, not 2-8: libphonenumber knows no Shanghai numbers 8000 0000-8009 9999.
                phones.append(CustomerPhone(customer_id=pk, number=f"021{2 + n % 6}{n % 10**7:07d}",
                                            kind="landline"))
                phones.append(CustomerPhone(customer_id=pk, number=f"0755{2 + n % 7}{n % 10**7:07d}",
                                            kind="landline", extension=str(n % 900 + 100)))
            CustomerPhone.objects.bulk_create(phones, batch_size=batch)
        made += upto - offset
        out(f"{upto}/{count} customers")
    return made
