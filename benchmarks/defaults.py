"""The defaults scoreboard: each estimator with its defaults only, on real data sets.

Every fit sets ``random_state`` and nothing else; the data are loaded as a user
would load them (series as lists of ``(T, channels)`` arrays, text as raw strings,
tagging data as word lists). Quick tasks run ``--seeds`` seeds (mean and spread);
the slow text tasks run the first seed only unless ``--all-seeds``. Data come from
``--data`` (by default ``../shared/data`` beside the checkout).

Run ``python benchmarks/defaults.py`` (about 30 minutes on 2 CPU cores), or a part
of it with ``--only gunpoint,sst2``.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from datasets import (  # noqa: E402
    SHARED_DATA,
    load_conllu,
    load_goemotions,
    load_sst,
    load_ts,
)

from sklstm import (  # noqa: E402
    LSTMClassifier,
    LSTMMultiLabel,
    LSTMRegressor,
    LSTMTagger,
)


def ts_task(folder, name):
    def load(data):
        train = load_ts(data / folder / f"{name}_TRAIN.ts")
        test = load_ts(data / folder / f"{name}_TEST.ts")
        return train, test

    return load


def load_sst_task(kind):
    def load(data):
        return (
            load_sst(data / "text_sst" / f"stsa.{kind}.train"),
            load_sst(data / "text_sst" / f"stsa.{kind}.dev"),
        )

    return load


def load_mr(data):
    """MR with a fixed 90/10 split (lines split on newline bytes only)."""
    raw = (data / "text_mr" / "rt-polarity.all").read_bytes().split(b"\n")
    lines = [line.decode("latin-1").strip() for line in raw if line.strip()]
    labels = np.array([int(line[0]) for line in lines])
    texts = [line[2:] for line in lines]
    order = np.random.RandomState(0).permutation(len(texts))
    cut = int(0.9 * len(texts))
    pick = [texts[i] for i in order]
    return (pick[:cut], labels[order[:cut]]), (pick[cut:], labels[order[cut:]])


def load_ewt(data):
    folder = data / "ud_english_ewt"
    return (
        load_conllu(next(folder.glob("*train.conllu"))),
        load_conllu(next(folder.glob("*dev.conllu"))),
    )


def load_emotions(data):
    folder = data / "multilabel_goemotions"
    names = folder / "emotions.txt"
    return (
        load_goemotions(folder / "train.tsv", names),
        load_goemotions(folder / "dev.tsv", names),
    )


def accuracy(model, X, y):
    return {"accuracy": float(np.mean(model.predict(X) == y))}


def rmse_ratio(model, X, y, y_train):
    rmse = np.sqrt(np.mean((model.predict(X) - y) ** 2))
    baseline = np.sqrt(np.mean((np.mean(y_train) - y) ** 2))
    return {"RMSE / mean-predictor RMSE": float(rmse / baseline)}


def token_accuracy(model, X, y):
    return {"UPOS accuracy": model.score(X, y)}


def emotion_f1(model, X, y):
    true = model.target_encoder_.transform(y)
    predicted = model.target_encoder_.transform(model.predict(X))
    return {
        "micro-F1": f1_score(true, predicted, average="micro", zero_division=0),
        "macro-F1": f1_score(true, predicted, average="macro", zero_division=0),
    }


#: name -> (loader, estimator, metric, target, slow)
TASKS = {
    "gunpoint": (
        ts_task("ucr_gunpoint", "GunPoint"),
        LSTMClassifier,
        accuracy,
        0.95,
        False,
    ),
    "italypower": (
        ts_task("ucr_italy_power_demand", "ItalyPowerDemand"),
        LSTMClassifier,
        accuracy,
        0.95,
        False,
    ),
    "arrowhead": (
        ts_task("ucr_arrowhead", "ArrowHead"),
        LSTMClassifier,
        accuracy,
        0.80,
        False,
    ),
    "pickup": (
        ts_task("ucr_pickup_gesture_wiimote_z", "PickupGestureWiimoteZ"),
        LSTMClassifier,
        accuracy,
        0.80,
        False,
    ),
    "basicmotions": (
        ts_task("uea_basic_motions", "BasicMotions"),
        LSTMClassifier,
        accuracy,
        0.95,
        False,
    ),
    "covid": (
        ts_task("tser_covid3month", "Covid3Month"),
        LSTMRegressor,
        rmse_ratio,
        0.90,
        False,
    ),
    "sst2": (load_sst_task("binary"), LSTMClassifier, accuracy, 0.79, True),
    "sst5": (load_sst_task("fine"), LSTMClassifier, accuracy, 0.40, True),
    "mr": (load_mr, LSTMClassifier, accuracy, 0.76, True),
    "ewt": (load_ewt, LSTMTagger, token_accuracy, 0.94, True),
    "goemotions": (load_emotions, LSTMMultiLabel, emotion_f1, 0.50, True),
}


def run(name, data, seeds):
    loader, Estimator, metric, target, _ = TASKS[name]
    (X_train, y_train), (X_test, y_test) = loader(data)
    scores, seconds = {}, []
    for seed in seeds:
        start = time.perf_counter()
        model = Estimator(random_state=seed).fit(X_train, y_train)
        seconds.append(time.perf_counter() - start)
        extra = (y_train,) if metric is rmse_ratio else ()
        for key, value in metric(model, X_test, y_test, *extra).items():
            scores.setdefault(key, []).append(value)
    for key, values in scores.items():
        spread = f" ± {statistics.stdev(values):.3f}" if len(values) > 1 else ""
        first = key == next(iter(scores))
        print(
            f"| {name} | {key} | {target if first else ''} | "
            f"{statistics.mean(values):.3f}{spread} | {len(values)} | "
            f"{statistics.mean(seconds):.0f} |",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--only", default=",".join(TASKS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--all-seeds", action="store_true")
    args = parser.parse_args()
    print("| data set | metric | target | defaults (mean ± sd) | seeds | fit s |")
    print("|---|---|---|---|---|---|")
    for name in args.only.split(","):
        slow = TASKS[name][4] and not args.all_seeds
        run(name, args.data, range(1 if slow else args.seeds))


if __name__ == "__main__":
    main()
