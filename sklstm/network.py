"""Building an estimator's network: the torch module's parameters, from the
fitted input encoder, the head and the resolved settings (:mod:`sklstm.settings`),
and the skorch net around it."""

import inspect

import numpy as np
import torch

from sklstm.net import SequenceNet
from sklstm.shared import OPTIMIZERS

__all__ = ["build_net", "encoder_params", "sequence_model_params"]


def build_net(estimator, targets, device, pretrained):
    """The estimator's skorch net, initialised: its ``_module`` built from
    ``_module_params``, its head's loss weighted by ``class_weight``, and the
    ``pretrained`` vectors (``(tokens, vectors)`` or None) in its embedding."""
    loss_weights = estimator.head_.loss_weights(
        getattr(estimator, "class_weight", None), targets
    )
    net = SequenceNet(
        estimator._module,
        estimator.head_,
        optimizer=OPTIMIZERS.get(estimator.optimizer, estimator.optimizer),
        **_fused(estimator.optimizer, device),
        device=device,
        criterion__reduction="none",  # SequenceNet.get_loss averages
        **{
            f"criterion__{name}": torch.as_tensor(value, dtype=torch.float32)
            for name, value in loss_weights.items()
        },
        **{
            f"module__{name}": value
            for name, value in estimator._module_params(pretrained).items()
        },
    ).initialize()
    if pretrained is not None:
        tokens, vectors = pretrained
        rows, first = np.unique(
            estimator.input_encoder_.embedding_rows(tokens), return_index=True
        )
        # of tokens that fold to one row ("The", "the"), the vector listed
        # first: vector files list a word's most frequent form first
        weights = net.module_.embedding.weight.detach().clone()
        weights[rows] = torch.as_tensor(vectors[first], device=weights.device)
        net.module_.load_embeddings(weights, freeze=estimator.freeze_embeddings)
    return net


def _fused(optimizer, device):
    """``optimizer__fused=True`` where the optimizer is given by name and torch has
    a fused kernel for it on ``device``: one kernel steps every parameter, instead
    of a handful of small operations per tensor (Adam's step on an
    encoder-decoder's 21 tensors took 0.26 ms rather than 0.82 ms on 2 CPU
    threads, about 5% of a training step; the result differs by rounding only).
    An optimizer class given by the user runs as torch builds it."""
    if optimizer not in OPTIMIZERS or torch.device(device).type not in ("cpu", "cuda"):
        return {}
    accepts = "fused" in inspect.signature(OPTIMIZERS[optimizer]).parameters
    return {"optimizer__fused": True} if accepts else {}


def sequence_model_params(estimator, pretrained):
    """Keyword arguments of :class:`~sklstm.nn.SequenceModel`, from the data and
    the resolved settings."""
    return {
        **encoder_params(estimator, pretrained),
        "output_size": estimator.head_.n_outputs,
        "pooling": getattr(estimator, "pooling_", None),
        "bidirectional_merge": estimator.bidirectional_merge,
        "conv_filters": getattr(estimator, "conv_filters_", None),
        "patch_size": getattr(estimator, "patch_size_", 1),
    }


#: the standard deviation token embeddings start from where the estimator has one
#: output per sequence (torch's 1 where it has one per step), about what Keras'
#: start from (uniform in +-0.05): near zero, as a linear model's weights, so that
#: a rare word's vector is what training put there, not noise as large as the
#: learned vectors, which Adam's steps of about ``lr`` barely move. Measured with 3
#: seeds each: SST-2 0.787 -> 0.803, MR 0.761 -> 0.767, SST-5 0.385 -> 0.396, in
#: half the epochs (0.1: 0.796, 0.762; 0.3: 0.800, 0.762). Tagging lost with it
#: (EWT 0.939 -> 0.929, seed 0): a tag reads each word's identity, which random
#: vectors give from the first step
SEQUENCE_EMBEDDING_STD = 0.03


def encoder_params(estimator, pretrained):
    """Keyword arguments of :class:`~sklstm.nn.SequenceEncoder`."""
    encoder = estimator.input_encoder_
    embedding_dim = estimator.embedding_dim
    if pretrained is not None:
        width = pretrained[1].shape[1]
        if embedding_dim not in (None, width):
            raise ValueError(
                f"embedding_dim={embedding_dim} differs from the width {width} of "
                "pretrained_embeddings; leave embedding_dim=None to use it."
            )
        embedding_dim = width
    return {
        "vocab_size": len(encoder.vocabulary_) if encoder.vocabulary_ else 0,
        "embedding_dim": embedding_dim or 64,
        "n_features": encoder.n_step_features_,
        "n_chars": len(encoder.char_vocabulary_ or ()),
        "char_embedding_dim": estimator.char_embedding_dim_,
        "cell": estimator.cell,
        "hidden_size": estimator.hidden_size_,
        "num_layers": estimator.num_layers,
        "bidirectional": estimator.bidirectional_,
        "dropout": estimator.dropout_,
        "token_dropout": estimator.token_dropout,
        "embedding_std": 1.0
        if estimator.head_.step_outputs
        else SEQUENCE_EMBEDDING_STD,
    }
