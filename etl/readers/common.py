"""What the readers share: the reasons the loader also gives before a file is
read (empty, too large, unreadable, inflating too far), built here once, and
the demo marker a generated document may carry in its first lines."""
from __future__ import annotations

import errno

from ..document import DEMO_MARKER, Document, one_line

EMPTY_FILE = "空文件：文件没有任何内容"
_OS_REASONS = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
               errno.EISDIR: "这是文件夹，不是文件"}


def mb(n: int) -> str:
    return f"{n / 1048576:.1f}"


def too_large(size: int | None, limit_mb: float) -> str:
    """`size` None: only known to be over the limit (a bounded read stopped there)."""
    if size is None:
        return f"文件过大：超过上限 {limit_mb:g} MB"
    return f"文件过大：{mb(size)} MB，超过上限 {limit_mb:g} MB"


def inflate_refused(size: int, limit_mb: float) -> str:
    return f"压缩包解压后将达 {mb(size)} MB，超过上限 {limit_mb:g} MB，已拒绝（未解压）"


def zip_bomb(size: int, packed: int, member: str | None = None) -> str:
    where = f"{member} " if member else ""
    return (f"疑似压缩炸弹：{where}压缩比 {size // max(packed, 1)}:1，"
            f"解压后将达 {mb(size)} MB，已拒绝（未解压）")


def cannot_read(exc: OSError) -> str:
    """An OS error opening or reading a file, in words, with the system's own in brackets."""
    what = _OS_REASONS.get(getattr(exc, "errno", None))
    detail = getattr(exc, "strerror", None) or one_line(exc)
    return f"无法读取文件：{what}（{detail}）" if what else f"无法读取文件（{detail}）"


def take_demo_marker(doc: Document) -> None:
    """A generated demo document says so in its first lines: note it, drop the marker.

    Looked for in the first few rows only: a web page may put its site header
    before it.
    """
    for i, row in enumerate(doc.rows[:10]):
        if len(row.cells) == 1 and DEMO_MARKER in row.cells[0].text:
            doc.demo = True
            rest = row.cells[0].text.replace(DEMO_MARKER, "", 1).strip()
            if rest:
                row.cells[0].text = rest
            else:
                del doc.rows[i]
            return
