"""Credential slips as a page ready to print (A4, eight slips a page, cut along the lines): each slip carries
its QR code and its code, and nothing that tells one slip from another in a list: no number, no name. The
page is made once, in the answer to the office's request (or, online, to the rater who drew the slip), and
never stored."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import segno

from surveys.appraisal.credentials import Slip

STYLE = """
@page { size: A4; margin: 10mm; }
body { font-family: sans-serif; margin: 0; }
.slips { display: grid; grid-template-columns: 1fr 1fr; gap: 0; }
.slip { border: 1px dashed #888; padding: 6mm; height: 62mm; box-sizing: border-box; break-inside: avoid; }
.slip h2 { font-size: 12pt; margin: 0 0 2mm; }
.slip .code { font-family: monospace; font-size: 9pt; word-break: break-all; }
.slip p { font-size: 8pt; margin: 1mm 0; }
.slip svg { float: right; width: 30mm; height: 30mm; }
"""


def page(title: str, slips: Sequence[Slip]) -> str:
    """The printable page of `slips` for the round titled `title`."""
    items = []
    for slip in slips:
        qr = segno.make(slip.qr, error="m").svg_inline(scale=2, border=1)
        items.append(f'<div class="slip">{qr}<h2>{escape(title)}</h2><p>民主评议投票凭证（无记名）</p>'
                     f'<p class="code">{escape(slip.code)}</p>'
                     "<p>扫码或输入凭证码投票；投票后保存跟踪码，结果公布后可在公示栏核对本人选票。</p>"
                     "<p>请勿告知他人；签到时随机抽取，不登记领取人。</p></div>")
    if not items:  # an online round: the raters draw their slips while signed in, none is printed
        items.append("<p>本轮为网上评议：凭证由每位评议人登录平台后随机领取一张，不打印，不登记领取了哪一张。</p>")
    return ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)} 投票凭证</title><style>{STYLE}</style></head>"
            f"<body><div class=\"slips\">{''.join(items)}</div></body></html>")
