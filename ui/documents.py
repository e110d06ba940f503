"""Download buttons for the bureau's documents (bureau/circular.py): the 通报 on its page and the
one-unit brief on 单位详情. The files are made when clicked (deferred st.download_button), on the
dashboard's shared read-only connection, as ui.data.document_loader reads originals."""
from __future__ import annotations

import streamlit as st

from bureau import circular, documents, store
from etl.readers import office
from ui import data
from ui.auth import current_user


def _actor() -> str:
    """Who is drawing the button: taken while the script runs, because the file is made
    later, on click, outside the session (a deferred callable sees no session state)."""
    user = current_user()
    return user.name if user is not None else "未登录"


def circular_loader(year: int, region: str | None, fmt: str):
    actor = _actor()

    def make() -> bytes:
        with data.database().reading() as con:
            d = circular.gather(year, region, db=con)
        out = circular.to_docx(d) if fmt == "docx" else circular.to_pdf(d)
        store.record_event(actor, "通报", d.title, f"生成{'Word' if fmt == 'docx' else 'PDF'}")
        return out
    return make


def brief_loader(unit: str, fmt: str):
    actor = _actor()

    def make() -> bytes:
        with data.database().reading() as con:
            b = circular.unit_brief(unit, db=con)
        out = circular.brief_docx(b) if fmt == "docx" else circular.brief_pdf(b)
        store.record_event(actor, "简报", unit, f"生成{'Word' if fmt == 'docx' else 'PDF'}")
        return out
    return make


def pdf_ready() -> bool:
    return office.soffice_path() is not None


def buttons(make, stem: str, key: str, labels=("生成Word", "生成PDF")) -> None:
    """Word and PDF download buttons for a maker make(fmt) -> callable."""
    row = st.container(horizontal=True, gap="small")
    row.download_button(labels[0], make("docx"), file_name=f"{stem}.docx", mime=documents.DOCX_MIME,
                        key=f"{key}_docx", icon=":material/description:", on_click="ignore")
    row.download_button(labels[1], make("pdf"), file_name=f"{stem}.pdf", mime=documents.PDF_MIME,
                        key=f"{key}_pdf", icon=":material/picture_as_pdf:", on_click="ignore",
                        disabled=not pdf_ready(), help=None if pdf_ready() else "生成PDF需要 LibreOffice")


def brief_buttons(unit: str, unit_name: str) -> None:
    """单位详情's two buttons: the unit's brief as Word and PDF."""
    safe = "".join(ch for ch in unit_name if ch not in '\\/:*?"<>|') or "单位"
    buttons(lambda fmt: brief_loader(unit, fmt), f"{safe}_绩效简报", "ud_brief",
            labels=("单位简报（Word）", "单位简报（PDF）"))
