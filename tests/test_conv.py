"""The convolutional branch: exact under padding and patching, against references."""

import warnings

import numpy as np
import pytest
import torch
from torch import nn

from sklstm.data.inputs import _patch
from sklstm.nn import SequenceModel
from sklstm.nn.conv import ConvBranch, MaskedBatchNorm1d, unpatch


def _padded(sequences):
    """Right-padded ``(B, T, F)`` float tensor and lengths of (T_i, F) arrays."""
    lengths = torch.tensor([len(s) for s in sequences])
    batch = torch.zeros(len(sequences), int(lengths.max()), sequences[0].shape[1])
    for i, s in enumerate(sequences):
        batch[i, : len(s)] = torch.as_tensor(s, dtype=torch.float32)
    return batch, lengths


def _trained(model, *batches):
    """``model`` after a few training-mode passes (running statistics move), in
    evaluation mode."""
    with torch.no_grad():
        for args, kwargs in batches:
            model.train()(*args, **kwargs)
    return model.eval()


@pytest.mark.parametrize("patch_size", [1, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_and_patching_never_change_outputs(patch_size, bidirectional):
    """A series' output alone equals its output in a padded batch, patched or not."""
    rng = np.random.RandomState(0)
    series = [rng.randn(n, 2) for n in (11, 4, 1, 7, 11)]
    patched = [_patch(s, patch_size) if patch_size > 1 else s for s in series]
    features, lengths = _padded(patched)
    model = SequenceModel(
        output_size=3,
        n_features=features.shape[-1],
        hidden_size=5,
        bidirectional=bidirectional,
        conv_filters=(4, 6, 5),
        patch_size=patch_size,
        dropout=0.3,
    )
    model = _trained(model, ((lengths,), {"features": features}))
    batch = model(lengths, features=features)
    for i, n in enumerate(lengths.tolist()):
        alone = model(lengths[i : i + 1], features=features[i : i + 1, :n])
        torch.testing.assert_close(alone[0], batch[i], atol=1e-5, rtol=0)


def test_branch_by_hand():
    """ConvBranch on one sequence equals torch's Conv1d ("same" padding, the
    dilation doubling per block), an evaluation-mode BatchNorm1d and ReLU per
    block, then the mean over steps."""
    torch.manual_seed(0)
    branch = ConvBranch(2, filters=(3, 4, 2), kernel_sizes=(4, 3, 4))
    x = torch.randn(1, 9, 2)
    _trained(branch, ((x, torch.ones(1, 9, dtype=torch.bool)), {}))
    expected = x.transpose(1, 2)
    for block, (convolution, norm) in enumerate(
        zip(branch.convolutions, branch.norms, strict=True)
    ):
        out_channels, in_channels, size = convolution.weight.shape
        reference = nn.Conv1d(
            in_channels, out_channels, size, dilation=2**block, padding="same"
        )
        reference.weight.data = convolution.weight.data
        reference.bias.data = convolution.bias.data
        torch_norm = nn.BatchNorm1d(norm.num_features).eval()
        torch_norm.load_state_dict(norm.state_dict())
        with warnings.catch_warnings():  # torch's own, on even kernels
            warnings.simplefilter("ignore")
            expected = torch.relu(torch_norm(reference(expected)))
    torch.testing.assert_close(
        branch(x, torch.ones(1, 9, dtype=torch.bool)), expected.mean(dim=2)
    )


def test_training_statistics_count_real_steps_only():
    """Training batch normalisation over a padded batch equals torch's
    BatchNorm1d over the real steps alone, outputs and running statistics."""
    torch.manual_seed(0)
    lengths = torch.tensor([5, 2, 3])
    x = torch.randn(3, 4, 5)
    mask = torch.arange(5) < lengths[:, None]
    ours, theirs = MaskedBatchNorm1d(4), nn.BatchNorm1d(4)
    output = ours(x, mask)
    real = torch.cat([x[i, :, :n] for i, n in enumerate(lengths)], dim=1)
    expected = theirs(real[None])[0]  # (C, real steps): one "sequence" of them
    got = torch.cat([output[i, :, :n] for i, n in enumerate(lengths)], dim=1)
    torch.testing.assert_close(got, expected)
    assert not output[~mask[:, None].expand_as(output)].any()  # padding is zero
    torch.testing.assert_close(ours.running_mean, theirs.running_mean)
    torch.testing.assert_close(ours.running_var, theirs.running_var)


def test_unpatch_restores_the_steps():
    """unpatch gives back each series' standardised steps and exactly its length."""
    rng = np.random.RandomState(1)
    series = [rng.randn(n, 3) for n in (10, 4, 7, 1)]
    features, lengths = _padded([_patch(s, 4) for s in series])
    steps, mask = unpatch(features, lengths, 4)
    assert mask.sum(dim=1).tolist() == [10, 4, 7, 1]
    for i, s in enumerate(series):
        np.testing.assert_allclose(steps[i, : len(s)].numpy(), s, rtol=1e-6)
