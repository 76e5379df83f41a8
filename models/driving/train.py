"""Trains the driving-context model: situation classifier + driving-style score, exported to ONNX.

  /usr/bin/python3 models/driving/train.py --train DIR/windows.csv --out models/driving/artifacts [--epochs N]

A small MLP on window statistics (see vehicle-service/src/driving/situation/features.ts): the
features are already summaries of a 20 s window (+120 s context), so a 1D-CNN or GRU over raw
samples would add size and latency for little gain on five classes. Normalization is folded into
the graph (the runtime feeds raw features) and also written to driving-context.norm.json.
"""
import argparse
import csv
import json
import os
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(7)

CLASSES = ["parked", "stop_and_go", "city", "rural", "highway"]


def load(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        n_feat = header.index("label")
        xs, ys, styles = [], [], []
        for row in reader:
            xs.append([float(v) for v in row[:n_feat]])
            ys.append(CLASSES.index(row[n_feat]))
            styles.append(float(row[n_feat + 1]))
    return header[:n_feat], torch.tensor(xs), torch.tensor(ys), torch.tensor(styles)


class DrivingContextNet(nn.Module):
    def __init__(self, n_in, mean, std, hidden=48):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.body = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.situation = nn.Linear(hidden, len(CLASSES))
        self.style = nn.Linear(hidden, 1)

    def forward(self, features):
        h = self.body((features - self.mean) / self.std)
        # Style 0..100 (sigmoid): a bounded score is easier to read and never nonsense.
        return self.situation(h), torch.sigmoid(self.style(h)).squeeze(-1) * 100.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=60)
    args = ap.parse_args()
    names, x, y, style = load(args.train)
    # Cue dropout: in the scenarios, country roads only happen at night in the rain, so wipers and low
    # beams would give "rural" away. Half the rows are shown again without those cues (a dry day), so
    # the model has to learn the situation from how the car is driven.
    cues = [names.index("wiper_frac"), names.index("lowbeam_frac")]
    dry = x.clone()
    dry[:, cues] = 0.0
    pick = torch.rand(x.shape[0]) < 0.5
    x = torch.cat([x, dry[pick]])
    y = torch.cat([y, y[pick]])
    style = torch.cat([style, style[pick]])
    mean = x.mean(0)
    std = x.std(0).clamp_min(1e-3)
    model = DrivingContextNet(x.shape[1], mean, std)
    counts = torch.bincount(y, minlength=len(CLASSES)).float()
    # Inverse-frequency weights: stop_and_go and rural are rare in the scenarios.
    weights = (counts.sum() / (len(CLASSES) * counts.clamp_min(1))).clamp(max=10)
    ce = nn.CrossEntropyLoss(weight=weights)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
    n = x.shape[0]
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, 256):
            idx = perm[i : i + 256]
            logits, s = model(x[idx])
            loss = ce(logits, y[idx]) + nn.functional.mse_loss(s / 100.0, style[idx] / 100.0)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        if epoch % 10 == 0 or epoch == args.epochs - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(x)[0].argmax(1) == y).float().mean().item()
            print(json.dumps({"epoch": epoch, "loss": round(total / n, 4), "train_acc": round(acc, 4)}), flush=True)
    os.makedirs(args.out, exist_ok=True)
    model.eval()
    onnx_path = os.path.join(args.out, "driving-context.onnx")
    torch.onnx.export(
        model,
        torch.zeros(1, x.shape[1]),
        onnx_path,
        input_names=["features"],
        output_names=["situation_logits", "style_score"],
        dynamic_axes={"features": {0: "batch"}, "situation_logits": {0: "batch"}, "style_score": {0: "batch"}},
        opset_version=13,
    )
    meta = {
        "features": names,
        "mean": [round(v, 6) for v in mean.tolist()],
        "std": [round(v, 6) for v in std.tolist()],
        "normalizationInGraph": True,
        "classes": CLASSES,
        "inputs": {"features": ["batch", len(names)]},
        "outputs": {"situation_logits": ["batch", len(CLASSES)], "style_score": ["batch"]},
        "training": {
            "rows": n,
            "classCounts": dict(zip(CLASSES, [int(c) for c in counts.tolist()])),
            "epochs": args.epochs,
            "seconds": round(time.time() - t0, 1),
            "parameters": sum(p.numel() for p in model.parameters()),
        },
    }
    with open(os.path.join(args.out, "driving-context.norm.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(json.dumps({"onnx": onnx_path, "bytes": os.path.getsize(onnx_path), **meta["training"]}))


if __name__ == "__main__":
    main()
