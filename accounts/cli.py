"""python -m accounts: add, list, disable, enable and reset the password of accounts.

    python -m accounts add LOGIN --role ROLE [--district 县区 ...] [--name 姓名] [--email 邮箱] [--db FILE]
    python -m accounts list [--db FILE]
    python -m accounts disable LOGIN | enable LOGIN | reset-password LOGIN [--db FILE]
    python -m accounts demo [--db FILE]         # the demo accounts (one per role), passwords printed

A password is read from standard input (typed twice on a terminal, never echoed; one line from a
pipe), never from the command line, where other users of the server could see it. The warehouse
is --db, else WAREHOUSE_PATH, else data/warehouse.duckdb, as for `python -m etl`. Every change is
in the audit trail (操作日志), made by 命令行. Exit status: 0 done, 1 refused (a message says why),
2 usage error.
"""

from __future__ import annotations

import getpass
import sys

from report.cli import ChineseArgumentParser
from warehouse import accounts, audit
from warehouse.accounts import AccountError
from warehouse.db import writing

ROLE_NAMES = {"admin": "系统管理员", "city": "市级用户", "leader": "领导", "district": "县区填报员"}
CLI = "命令行"
# Demo only (README, make run): one account per role, and a district account for 郾城区.
DEMO = (("admin", "admin", "系统管理员（演示）", "Admin@2025", ()),
        ("city", "city", "市商务局（演示）", "City@2025", ()),
        ("leader", "leader", "市领导（演示）", "Leader@2025", ()),
        ("yancheng", "district", "郾城区招商中心（演示）", "Yancheng@2025", ("郾城区",)),
        ("kaifaqu", "district", "经开区与召陵区（演示）", "Kaifaqu@2025", ("漯河经济技术开发区", "召陵区")))


def build_parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(prog="python -m accounts", description="管理登录账号（密码从标准输入读取）。")
    sub = parser.add_subparsers(dest="command", title="命令", metavar="命令", parser_class=ChineseArgumentParser)
    sub.required = True
    add = sub.add_parser("add", help="新建账号", description="新建账号；密码从标准输入读取。\n"
                         "例：python -m accounts add yancheng --role district --district 郾城区")
    add.add_argument("login", metavar="登录名")
    add.add_argument("--role", required=True, choices=list(ROLE_NAMES), metavar="角色",
                     help="admin 系统管理员 / city 市级用户 / leader 领导 / district 县区填报员")
    add.add_argument("--district", action="append", default=[], metavar="县区", help="县区填报员的县区，可重复")
    add.add_argument("--name", metavar="姓名或单位")
    add.add_argument("--email", metavar="邮箱", help="统一身份认证按邮箱匹配账号时使用")
    add.add_argument("--no-password", action="store_true", help="只用统一身份认证登录，不设密码")
    sub.add_parser("list", help="列出账号", description="列出账号")
    demo = sub.add_parser("demo", help="创建演示账号（仅演示用）", description="创建演示账号（仅用于演示仓库）")
    demo.add_argument("--show", action="store_true", help="只列出仍使用演示密码的演示账号，不创建")
    for name, text in (("disable", "停用账号"), ("enable", "启用账号"), ("reset-password", "重设密码")):
        one = sub.add_parser(name, help=text, description=text)
        one.add_argument("login", metavar="登录名")
    for p in sub.choices.values():
        p.add_argument("--db", metavar="文件", help="数据仓库文件（默认：环境变量 WAREHOUSE_PATH，或 data/warehouse.duckdb）")
    return parser


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("密码：")
        if getpass.getpass("再输入一次：") != first:
            raise AccountError("两次输入的密码不一致。")
        return first
    line = sys.stdin.readline()
    if not line.strip():
        raise AccountError("没有读到密码：请从标准输入提供密码（例如 echo 密码 | python -m accounts …）。")
    return line.rstrip("\r\n")


def _list(con) -> None:
    for a in accounts.all_accounts(con):
        districts = "、".join(accounts.district_names(con, a.districts)) if a.districts else "全部县区"
        state = "已停用" if a.disabled else "正常"
        print(f"{a.login}\t{ROLE_NAMES[a.role]}\t{districts}\t{a.name or ''}\t{state}")


def _demo(con, show_only: bool) -> None:
    """Create the demo accounts (show_only: print those that still have their demo password —
    `make run` does that, so a real warehouse, which has none of them, prints nothing)."""
    for login, role, name, password, districts in DEMO:
        if accounts.get(con, login) is None:
            if show_only:
                continue
            accounts.add(con, login, role, password, districts=districts, name=name)
            audit.record(con, "account_add", CLI, detail=f"创建演示账号 {login}（{ROLE_NAMES[role]}）")
        elif not accounts.has_password(con, login, password):
            continue
        print(f"演示账号  {login:10s} 密码 {password:15s} {ROLE_NAMES[role]}{'：' + '、'.join(districts) if districts else ''}")


def run(args) -> str:
    with writing(args.db) as con:
        if args.command == "list":
            _list(con)
            return ""
        if args.command == "demo":
            _demo(con, args.show)
            return ""
        if args.command == "add":
            password = None if args.no_password else read_password()
            a = accounts.add(con, args.login, args.role, password, districts=tuple(args.district), name=args.name,
                             email=args.email)
            audit.record(con, "account_add", CLI, detail=f"新建账号 {a.login}（{ROLE_NAMES[a.role]}）", districts=a.districts)
            return f"已新建账号 {a.login}（{ROLE_NAMES[a.role]}）。"
        if args.command == "reset-password":
            accounts.set_password(con, args.login, read_password())
            audit.record(con, "account_password", CLI, detail=f"重设账号 {args.login} 的密码")
            return f"已重设账号 {args.login} 的密码。"
        disabled = args.command == "disable"
        accounts.set_disabled(con, args.login, disabled)
        audit.record(con, "account_disable" if disabled else "account_enable", CLI,
                     detail=f"{'停用' if disabled else '启用'}账号 {args.login}")
        return f"已{'停用' if disabled else '启用'}账号 {args.login}。"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        message = run(args)
    except AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except (OSError, TimeoutError) as exc:
        print(f"错误：无法打开数据仓库：{exc}", file=sys.stderr)
        return 1
    if message:
        print(message)
    return 0
