"""Training: LoRA recipes (SFT, midtraining, DPO) on TRL + PEFT, merge and GGUF export.

Needs the ``train`` extra (``pip install 'whylab[train]'``). The public API:
``train`` → an adapter folder with a model card; ``merge_adapter`` → a plain HF folder for
Inspect's ``hf/`` provider; ``export_gguf`` → a GGUF for ``whylab-local`` (embedded model only);
``prepare_base`` → the HF folder a base name stands for.
"""

from whylab.train.base import BaseModelError, prepare_base
from whylab.train.data import RECIPES, DataError
from whylab.train.export import QUANTS, ExportError, export_gguf, merge_adapter
from whylab.train.recipes import PROFILES, TrainError, TrainResult, train

__all__ = [
    "PROFILES",
    "QUANTS",
    "RECIPES",
    "BaseModelError",
    "DataError",
    "ExportError",
    "TrainError",
    "TrainResult",
    "export_gguf",
    "merge_adapter",
    "prepare_base",
    "train",
]
