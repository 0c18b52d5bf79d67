"""A step's manifest: hashes of its inputs, options and outputs, and whether it is up to date.

``manifest.json`` is the last file a step writes; a step directory without a readable manifest
whose output hashes match is incomplete and runs again under ``--resume``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tapeout import __version__
from tapeout.fileio import write_text

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1


def file_sha256(path: Path) -> str:
    """Hex sha256 of the bytes of ``path`` (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def options_sha256(options: dict[str, Any]) -> str:
    """Hex sha256 of ``options`` as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(options, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Manifest:
    """What a finished step recorded about itself."""

    step: str
    tapeout_version: str
    options: dict[str, Any]
    options_sha256: str
    inputs: dict[str, str]  # label ("src/gcd.v", "01_synth/gcd.v") -> sha256
    outputs: dict[str, str]  # file name inside the step directory -> sha256
    runtime_s: float
    finished_utc: str

    def to_json(self) -> str:
        """The manifest as indented JSON text."""
        data = {"format": MANIFEST_FORMAT, **self.__dict__}
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Write ``manifest.json`` into ``directory`` atomically."""
    write_text(directory / MANIFEST_NAME, manifest.to_json())


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest in ``directory``, or None when missing, unreadable or of another format."""
    try:
        data = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.pop("format", None) != MANIFEST_FORMAT:
            return None
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    return manifest if _well_formed(manifest) else None


def _well_formed(manifest: Manifest) -> bool:
    """Every field of the type it should have; outputs are plain names inside the directory."""

    def text_map(value: object) -> bool:
        return isinstance(value, dict) and all(
            isinstance(key, str) and isinstance(item, str) for key, item in value.items()
        )

    plain_names = (
        all(
            name not in {"", ".", ".."}
            and "/" not in name
            and "\\" not in name
            and "\0" not in name
            for name in manifest.outputs
        )
        if text_map(manifest.outputs)
        else False
    )
    return (
        plain_names
        and text_map(manifest.inputs)
        and isinstance(manifest.options, dict)
        and all(
            isinstance(value, str)
            for value in (
                manifest.step,
                manifest.tapeout_version,
                manifest.options_sha256,
                manifest.finished_utc,
            )
        )
        and isinstance(manifest.runtime_s, int | float)
        and not isinstance(manifest.runtime_s, bool)
    )


def new_manifest(
    step: str,
    options: dict[str, Any],
    inputs: dict[str, str],
    directory: Path,
    output_names: list[str],
    runtime_s: float,
    finished_utc: str,
) -> Manifest:
    """A manifest for the files ``output_names`` just written into ``directory``."""
    return Manifest(
        step=step,
        tapeout_version=__version__,
        options=json.loads(json.dumps(options, default=str)),
        options_sha256=options_sha256(options),
        inputs=dict(sorted(inputs.items())),
        outputs={name: file_sha256(directory / name) for name in sorted(output_names)},
        runtime_s=runtime_s,
        finished_utc=finished_utc,
    )


def stale_reason(directory: Path, options: dict[str, Any], inputs: dict[str, str]) -> str | None:
    """Why the step in ``directory`` must run again, or None when it is complete and current.

    Compares the tapeout version, the options hash and the input hashes with the manifest, and
    re-hashes every recorded output (a truncated or edited output is "corrupt").
    """
    if not directory.is_dir():
        return "not run yet"
    manifest = read_manifest(directory)
    if manifest is None:
        return "no complete manifest (interrupted or never finished)"
    for name, digest in manifest.outputs.items():
        path = directory / name
        if not path.is_file():
            return f"output {name} missing"
        if file_sha256(path) != digest:
            return f"output {name} corrupt (hash mismatch)"
    if manifest.tapeout_version != __version__:
        return f"made by tapeout {manifest.tapeout_version}, this is {__version__}"
    if manifest.options_sha256 != options_sha256(options):
        changed = sorted(
            key
            for key in set(manifest.options) | set(options)
            if manifest.options.get(key) != json.loads(json.dumps(options.get(key), default=str))
        )
        return f"options changed: {', '.join(changed) or 'format'}"
    if manifest.inputs != inputs:
        changed = sorted(
            label
            for label in set(manifest.inputs) | set(inputs)
            if manifest.inputs.get(label) != inputs.get(label)
        )
        return f"inputs changed: {', '.join(changed)}"
    return None
