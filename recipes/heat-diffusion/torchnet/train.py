"""A researcher's own PyTorch trainer as a Recipes node (recipes/heat-diffusion/pytorch.yaml).

Recipes runs this in a fresh directory holding dataset/ (the npy dataset's shards), with the target's settings in
$RECIPES_SETTINGS and its seed in $RECIPES_SEED; what it writes to $RECIPES_OUTPUT is the node's output, and
$RECIPES_OUTPUT/metrics.json its metrics. Nothing here knows about the cache: the same script runs by hand with the
same variables.
"""
import glob
import json
import os

import numpy as np
import torch
from torch import nn

from heatnet import HeatNet, load_split

settings = json.load(open(os.environ["RECIPES_SETTINGS"]))
seed = int(os.environ["RECIPES_SEED"]) % (2**63)
threads = int(os.environ.get("RECIPES_THREADS", "1"))
output = os.environ["RECIPES_OUTPUT"]
dataset = os.environ["RECIPES_DATASET"]

# One thread and a fixed seed: the same inputs give the same weights on this machine, as the built-in trainers do.
torch.manual_seed(seed)
torch.set_num_threads(threads)
torch.use_deterministic_algorithms(True)

inputs, targets = load_split(dataset, "train")
width = int(settings.get("width", 8))
epochs = int(settings.get("epochs", 20))
batch = int(settings.get("batch", 32))
model = HeatNet(width)
optimizer = torch.optim.Adam(model.parameters(), lr=float(settings.get("learning_rate", 3e-3)))
x = torch.from_numpy(inputs).unsqueeze(1)
y = torch.from_numpy(targets).unsqueeze(1)
generator = torch.Generator().manual_seed(seed)
losses = []
for epoch in range(epochs):
    order = torch.randperm(len(x), generator=generator)
    total = 0.0
    for start in range(0, len(x), batch):
        rows = order[start:start + batch]
        optimizer.zero_grad()
        loss = nn.functional.l1_loss(model(x[rows]), y[rows])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(rows)
    losses.append(total / len(x))
    print(f"epoch {epoch + 1}/{epochs}: train MAE {losses[-1]:.5f}", flush=True)

if not all(np.isfinite(losses)):
    raise SystemExit("training diverged: a loss is not finite; lower params.learning_rate")
torch.save(model.state_dict(), os.path.join(output, "model.pt"))
json.dump({"width": width, "epochs": epochs}, open(os.path.join(output, "model.json"), "w"), indent=2)
json.dump({"first_loss": losses[0], "final_loss": losses[-1], "train_pairs": int(len(x))},
          open(os.path.join(output, "metrics.json"), "w"), indent=2)
