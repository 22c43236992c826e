"""The model and data loading shared by train.py and evaluate.py (an input of both nodes, hashed into their keys)."""
import glob
import os

import numpy as np
from torch import nn


class HeatNet(nn.Module):
    """A small fully convolutional net: hot/cold indicator in, steady temperature field out."""

    def __init__(self, width):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.SiLU(),
            nn.Conv2d(width, width, 3, padding=2, dilation=2), nn.SiLU(),
            nn.Conv2d(width, width, 3, padding=4, dilation=4), nn.SiLU(),
            nn.Conv2d(width, 1, 3, padding=1),
        )

    def forward(self, x):
        return x + self.body(x)


def load_split(dataset, split):
    """Every shard's pairs of one split (shards are dataset/shard-NNNN/shard-NNNN.npz, or dataset/*.npz for one)."""
    files = sorted(glob.glob(os.path.join(dataset, "**", "*.npz"), recursive=True))
    inputs, targets = [], []
    for path in files:
        with np.load(path) as shard:
            if f"{split}_inputs" in shard and len(shard[f"{split}_inputs"]):
                inputs.append(shard[f"{split}_inputs"])
                targets.append(shard[f"{split}_targets"])
    if not inputs:
        raise SystemExit(f"no {split} pairs in {dataset}; raise parameters.samples or the {split} split")
    return np.concatenate(inputs).astype(np.float32), np.concatenate(targets).astype(np.float32)
