"""Operating-system errors on workspace files as one line: the file, the cause, the next step.

`Cannot write <path>: Permission denied (check the permissions of the file and its folder)`.
The state files, the run lock and the role I/O tree all report their failures this way, so a
read-only workspace, a full disk or a file where a folder belongs never shows as a traceback or
as `internal error: PermissionError`.
"""

from __future__ import annotations

import errno
import stat
from pathlib import Path

from state_runner.domain.errors import KernelError

_NEXT_STEP = {
    errno.EACCES: "check the permissions of the file and its folder",
    errno.EPERM: "check the permissions of the file and its folder",
    errno.EROFS: "run on a writable copy of the book",
    errno.ENOSPC: "free some disk space and run again",
    errno.EDQUOT: "free some disk space or raise the quota, and run again",
    errno.EMFILE: "close other programs or raise the open-files limit, and run again",
    errno.ELOOP: "a symbolic link on the way loops: fix or remove it",
    errno.ENAMETOOLONG: "use a shorter path",
}
_FALLBACK_STEP = "check the file and its folder, and run again"


def file_where_folder_is(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` that is not a folder, if there is one."""
    for parent in reversed(path.parents):
        kind = _kind(parent)
        if kind != "folder":
            return parent if kind == "other" else None
    return None


def _kind(path: Path) -> str:
    """'folder', 'other' or 'missing' (also when the OS will not say: probing must not fail)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return "missing"
    return "folder" if stat.S_ISDIR(mode) else "other"


def describe(path: Path, err: OSError) -> str:
    """`<cause> (<next step>)` for an OS error met on `path`."""
    if err.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = file_where_folder_is(path)
        if blocker is not None:
            return f"{blocker} is a file where a folder is expected (move it away and run again)"
    wrong_kind = err.errno in (errno.EEXIST, errno.ENOTDIR) and _kind(path) == "folder"
    if err.errno == errno.EISDIR or wrong_kind:
        return "it is a folder where a file is expected (move it away and run again)"
    cause = err.strerror or str(err)
    return f"{cause} ({_NEXT_STEP.get(err.errno or 0, _FALLBACK_STEP)})"


def os_failure(action: str, path: Path, err: OSError) -> KernelError:
    """`KernelError("<action> <path>: <cause> (<next step>)")`, e.g. action 'Cannot write'."""
    return KernelError(f"{action} {path}: {describe(path, err)}")
