"""The defaults scoreboard: each estimator with its defaults only, beside the
baseline a user would try first, on real data sets.

Every sklstm fit sets ``random_state`` and nothing else; the data are loaded as a
user would load them (series as lists of ``(T, channels)`` arrays, text as raw
strings, tagging data as word lists). Beside each row stands the simple model a
user would run next to it:

* text: TF-IDF of word 1-2-grams and character 2-5-grams with
  ``LogisticRegression(C=10)`` (one per label for multi-label), fitted in the run;
* tagging: each word's most frequent training tag (the overall most frequent tag
  for words unseen in training), computed in the run;
* UCR series: ROCKET's published test accuracy (Dempster et al. 2020, the
  authors' results_ucr.csv), and LSTM-FCN's where published (Karim et al. 2018,
  models chosen by training loss);
* regression: ``RidgeCV`` on the flattened series (alphas 1e-3 to 1e8), and the
  training mean (the metric's unit: an RMSE ratio of 1).

Quick tasks run ``--seeds`` seeds (mean and spread); the UCR archive sets and the
slow text tasks run the first seed only unless ``--all-seeds``. Data come from
``--data`` (by default ``../shared/data`` beside the checkout).

Run ``python benchmarks/defaults.py`` (about 45 minutes on 2 CPU cores), a part of
it with ``--only gunpoint,sst2``, or a group with ``--only ucr`` (``series``,
``text``).
"""

import argparse
import csv
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from shared_data import (
    SHARED_DATA,
    load_conllu,
    load_goemotions,
    load_sst,
    load_ts,
    load_ucr_tsv,
)
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import MultiLabelBinarizer

from sklstm import (
    LSTMClassifier,
    LSTMMultiLabel,
    LSTMRegressor,
    LSTMTagger,
)

UCR_DEV = "ucr_archive_dev"


# -- loaders: (X_train, y_train), (X_test, y_test) -----------------------------


def ts_task(folder, name):
    def load(data):
        train = load_ts(data / folder / f"{name}_TRAIN.ts")
        test = load_ts(data / folder / f"{name}_TEST.ts")
        return train, test

    return load


def ucr_task(name):
    def load(data):
        folder = data / UCR_DEV
        return (
            load_ucr_tsv(folder / f"{name}_TRAIN.tsv"),
            load_ucr_tsv(folder / f"{name}_TEST.tsv"),
        )

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


# -- metrics: model, X, y (, y_train) -> {name: value} ----------------------------


def accuracy(model, X, y, y_train):
    return {"accuracy": float(np.mean(model.predict(X) == y))}


def rmse_ratio(model, X, y, y_train):
    rmse = np.sqrt(np.mean((model.predict(X) - y) ** 2))
    baseline = np.sqrt(np.mean((np.mean(y_train) - y) ** 2))
    return {"RMSE / training-mean RMSE": float(rmse / baseline)}


def token_accuracy(model, X, y, y_train):
    predicted = np.concatenate(model.predict(X))
    return {"UPOS accuracy": float(np.mean(predicted == np.concatenate(y)))}


def emotion_f1(model, X, y, y_train):
    labels = MultiLabelBinarizer().fit([*y_train, *y])
    true, predicted = labels.transform(y), labels.transform(model.predict(X))
    return {
        "micro-F1": f1_score(true, predicted, average="micro", zero_division=0),
        "macro-F1": f1_score(true, predicted, average="macro", zero_division=0),
    }


# -- baselines: (train, test) -> (name, figure) ---------------------------------


def tfidf():
    """The features a user tries first on text."""
    return make_union(
        TfidfVectorizer(ngram_range=(1, 2)),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)),
    )


def tfidf_lr(train, test):
    (X_train, y_train), (X_test, y_test) = train, test
    model = make_pipeline(tfidf(), LogisticRegression(C=10, max_iter=1000))
    model.fit(X_train, y_train)
    return "TF-IDF + LR", accuracy(model, X_test, y_test, y_train)["accuracy"]


def tfidf_lr_multilabel(train, test):
    (X_train, y_train), (X_test, y_test) = train, test
    labels = MultiLabelBinarizer().fit([*y_train, *y_test])
    features = tfidf().fit(X_train)
    model = OneVsRestClassifier(LogisticRegression(C=10, max_iter=1000))
    model.fit(features.transform(X_train), labels.transform(y_train))
    predicted = model.predict(features.transform(X_test))
    figure = f1_score(labels.transform(y_test), predicted, average="micro")
    return "TF-IDF + LR per label, micro-F1", figure


def most_frequent_tag(train, test):
    (X_train, y_train), (X_test, y_test) = train, test
    counts = {}
    for words, tags in zip(X_train, y_train, strict=True):
        for word, tag in zip(words, tags, strict=True):
            counts.setdefault(word, Counter())[tag] += 1
    overall = Counter(np.concatenate(y_train)).most_common(1)[0][0]
    best = {word: tags.most_common(1)[0][0] for word, tags in counts.items()}
    predicted = [best.get(word, overall) for words in X_test for word in words]
    return "most frequent tag per word", float(
        np.mean(np.array(predicted) == np.concatenate(y_test))
    )


def ridge(train, test):
    (X_train, y_train), (X_test, y_test) = train, test
    flat = [np.stack([x.ravel() for x in X]) for X in (X_train, X_test)]
    # a wide grid: raw series (case counts, say) may need a strong penalty
    model = RidgeCV(alphas=np.logspace(-3, 8, 23)).fit(flat[0], y_train)
    rmse = np.sqrt(np.mean((model.predict(flat[1]) - y_test) ** 2))
    mean_rmse = np.sqrt(np.mean((y_train.mean() - y_test) ** 2))
    return "RidgeCV (flattened)", rmse / mean_rmse


