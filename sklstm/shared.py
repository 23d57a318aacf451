"""The hyperparameters the estimators share, each declared once."""

import inspect
import os
from numbers import Integral
from typing import Any

import numpy as np
import torch
from sklearn.utils import check_random_state

from sklstm.data.inputs import AUTO_SCALE_SPREAD, MIN_SHAPE_STEPS
from sklstm.data.pretrained import read_pretrained
from sklstm.data.tokenize import make_tokenizer
from sklstm.devices import PRECISIONS, resolve_device
from sklstm.hyperparameters import (
    Declared,
    boolean,
    hyperparameter,
    integer,
    one_of,
    or_value,
    real,
)
from sklstm.nn.pooling import MERGES, POOLINGS
from sklstm.nn.recurrent import CELLS

__all__ = [
    "AUTO_BATCH_SIZES",
    "AUTO_BY_INPUT",
    "AUTO_CHAR_EMBEDDING_DIM",
    "AUTO_DATA_SIZES",
    "AUTO_HIDDEN_SIZE",
    "AUTO_PATIENCE_STEPS",
    "AUTO_TOKEN_DROPOUT_PAST",
    "AUTO_VALIDATION_SIZE",
    "BUILT_FROM",
    "CLASS_WEIGHT",
    "CONV_FILTERS",
    "OPTIMIZERS",
    "PATCH_SIZE",
    "POOLING",
    "SharedHyperparameters",
    "TRAINING_LOSS_FLOOR",
    "WEIGHT_DECAY",
]


def _optimizer(value, name):
    if not (
        (isinstance(value, str) and value in OPTIMIZERS)
        or (inspect.isclass(value) and issubclass(value, torch.optim.Optimizer))
    ):
        raise ValueError(
            f"{name}={value!r} is not supported; expected one of {list(OPTIMIZERS)} "
            "or a torch optimizer class."
        )


def _optional_list(value, name):
    if value is not None and not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list or None; got {type(value).__name__}.")


def _optional_path(value, name):
    if value is not None and not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"{name} must be a directory (a str or path-like) or None; got "
            f"{type(value).__name__}."
        )


def _standardize(value, name):
    if not (isinstance(value, (bool, np.bool_)) or value == "per_series"):
        raise ValueError(
            f"{name}={value!r} is not supported; expected True, False or 'per_series'."
        )


def _pretrained(value, name):
    if value is not None:
        read_pretrained(value)


def _random_state(value, name):
    try:
        check_random_state(value)
    except ValueError:
        raise ValueError(
            f"{name}={value!r} is not supported; expected None, an integer or a "
            "numpy RandomState."
        ) from None


def _filters(value, name):
    if value is None:
        return
    if not (
        isinstance(value, (tuple, list))
        and value
        and all(isinstance(v, Integral) and v >= 1 for v in value)
    ):
        raise ValueError(
            f"{name}={value!r} is not supported; expected a tuple of positive "
            "integers (the filters of each convolution block) or None."
        )


def _class_weight(value, name):
    if not (value is None or value == "balanced" or isinstance(value, dict)):
        raise ValueError(
            f"{name}={value!r} is not supported; expected None, 'balanced' or a dict "
            "label -> weight."
        )


#: the optimizers known by name
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

#: what "auto" means, as (with tokens, numeric series only): measured with
#: benchmarks/defaults.py, where text gained from these and series lost
AUTO_BY_INPUT = {
    "pooling": ("max", "last"),
    "bidirectional": (True, False),
    "dropout": (0.5, 0.0),
    "conv_filters": (None, (64, 128, 64)),
    # regression on series: small training sets overfit (Covid3Month 0.979 ->
    # 0.956 of the training mean's RMSE); text: Adam turns the decay of the
    # embedding rows a batch does not touch into full steps (SST-2 classification
    # 0.78 -> 0.61)
    "weight_decay": (0.0, 0.01),
}

