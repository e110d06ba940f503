"""Warm a freshly started dashboard server, so the first leader to open a page does not pay for it.

    .venv/bin/python scripts/warm_start.py [http://127.0.0.1:8501] [--timeout 120]

run.sh starts it in the background once the server answers. It opens one session over Streamlit's
own websocket (as a browser tab does, without a browser) and runs each analysis page (PAGES, 单位详情
with a ?u= link) in it:
the server then has imported plotly, pandas and the query layer, opened the database and filled
the result cache (ui.data's st.cache_data is shared by every session) for the default views. With
accounts configured the session stops at the sign-in page, which still warms the imports. Exits 0
whatever happens: a warm-up that fails costs only the time it would have saved.
"""
from __future__ import annotations

import argparse
import asyncio
import html
import re
import sys
import time
import urllib.parse
import urllib.request

# url paths of the pages warmed, in this order (总览 first: its sidebar names a unit for 单位详情's ?u=)
PAGES = ["", "unit_detail", "compare", "trends", "complaints", "scores", "quality"]


async def _run_page(ws, page: str, query: str, timeout: float) -> list:
    """Ask the server to run `page` with `query`; the ForwardMsgs up to its script_finished."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    await ws.send(msg.SerializeToString())
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
        fwd = ForwardMsg()
        fwd.ParseFromString(raw)
        seen.append(fwd)
        if fwd.WhichOneof("type") == "script_finished":
            return seen
    return seen


_UNIT_LINK = re.compile(r'href="unit_detail\?[^"]*?\bu=([^"&]+)')


def _a_unit(messages: list) -> str | None:
    """A unit label from the page: the sidebar's 单位 options (on a large database only the first
    matches of its empty search), else a unit's link in 总览's execution strip (ui.svg)."""
    linked = None
    for fwd in messages:
        if fwd.WhichOneof("type") != "delta":
            continue
        element = fwd.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "multiselect" and element.multiselect.label == "单位" and element.multiselect.options:
            return element.multiselect.options[0]
        if kind == "markdown" and linked is None:
            found = _UNIT_LINK.search(element.markdown.body)
            linked = urllib.parse.unquote_plus(html.unescape(found.group(1))) if found else None
    return linked


async def warm(base: str, timeout: float) -> None:
    import websockets

    url = base.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout) as ws:
        unit = None
        for page in PAGES:
            query = urllib.parse.urlencode({"u": unit}) if page == "unit_detail" and unit else ""
            shown = await _run_page(ws, page, query, timeout)
            unit = unit or _a_unit(shown)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", nargs="?", default="http://127.0.0.1:8501")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args(argv)
    deadline = time.monotonic() + args.timeout
    while True:  # wait for the server to answer
        try:
            if urllib.request.urlopen(f"{args.base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            print("[warm_start] server did not answer", file=sys.stderr)
            return 0
        time.sleep(0.5)
    started = time.monotonic()
    try:
        asyncio.run(warm(args.base, args.timeout))
    except Exception as exc:  # noqa: BLE001 - best effort
        print(f"[warm_start] skipped: {exc}", file=sys.stderr)
        return 0
    print(f"[warm_start] server warm in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
