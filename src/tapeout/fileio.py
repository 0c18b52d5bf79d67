"""Reading user files with clear errors, and atomic writes that never leave half a file."""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import os
import stat
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from tapeout.errors import InputFileError


def read_text(path: str | Path, *, what: str = "file") -> str:
    """Whole text of ``path`` (``.gz`` decompressed), or an InputFileError naming it.

    ``what`` names the kind of file in the message ("LEF file", "Liberty file").
    """
    path = Path(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                data = handle.read()
        else:
            data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{what} not found", file=path, hint="check the path") from None
    except IsADirectoryError:
        raise InputFileError(f"{what} is a directory, expected a file", file=path) from None
    except PermissionError:
        raise InputFileError(f"{what} is not readable (permission denied)", file=path) from None
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise InputFileError(f"cannot read {what}: {error}", file=path) from None
    return data.decode("utf-8", errors="replace")


def _process_umask() -> int:
    """The umask, read once at import (before any thread starts: setting it to read it back is
    process-wide)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _process_umask()


def output_mode(path: str | Path) -> int:
    """Permission bits for a file about to replace ``path``: those of the file it replaces,
    else what a plain ``open`` would give (0666 less the umask). A temporary file from
    ``tempfile.mkstemp`` is 0600, which would leave every output unreadable to anyone else."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Open a temporary file beside ``path``; rename it over ``path`` only on success.

    ``.gz`` paths are compressed. An exception (or a kill) leaves ``path`` as it was.
    """
    path = Path(path)
    if path.is_dir():
        raise InputFileError("cannot write: the output path is a directory", file=path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise InputFileError(f"cannot write: {error.strerror or error}", file=path) from None
    binary = "b" in mode
    try:
        with os.fdopen(fd, "wb") as raw:
            os.fchmod(raw.fileno(), output_mode(path))
            if path.suffix == ".gz":
                # mtime=0 keeps compressed output byte-identical run to run.
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
                    if binary:
                        yield zipped
                    else:
                        with io.TextIOWrapper(zipped, encoding="utf-8", newline="\n") as text:
                            yield text
            elif binary:
                yield raw
            else:
                with io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as text:
                    yield text
        try:
            os.replace(tmp_name, path)
        except OSError as error:
            raise InputFileError(f"cannot write: {error.strerror or error}", file=path) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_write(path) as handle:
        handle.write(text)


def ensure_not_input(output: str | Path, inputs: Iterable[str | Path]) -> None:
    """Raise InputFileError when writing ``output`` would replace one of ``inputs``.

    Paths are compared after resolving links, and by inode when both exist (hard links), so
    ``out.v`` and ``./src/../out.v`` are the same file. ``inputs`` may name directories: an
    output inside one is allowed, an output equal to one is refused.
    """
    output = Path(output)
    target = output.resolve()
    for item in inputs:
        source = Path(item)
        same = source.resolve() == target
        if not same and source.exists() and output.exists():
            with contextlib.suppress(OSError):
                same = os.path.samefile(source, output)
        if same:
            raise InputFileError(
                f"refusing to write over an input file ({source})",
                file=output,
                hint="choose another output path",
            )


def check_output(output: str | Path, inputs: Iterable[str | Path] = ()) -> None:
    """Before the work that produces ``output``: raise InputFileError when writing it would
    replace one of ``inputs`` (``ensure_not_input``) or could not succeed (the path is a
    directory, or its nearest existing parent is a file or not writable).

    Nothing is created; ``atomic_write`` makes missing parent directories when it writes.
    A command checks its outputs before reading and computing, so that a long run does not
    end in "cannot write" and an output path mistyped as an input never replaces it.
    """
    output = Path(output)
    try:
        ensure_not_input(output, inputs)
        if output.is_dir():
            raise InputFileError("cannot write: the output path is a directory", file=output)
        target = output.absolute()
        parent = target.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            raise InputFileError(f"cannot write: {parent} is not a directory", file=output)
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InputFileError(
                f"cannot write: permission denied in {parent}",
                file=output,
                hint="choose another path",
            )
        # the folders still to make and the file: names the file system takes
        longest = os.pathconf(parent, "PC_NAME_MAX")
        if any(len(os.fsencode(name)) > longest for name in target.relative_to(parent).parts):
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))
    except (OSError, ValueError) as error:  # a name too long, a NUL character, a link loop
        message = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise InputFileError(f"cannot write: {message}", file=output) from None