#: hidden_size="auto" (without, beside a convolutional branch): measured with
#: benchmarks/defaults.py, where 8 rather than 64 beside the branch raised the 17
#: UCR development sets' mean accuracy from 0.845 to 0.870 (FaceFour 0.61 -> 0.92,
#: Car 0.78 -> 0.87; GesturePebbleZ1/Z2 fell 0.09)
AUTO_HIDDEN_SIZE = (64, 8)

#: the numbers of training sequences past which "auto" trusts the data more:
#: hidden_size doubles past each, and dropout for token input falls to
#: AUTO_TOKEN_DROPOUT_PAST. Measured on grapheme-to-phoneme (121k pairs): dev WER
#: 37.5% with 64 cells and dropout 0.5 (53 epochs, stopped early), 34.6% with 256
#: cells after 60 epochs (valid loss 0.261 -> 0.239), where the training loss
#: stayed above the validation loss (underfitting); 28.8% with 256 cells and
#: dropout 0.2 (47 epochs, valid loss 0.203). With 128 cells rather than 64 (and
#: dropout 0.35): EWT tagging (12.5k sentences) 0.938 -> 0.941 and 0.937 -> 0.940
#: (seeds 0, 1), GoEmotions (43k) micro-F1 0.553 -> 0.563
AUTO_DATA_SIZES = (10_000, 100_000)

#: dropout="auto" for token input past each of AUTO_DATA_SIZES: 0.2 measured on
#: grapheme-to-phoneme (above); 0.35, the one value tried between, on EWT tagging
#: (12.5k sentences, 0.936 -> 0.938) and GoEmotions (43k, micro-F1 0.542 -> 0.553)
AUTO_TOKEN_DROPOUT_PAST = (0.35, 0.2)

#: char_embedding_dim="auto" for the words of per-step outputs: measured with
#: benchmarks/defaults.py, where characters raised EWT tagging from 0.916 to 0.936
#: and lowered sentence classification (MR 0.773 -> 0.732; SST-5 fits took 166 s
#: instead of 70 s)
AUTO_CHAR_EMBEDDING_DIM = 32

#: the summary of each sequence, for the estimators with one output per sequence
POOLING = hyperparameter(
    default="auto",
    type='{"auto", "last", "mean", "max", "attention"}',
    doc='How each sequence is summarised: the final hidden state ("last"; for a '
    "bidirectional net, the forward state at the sequence's last element joined "
    "with the backward state at its first), or the mean, max or attention-weighted "
    "mean of the top layer's outputs over the sequence's real steps. "
    f'"auto" is "{AUTO_BY_INPUT["pooling"][0]}" for token input and '
    f'"{AUTO_BY_INPUT["pooling"][1]}" for numeric series.',
    check=or_value("auto", one_of(*POOLINGS)),
)

#: the hyperparameters that the input's reading and the network are built from
#: in a fresh fit (those of every estimator that has them); a warm start or
#: partial_fit cannot change them
BUILT_FROM = (
    "tokenizer",
    "lowercase",
    "min_frequency",
    "max_vocabulary_size",
    "pretrained_embeddings",
    "freeze_embeddings",
    "standardize",
    "embedding_dim",
    "char_embedding_dim",
    "cell",
    "hidden_size",
    "num_layers",
    "bidirectional",
    "bidirectional_merge",
    "dropout",
    "token_dropout",
    "optimizer",
    "pooling",
    "patch_size",
    "conv_filters",
    "class_weight",
    "attention",
    "relative",
)

#: without a held-out part, training stops once its loss has fallen to this share
#: of its first epoch's (see sklstm.callbacks.EarlyStopping): measured on small
#: UCR series sets, where test accuracy was level or falling from there on
#: (FaceFour, FreezerSmallTrain, DiatomSizeReduction) while the later epochs took
#: most of the fit time
TRAINING_LOSS_FLOOR = 0.01
#: early_stopping="auto" holds out a validation part from this many sequences on
AUTO_VALIDATION_SIZE = 1000
#: n_iter_no_change="auto" waits this many optimizer steps without improvement
AUTO_PATIENCE_STEPS = 200
#: batch_size="auto": the first, halved down to the second until an epoch takes
#: two steps at least. Measured on the seven UCR sets of at most 32 training series
#: (3 seeds each), where one batch of all of them, an epoch of one full-batch step,
#: fitted them in fewer, sharper steps: two batches raised five of them
#: (DiatomSizeReduction 0.900 -> 0.932, BME 0.973 -> 0.996, FreezerSmallTrain
#: 0.821 -> 0.834, FaceFour 0.936 -> 0.947, Beef 0.733 -> 0.744; Coffee level;
#: CBF 0.997 -> 0.992). Batches of 16 on larger sets lost (Adiac 0.813 -> 0.780,
#: AllGestureWiimoteX 0.756 -> 0.656, seed 0; there they also made the batches
#: length-sorted, see SMALL_DATA_BATCHES)
AUTO_BATCH_SIZES = (32, 8)

