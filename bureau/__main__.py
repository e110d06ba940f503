"""Administer the dashboard's accounts:

    python -m bureau add-user USER --display 张三 --role 绩效科 [--unit 125002] [--email a@b.cn]
    python -m bureau passwd USER          (prompts twice, writes the Argon2 hash)

The file is data/accounts.toml, or $BUREAU_ACCOUNTS, or --file.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from bureau import accounts


def _prompt() -> str:
    first = getpass.getpass("新密码：")
    if len(first) < 8:
        raise accounts.AccountError("密码至少 8 个字符。")
    if getpass.getpass("再输入一次：") != first:
        raise accounts.AccountError("两次输入的密码不一致。")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bureau", description="看板账号管理")
    parser.add_argument("--file", type=Path, help="账号文件（默认 data/accounts.toml 或 $BUREAU_ACCOUNTS）")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-user", help="新增账号（随后提示设置密码）")
    add.add_argument("user")
    add.add_argument("--display", required=True, help="显示的中文姓名")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--unit", help="单位账号的单位：单位标识、预算编码或名称")
    add.add_argument("--email", help="用 OIDC（st.login）登录时的邮箱")
    add.add_argument("--no-password", action="store_true", help="不设密码（只用 OIDC 登录）")
    pw = sub.add_parser("passwd", help="设置或重置密码")
    pw.add_argument("user")
    args = parser.parse_args(argv)
    try:
        if args.command == "add-user":
            password = None if args.no_password else _prompt()
            user = accounts.add_user(args.user, display=args.display, role=args.role, unit=args.unit,
                                     email=args.email, password=password, path=args.file)
            print(f"已新增账号 {user.name}（{user.display}，{user.role}）")
        else:
            accounts.set_password(args.user, _prompt(), path=args.file)
            print(f"已设置 {args.user} 的密码")
    except accounts.AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
