"""Buttons for the bureau's documents (bureau/circular.py): the 通报 on its page and the one-unit
brief on 单位详情. A file is made when its 生成 button is clicked, in the page's own run (on the
dashboard's shared read-only connection), then offered by a 下载 button beside it. Made in the run,
not by a deferred st.download_button callable: a failure there reaches the browser as Streamlit's
English "Callable execution failed: …"; here it is one line of Chinese under the buttons."""
from __future__ import annotations

import logging
import uuid

import streamlit as st

from bureau import circular, documents, store
from etl.readers import office
from ui import data
from ui.auth import current_user


log = logging.getLogger("dashboard")
FORMATS = {"docx": ("Word", documents.DOCX_MIME, ":material/description:"),
           "pdf": ("PDF", documents.PDF_MIME, ":material/picture_as_pdf:")}


def _actor() -> str:
    user = current_user()
    return user.name if user is not None else "未登录"


def circular_data(year: int, region: str | None) -> circular.CircularData:
    """The 通报's frames (circular.gather) on the dashboard's connection, for the page's preview."""
    with data.database().reading() as con:
        return circular.gather(year, region, db=con)


def circular_loader(year: int, region: str | None, fmt: str):
    actor = _actor()

    def make() -> bytes:
        d = circular_data(year, region)
        out = circular.to_docx(d) if fmt == "docx" else circular.to_pdf(d)
        store.record_event(actor, "通报", d.title, f"生成{FORMATS[fmt][0]}")
        return out
    return make


def brief_loader(unit: str, fmt: str):
    actor = _actor()

    def make() -> bytes:
        with data.database().reading() as con:
            b = circular.unit_brief(unit, db=con)
        out = circular.brief_docx(b) if fmt == "docx" else circular.brief_pdf(b)
        store.record_event(actor, "简报", unit, f"生成{FORMATS[fmt][0]}")
        return out
    return make


def failure_text(fmt: str, exc: Exception) -> str:
    """One line of Chinese for a file that could not be made (the traceback goes to the log)."""
    name = FORMATS[fmt][0]
    if isinstance(exc, (documents.DocumentError, store.BureauError, data.DataError)):
        text = " ".join(str(exc).split())
        return text if text.startswith("生成") else f"生成{name}失败：{text}"
    ref = uuid.uuid4().hex[:8]
    log.error("generating %s failed [%s]", fmt, ref, exc_info=exc)
    return f"生成{name}失败，请稍后重试（错误编号 {ref}）。"


def pdf_ready() -> bool:
    return office.soffice_path() is not None


def buttons(make, stem: str, key: str, labels=("生成Word", "生成PDF")) -> None:
    """生成Word / 生成PDF buttons for a maker make(fmt) -> callable returning the bytes; a file made
    is kept in the session (for this stem only) and offered as 下载Word / 下载PDF."""
    row = st.container(horizontal=True, gap="small")
    clicked = {fmt: row.button(label, key=f"{key}_{fmt}", icon=FORMATS[fmt][2],
                               disabled=fmt == "pdf" and not pdf_ready(),
                               help="生成PDF需要 LibreOffice" if fmt == "pdf" and not pdf_ready() else None)
               for fmt, label in zip(FORMATS, labels)}
    failures = []
    for fmt in FORMATS:
        held = f"{key}_{fmt}_file"
        if clicked[fmt]:
            st.session_state.pop(held, None)
            with st.spinner(f"正在生成{FORMATS[fmt][0]}，请稍候…"):
                try:
                    st.session_state[held] = (stem, make(fmt)())
                except Exception as exc:  # noqa: BLE001 - the user gets one line, the log the traceback
                    failures.append(failure_text(fmt, exc))
        made = st.session_state.get(held)
        if made and made[0] == stem:
            name, mime, icon = FORMATS[fmt]
            row.download_button(f"下载{name}", made[1], file_name=f"{stem}.{fmt}", mime=mime, key=f"{key}_{fmt}_dl",
                                icon=":material/download:", on_click="ignore", type="primary")
    for text in failures:
        st.error(text, icon=":material/error:")


def brief_buttons(unit: str, unit_name: str) -> None:
    """单位详情's two buttons: the unit's brief as Word and PDF."""
    safe = "".join(ch for ch in unit_name if ch not in '\\/:*?"<>|') or "单位"
    buttons(lambda fmt: brief_loader(unit, fmt), f"{safe}_绩效简报", "ud_brief",
            labels=("单位简报（Word）", "单位简报（PDF）"))