#: reading numeric series in patches, for the estimators with one output per sequence
PATCH_SIZE = hyperparameter(
    default="auto",
    type='int or "auto"',
    doc="Numeric series (without tokens) are read this many consecutive steps at a "
    "time: one LSTM step holds their features side by side, plus the share of real "
    "steps in the patch (a series' last patch is zero-padded, never filled from the "
    'next series). "auto" reads the median training series in about 30 steps, where '
    "LSTMs train well; 1 reads every step.",
    check=or_value("auto", integer(1)),
)

#: a convolutional branch beside the recurrent one, for one output per sequence
CONV_FILTERS = hyperparameter(
    default="auto",
    type='tuple of int, None or "auto"',
    doc="Filters of each block of a convolutional branch that reads the input steps "
    "beside the recurrent layers, as in LSTM-FCN (Karim et al. 2017): 1-D "
    "convolutions of kernel sizes 8, 5, 3, ..., dilated 1, 2, 4, ... (the dilation "
    "doubling per block, as in a temporal convolutional network), each with batch "
    "normalisation over "
    "real steps and a ReLU, averaged over each sequence's real steps and joined "
    "with the recurrent summary before the output layer. Padding never changes its "
    'output. None leaves it out. "auto" is '
    f"{AUTO_BY_INPUT['conv_filters'][0]} for token input and "
    f"{AUTO_BY_INPUT['conv_filters'][1]} for numeric series.",
    check=or_value("auto", _filters),
)

#: the L2 penalty by input kind, for regression (see LSTMRegressor)
WEIGHT_DECAY = hyperparameter(
    default="auto",
    type='float or "auto"',
    doc='L2 penalty passed to the optimizer. "auto" is '
    f"{AUTO_BY_INPUT['weight_decay'][1]} for numeric series, where small "
    "training sets overfit (on targets unrelated to X, 74 series, the test RMSE "
    "ended 1.02-1.03 times the training mean's, against 1.41-1.52 without), and "
    f"{AUTO_BY_INPUT['weight_decay'][0]} for token input, whose embedding rows "
    "a batch does not touch Adam would decay away.",
    check=or_value("auto", real(0)),
)

#: class weights in the loss, for the estimators of exclusive classes
CLASS_WEIGHT = hyperparameter(
    default=None,
    type='None, "balanced" or dict',
    doc="Weights of the classes in the loss, as in scikit-learn; a dict's keys must be "
    "labels of y.",
    check=_class_weight,
)


