"""LibreOffice headless: the one way this project runs it.

`convert` runs one `soffice --convert-to` in a private profile (two runs at
once must not share, and lock, one user installation) and in a process group
of its own, which it kills whole on timeout: `soffice` is a wrapper that
starts soffice.bin, and both must go. A worker of the extract pool
(etl/isolate.py) that is killed mid-conversion takes this group with it.

The callers word the failures for their users: the .doc reader
(etl/readers/doc.py) as a file's one-line reason; the demo renderer, which
turns generated .docx into PDF and .doc, as its own error.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = "请安装 apt-get install -y libreoffice-writer-nogui"


class LibreOfficeMissing(RuntimeError):
    """Neither `soffice` nor `libreoffice` is on the PATH."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(sources: list[Path], convert_to: str, out_dir: Path, timeout: float) -> str:
    """Convert `sources` into `out_dir` as `convert_to` ("pdf", "doc",
    "docx:MS Word 2007 XML") in one LibreOffice run; returns what it wrote on
    stderr. The caller checks for the outputs (LibreOffice exits 0 without
    writing one for a file it cannot read).

    Raises LibreOfficeMissing, or subprocess.TimeoutExpired once the run,
    past `timeout` seconds, has been killed with its whole process group.
    """
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeMissing(f"未安装 LibreOffice：{INSTALL_HINT}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="etl-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}",
               "--headless", "--norestore", "--nologo", "--nolockcheck", "--nodefault",
               "--convert-to", convert_to, "--outdir", str(out_dir), *(str(s) for s in sources)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=profile, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid)
            proc.communicate()
            raise
        except BaseException:  # e.g. KeyboardInterrupt: leave no converter behind
            kill_group(proc.pid)
            proc.wait()
            raise
    return err.decode("utf-8", "replace")


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:  # already gone
        pass
