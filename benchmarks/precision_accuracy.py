"""The accuracy cost of bfloat16: the same fits in precision "32" and "bf16".

* SST-2 (sentence sentiment, ``../shared/data/text_sst``): ``LSTMClassifier`` with
  the best settings of ``examples/sentiment_sst2.py`` (hidden 128, max pooling,
  embedding 100, 10 epochs), on lowercased text, trained on the full training set,
  dev accuracy for seeds 0, 1 and 2;
* UD English EWT (part-of-speech, ``../shared/data/ud_english_ewt``): a
  bidirectional ``LSTMTagger`` with characters (hidden 128, 8 epochs with a cosine
  decay, otherwise as ``examples/pos_tagging_ewt.py``), dev UPOS accuracy, seed 0.

Prints the dev accuracy and fit time of each fit. Run ``python
benchmarks/precision_accuracy.py`` (about 15 minutes on 2 CPU cores).
"""

import time

import torch
from shared_data import SHARED_DATA, load_conllu, load_sst
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR

from sklstm import LSTMClassifier, LSTMTagger

PRECISIONS = ("32", "bf16")
EWT_EPOCHS = 8


def timed_score(estimator, train, dev):
    start = time.perf_counter()
    estimator.fit(*train)
    return estimator.score(*dev), time.perf_counter() - start


def main():
    torch.set_num_threads(2)
    sst = SHARED_DATA / "text_sst"
    train, dev = (load_sst(sst / f"stsa.binary.{part}") for part in ("train", "dev"))
    train, dev = (([text.lower() for text in X], y) for X, y in (train, dev))
    print("| data set | precision | seed | dev accuracy | fit s |")
    print("|---|---|---|---|---|")
    for seed in (0, 1, 2):
        for precision in PRECISIONS:
            clf = LSTMClassifier(
                embedding_dim=100,
                hidden_size=128,
                pooling="max",
                max_epochs=10,
                precision=precision,
                random_state=seed,
            )
            accuracy, seconds = timed_score(clf, train, dev)
            print(
                f"| SST-2 | {precision} | {seed} | {accuracy:.4f} | {seconds:.0f} |",
                flush=True,
            )

    ewt = SHARED_DATA / "ud_english_ewt"
    train, dev = (
        load_conllu(ewt / f"en_ewt-ud-{part}.conllu") for part in ("train", "dev")
    )
    for precision in PRECISIONS:
        tagger = LSTMTagger(
            embedding_dim=100,
            char_embedding_dim=32,
            hidden_size=128,
            bidirectional=True,
            dropout=0.3,
            lowercase=True,
            min_frequency=2,
            lr=3e-3,
            max_epochs=EWT_EPOCHS,
            callbacks=[LRScheduler(CosineAnnealingLR, T_max=EWT_EPOCHS)],
            precision=precision,
            random_state=0,
        )
        accuracy, seconds = timed_score(tagger, train, dev)
        print(f"| EWT | {precision} | 0 | {accuracy:.4f} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