def published(rocket, lstm_fcn=None):
    figure = f"ROCKET {rocket:.3f}" + (
        f", LSTM-FCN {lstm_fcn:.3f}" if lstm_fcn is not None else ""
    )

    def baseline(train, test):
        return f"published: {figure}", rocket

    return baseline


# -- the tasks --------------------------------------------------------------------


@dataclass
class Task:
    load: object
    estimator: type
    metric: object
    baseline: object
    group: str  # "series", "ucr" or "text"
    slow: bool = False


def ucr_tasks(data):
    """One task per set of the UCR archive's development sets."""
    table = data / UCR_DEV / "published_accuracy.csv"
    if not table.exists():
        return {}
    tasks = {}
    with table.open() as rows:
        for row in csv.DictReader(rows):
            fcn = float(row["lstm_fcn"]) if row["lstm_fcn"] else None
            tasks[row["dataset"]] = Task(
                ucr_task(row["dataset"]),
                LSTMClassifier,
                accuracy,
                published(float(row["rocket"]), fcn),
                "ucr",
                slow=True,
            )
    return tasks


def tasks(data):
    ts = ts_task
    return {
        # published ROCKET figures: the authors' results_ucr.csv; LSTM-FCN's:
        # each set's SOURCE.txt
        "gunpoint": Task(
            ts("ucr_gunpoint", "GunPoint"),
            LSTMClassifier,
            accuracy,
            published(1.0, 1.0),
            "series",
        ),
        "italypower": Task(
            ts("ucr_italy_power_demand", "ItalyPowerDemand"),
            LSTMClassifier,
            accuracy,
            published(0.9696, 0.9621),
            "series",
        ),
        "arrowhead": Task(
            ts("ucr_arrowhead", "ArrowHead"),
            LSTMClassifier,
            accuracy,
            published(0.8143, 0.8971),
            "series",
        ),
        "pickup": Task(
            ts("ucr_pickup_gesture_wiimote_z", "PickupGestureWiimoteZ"),
            LSTMClassifier,
            accuracy,
            published(0.83),
            "series",
        ),
        "basicmotions": Task(
            ts("uea_basic_motions", "BasicMotions"),
            LSTMClassifier,
            accuracy,
            None,
            "series",
        ),
        "covid": Task(
            ts("tser_covid3month", "Covid3Month"),
            LSTMRegressor,
            rmse_ratio,
            ridge,
            "series",
        ),
        **ucr_tasks(data),
        "sst2": Task(
            load_sst_task("binary"), LSTMClassifier, accuracy, tfidf_lr, "text", True
        ),
        "sst5": Task(
            load_sst_task("fine"), LSTMClassifier, accuracy, tfidf_lr, "text", True
        ),
        "mr": Task(load_mr, LSTMClassifier, accuracy, tfidf_lr, "text", True),
        "ewt": Task(
            load_ewt, LSTMTagger, token_accuracy, most_frequent_tag, "text", True
        ),
        "goemotions": Task(
            load_emotions,
            LSTMMultiLabel,
            emotion_f1,
            tfidf_lr_multilabel,
            "text",
            True,
        ),
    }


def run(name, task, data, seeds):
    """Print the task's row(s); return (sklstm's first figure, the baseline's)."""
    train, test = task.load(data)
    scores, seconds = {}, []
    for seed in seeds:
        start = time.perf_counter()
        model = task.estimator(random_state=seed).fit(*train)
        seconds.append(time.perf_counter() - start)
        for key, value in task.metric(model, *test, train[1]).items():
            scores.setdefault(key, []).append(value)
    baseline, baseline_seconds = ("", None), None
    if task.baseline is not None:
        start = time.perf_counter()
        baseline = task.baseline(train, test)
        baseline_seconds = time.perf_counter() - start
    for key, values in scores.items():
        spread = f" ± {statistics.stdev(values):.3f}" if len(values) > 1 else ""
        first = key == next(iter(scores))
        shown = (
            f"{baseline[0]}: {baseline[1]:.3f}"
            if first and task.baseline is not None
            else ""
        )
        if first and baseline_seconds is not None and "published" not in baseline[0]:
            shown += f" ({baseline_seconds:.0f} s)"
        print(
            f"| {name} | {key} | {statistics.mean(values):.3f}{spread} | "
            f"{len(values)} | {statistics.mean(seconds):.0f} | {shown} |",
            flush=True,
        )
    return statistics.mean(next(iter(scores.values()))), baseline[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument(
        "--only", default="", help="task names or groups (series, ucr, text)"
    )
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--all-seeds", action="store_true")
    args = parser.parse_args()
    every = tasks(args.data)
    wanted = args.only.split(",") if args.only else ["series", "ucr", "text"]
    names = [n for n, t in every.items() if n in wanted or t.group in wanted]
    print(
        "| data set | metric | sklstm defaults (mean ± sd) | seeds | fit s | baseline |"
    )
    print("|---|---|---|---|---|---|")
    ucr = []
    for name in names:
        task = every[name]
        slow = task.slow and not args.all_seeds
        result = run(name, task, args.data, range(1 if slow else args.seeds))
        if task.group == "ucr":
            ucr.append(result)
    if ucr:
        ours, rocket = np.array(ucr).T
        print(
            f"\nUCR development sets ({len(ucr)}): sklstm mean {ours.mean():.3f}, "
            f"ROCKET (published) mean {rocket.mean():.3f}; within 0.05 of ROCKET: "
            f"{int((ours >= rocket - 0.05).sum())}, more than 0.10 below: "
            f"{int((ours < rocket - 0.10).sum())}"
        )


if __name__ == "__main__":
    main()
