"""The PyTorch evaluator of recipes/heat-diffusion/pytorch.yaml: the trained model (model/, the train node's output)
on the test split of dataset/, against the two baselines the built-in evaluator reports (the mean field of the
training targets, and the input itself), as mean absolute error."""
import json
import os

import torch

from heatnet import HeatNet, load_split

torch.set_num_threads(int(os.environ.get("RECIPES_THREADS", "1")))
model_dir = os.environ["RECIPES_MODEL"]
config = json.load(open(os.path.join(model_dir, "model.json")))
model = HeatNet(int(config["width"]))
model.load_state_dict(torch.load(os.path.join(model_dir, "model.pt")))
model.eval()

train_inputs, train_targets = load_split(os.environ["RECIPES_DATASET"], "train")
inputs, targets = load_split(os.environ["RECIPES_DATASET"], "test")
with torch.no_grad():
    predicted = model(torch.from_numpy(inputs).unsqueeze(1)).squeeze(1).numpy()
mean_field = train_targets.mean(axis=0)
metrics = {
    "mae": float(abs(predicted - targets).mean()),
    "baseline_mean_field_mae": float(abs(mean_field[None] - targets).mean()),
    "baseline_input_mae": float(abs(inputs - targets).mean()),
    "test_pairs": int(len(targets)),
}
json.dump(metrics, open(os.path.join(os.environ["RECIPES_OUTPUT"], "metrics.json"), "w"), indent=2)
print(json.dumps(metrics))