class SharedHyperparameters(Declared):
    """The hyperparameters every sklstm estimator has."""

    # -- reading the input
    tokenizer: Any = hyperparameter(
        default=None,
        type="None, str or callable",
        doc="How raw strings are split into tokens: None for words and punctuation "
        "marks  "
        '(``r"\\w+|[^\\w\\s]"``), a regular expression whose matches are the tokens, '
        "or a callable from a string to a list of tokens.",
        check=lambda value, name: make_tokenizer(value),
    )
    lowercase: bool = hyperparameter(
        default=False,
        type="bool",
        doc="Lowercase string tokens before building or looking up the vocabulary; the "
        "character-level representation still reads them as written.",
        check=boolean,
    )
    min_frequency: int = hyperparameter(
        default=2,
        type="int",
        doc="Tokens seen fewer times in the training data map to the unknown token, "
        "so that its embedding learns what words unseen in training look like.",
        check=integer(1),
    )
    max_vocabulary_size: Any = hyperparameter(
        default=None,
        type="int or None",
        doc="Keep at most this many of the most frequent tokens.",
        check=integer(1, none=True),
    )
    pretrained_embeddings: Any = hyperparameter(
        default=None,
        type="dict or tuple (array, tokens)",
        doc="Token vectors to start the embedding from: a mapping token -> vector, or "
        "an  ``(n_tokens, dim)`` array with its list of tokens. Their tokens join the "
        "vocabulary, so they are known at predict time even if unseen in training. "
        "With ``lowercase``, they are lowercased too, and of forms that fold together "
        '("The", "the") the one listed first gives the vector.',
        check=_pretrained,
    )
    freeze_embeddings: bool = hyperparameter(
        default=False,
        type="bool",
        doc="Keep the embedding fixed during training.",
        check=boolean,
    )
    standardize: Any = hyperparameter(
        default="auto",
        type='"auto", bool or "per_series"',
        doc="How numeric features are scaled. True: to zero mean and unit variance "
        'per feature over all training steps. "per_series": each series first by '
        "its own mean and standard deviation per feature, which are kept beside "
        "it as constant features of each step, in the units True scales to (so "
        "a small-amplitude series keeps its shape, and the amplitude is still "
        'known). "auto" is "per_series" for '
        f"classifying univariate numeric series (of {MIN_SHAPE_STEPS} steps or "
        "more, the median training series) whose standard deviations span "
        f"more than {AUTO_SCALE_SPREAD:g} times between the 5th and 95th "
        "percentiles of the training series, else True. False: as given.",
        check=or_value("auto", _standardize),
    )
    # -- the network
    embedding_dim: Any = hyperparameter(
        default=None,
        type="int or None",
        doc="Size of token embeddings; None means 64, or the width of "
        "``pretrained_embeddings``.",
        check=integer(1, none=True),
    )
    char_embedding_dim: Any = hyperparameter(
        default="auto",
        type='int or "auto"',
        doc="If > 0, each string token is also read character by character (a char-CNN "
        "of this size, :class:`~sklstm.nn.CharCNN`) and that vector joins its "
        "embedding: words unseen in training still get a representation from their "
        f'spelling. 0 turns it off. "auto" is {AUTO_CHAR_EMBEDDING_DIM} for one '
        "output per step (the tagger) when the tokens are words (strings, not all "
        "of one character), where each word's own label depends on reading it, and "
        "0 otherwise (one output per sequence, integer tokens, single letters, "
        "numeric series).",
        check=or_value("auto", integer(0)),
    )
    cell: str = hyperparameter(
        default="lstm",
        type='{"lstm", "gru"}',
        doc="Recurrent cell type.",
        check=one_of(*CELLS),
    )
    hidden_size: Any = hyperparameter(
        default="auto",
        type='int or "auto"',
        doc='Features of the hidden state, per direction. "auto" is '
        f"{AUTO_HIDDEN_SIZE[1]} beside a convolutional branch (see "
        "``conv_filters``) on series of at least "
        f"{MIN_SHAPE_STEPS} steps (the median training series), as LSTM-FCN's "
        "smallest LSTM: the convolutions lead and a wider LSTM overfits small "
        f"training sets; {AUTO_HIDDEN_SIZE[0]} otherwise. Either doubles past "
        f"each of {' and '.join(f'{n:,}' for n in AUTO_DATA_SIZES)} training "
        "sequences, as more data supports a wider network.",
        check=or_value("auto", integer(1)),
    )
    num_layers: int = hyperparameter(
        default=1, type="int", doc="Stacked recurrent layers.", check=integer(1)
    )
    bidirectional: Any = hyperparameter(
        default="auto",
        type='bool or "auto"',
        doc='Also read each sequence backwards. "auto" is '
        f"{AUTO_BY_INPUT['bidirectional'][0]} for token input and "
        f"{AUTO_BY_INPUT['bidirectional'][1]} for numeric series.",
        check=or_value("auto", boolean),
    )
    bidirectional_merge: str = hyperparameter(
        default="concat",
        type='{"concat", "sum"}',
        doc="How the two directions' outputs are joined.",
        check=one_of(*MERGES),
    )
    dropout: Any = hyperparameter(
        default="auto",
        type='float or "auto"',
        doc="Dropout on the recurrent input, between layers and before the output "
        f'layer. "auto" is {AUTO_BY_INPUT["dropout"][0]} for token input, '
        + ", ".join(
            f"{p} past {n:,}"
            for p, n in zip(AUTO_TOKEN_DROPOUT_PAST, AUTO_DATA_SIZES, strict=True)
        )
        + " training sequences (a large data set regularises the network "
        f"itself), and {AUTO_BY_INPUT['dropout'][1]} for numeric series.",
        check=or_value("auto", real(0, 1, closed="left")),
    )
    token_dropout: float = hyperparameter(
        default=0.0,
        type="float",
        doc="While training, the chance that a token is read as the unknown token "
        "(word dropout): the model learns to use the context of words it has not "
        "seen, and relies less on any single word.",
        check=real(0, 1, closed="left"),
    )
    # -- training
    max_epochs: int = hyperparameter(
        default=1000,
        type="int",
        doc="The most passes over the training data; training stops earlier when "
        "its monitored loss stops improving (see ``tol``).",
        check=integer(1),
    )
    batch_size: Any = hyperparameter(
        default="auto",
        type='int or "auto"',
        doc="Sequences per training batch; prediction uses batches of twice as many. "
        f'"auto" is {AUTO_BATCH_SIZES[0]}, halved (down to {AUTO_BATCH_SIZES[1]}) '
        "while that would hold every training sequence in one batch: an epoch of "
        "one full-batch step fits a few dozen sequences in few, sharp steps.",
        check=or_value("auto", integer(1)),
    )
    lr: float = hyperparameter(
        default=1e-3,
        type="float",
        doc="Learning rate.",
        check=real(0, closed="neither"),
    )
    lr_schedule: str = hyperparameter(
        default="adaptive",
        type='{"adaptive", "constant"}',
        doc='"adaptive" halves the learning rate whenever the figure early stopping '
        "monitors (see ``tol``) has not improved for half of ``n_iter_no_change`` "
        "epochs, as "
        'scikit-learn\'s ``MLPClassifier(learning_rate="adaptive")`` lowers it, so '
        'that training settles before it stops. "constant" keeps ``lr``; so does '
        "a skorch ``LRScheduler`` in ``callbacks``, which replaces it.",
        check=one_of("adaptive", "constant"),
    )
    optimizer: Any = hyperparameter(
        default="adam",
        type='{"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class',
        doc="The optimizer. Given by name, it runs torch's fused kernel where torch "
        "has one (Adam, AdamW and SGD, on CPU and CUDA): one kernel steps every "
        "parameter; a class runs as torch builds it.",
        check=_optimizer,
    )
    weight_decay: float = hyperparameter(
        default=0.0,
        type="float",
        doc="L2 penalty passed to the optimizer.",
        check=real(0),
    )
    gradient_clip: Any = hyperparameter(
        default=None,
        type="float or None",
        doc="Clip the gradient norm to this value.",
        check=real(0, closed="neither", none=True),
    )
    early_stopping: Any = hyperparameter(
        default="auto",
        type='bool or "auto"',
        doc="Hold out ``validation_fraction`` of the data (stratified by class for "
        "the classifier) and stop training by it rather than by the training loss "
        f'(see ``tol``). "auto" does so from {AUTO_VALIDATION_SIZE} training '
        "sequences on, where a held-out part is large enough to judge by.",
        check=or_value("auto", boolean),
    )
    tol: Any = hyperparameter(
        default=1e-4,
        type="float or None",
        doc="Training stops when the monitored figure has not improved by at least "
        "``tol`` for ``n_iter_no_change`` epochs, and keeps the weights of its best "
        "epoch. With early stopping, the figure is the held-out part's accuracy "
        "(classifier, tagger), sample-F1 (multi-label) or loss (regressor, sequence "
        "to sequence); without, the training loss, and training also stops once that "
        f"has fallen to {TRAINING_LOSS_FLOOR:g} times its first epoch's (the network "
        "then fits its training data). None trains all ``max_epochs`` (and, with "
        "early stopping, stops on any fall of the figure).",
        check=real(0, none=True),
    )
    validation_fraction: float = hyperparameter(
        default=0.1,
        type="float",
        doc="Share of the training data held out for early stopping.",
        check=real(0, 1, closed="neither"),
    )
    n_iter_no_change: Any = hyperparameter(
        default="auto",
        type='int or "auto"',
        doc="Epochs without improvement (see ``tol``) before training stops. "
        f'"auto" waits {AUTO_PATIENCE_STEPS} optimizer steps, and at least 3 epochs: '
        "a small data set takes few steps per epoch and many epochs to find its way.",
        check=or_value("auto", integer(1)),
    )
    callbacks: Any = hyperparameter(
        default=None,
        type="list of skorch callbacks or None",
        doc="Extra callbacks for the underlying :class:`skorch.NeuralNet`.",
        check=_optional_list,
    )
    verbose: int = hyperparameter(
        default=0,
        type="int",
        doc="1 prints skorch's table of per-epoch losses; 2 also draws a progress "
        "bar of each epoch's batches, their rate and the time left (tqdm; only "
        "on a terminal).",
        check=integer(0),
    )
    warm_start: bool = hyperparameter(
        default=False,
        type="bool",
        doc="Continue training the fitted network on the next ``fit``, keeping its "
        "vocabulary and targets.",
        check=boolean,
    )
    random_state: Any = hyperparameter(
        default=None,
        type="int, RandomState or None",
        doc="Seeds weight initialisation, shuffling, dropout and the validation split. "
        "The same integer gives the same predictions on CPU.",
        check=_random_state,
    )
    device: Any = hyperparameter(
        default="cpu",
        type='{"cpu", "cuda", "cuda:N", "auto"} or torch.device',
        doc='Where to train; "auto" is CUDA when available. A fitted estimator loads '
        "and predicts on a machine without CUDA.",
        check=lambda value, name: resolve_device(value),
    )
    checkpoint_dir: Any = hyperparameter(
        default=None,
        type="str, path-like or None",
        doc="A directory where ``fit`` saves its state after every epoch, under a key "
        "made of the hyperparameters, the data and the sklstm version. The same fit "
        "run again after a kill resumes after its last complete epoch and ends with "
        "the model an uninterrupted fit gives; the checkpoint is removed when the "
        "fit ends (kept after Ctrl-C, or with ``keep_checkpoint``). See the "
        'README\'s "Long fits: checkpoints and resume".',
        check=_optional_path,
    )
    keep_checkpoint: bool = hyperparameter(
        default=False,
        type="bool",
        doc="Keep the checkpoint of ``checkpoint_dir`` when the fit ends (as the "
        "checkpoints of Keras' ``BackupAndRestore(delete_checkpoint=False)``): the "
        "same fit run again then loads the finished model instead of training.",
        check=boolean,
    )
    distributed: Any = hyperparameter(
        default="auto",
        type='bool or "auto"',
        doc="Train data-parallel on the ranks of a ``torch.distributed`` process "
        "group, each on its share of the batches, every rank passing the same X "
        'and y. "auto": when the script was launched by ``torchrun`` beside other '
        "processes, or a process group is initialised; True: the same, and an "
        "error without one; False: train in this process alone. See the README's "
        '"Training on several processes or machines".',
        check=or_value("auto", boolean),
    )
    precision: str = hyperparameter(
        default="32",
        type='{"32", "bf16"}',
        doc='Arithmetic of training and prediction. "bf16" runs the network under '
        "torch's autocast to bfloat16 (the weights stay float32): faster on CPUs "
        "and GPUs with native bfloat16, at a small cost in accuracy (see the "
        "README's benchmarks); a device without it is refused.",
        check=one_of(*PRECISIONS),
    )
