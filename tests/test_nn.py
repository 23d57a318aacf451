"""The torch modules: exactness under padding, against independent references."""

import itertools

import pytest
import torch
from torch import nn

from sklstm.nn import POOLINGS, Recurrent, SequenceModel, SequencePooling

GRID = list(
    itertools.product(
        [*POOLINGS, None], [False, True], ["lstm", "gru"], [1, 2], ["concat", "sum"]
    )
)


@pytest.mark.parametrize("pooling, bidirectional, cell, num_layers, merge", GRID)
def test_padding_never_changes_outputs(pooling, bidirectional, cell, num_layers, merge):
    """A sequence's output alone equals its output in a padded batch (|diff|<1e-5)."""
    model = SequenceModel(
        output_size=3,
        vocab_size=30,
        embedding_dim=6,
        n_features=2,
        hidden_size=5,
        num_layers=num_layers,
        cell=cell,
        bidirectional=bidirectional,
        pooling=pooling,
        bidirectional_merge=merge,
        dropout=0.3,
    ).eval()
    lengths = torch.tensor([9, 4, 1, 6, 9])
    tokens = torch.randint(2, 30, (5, 9))
    features = torch.randn(5, 9, 2)
    batch = model(lengths, tokens=tokens, features=features)
    for i, n in enumerate(lengths.tolist()):
        alone = model(
            lengths[i : i + 1],
            tokens=tokens[i : i + 1, :n],
            features=features[i : i + 1, :n],
        )[0]
        expected = batch[i, :n] if pooling is None else batch[i]
        torch.testing.assert_close(alone, expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_stack_matches_packed_torch_rnn(cell, bidirectional):
    """Recurrent equals torch's own 2-layer RNN on packed sequences: the outputs
    at real steps, and with ``return_states`` (the encoder-decoder's packed run)
    the final states too."""
    ours = Recurrent(4, 5, 2, bidirectional, cell).eval()
    reference = getattr(nn, cell.upper())(
        4, 5, num_layers=2, bidirectional=bidirectional, batch_first=True
    )
    reference.load_state_dict(
        {
            name.replace("_l0", f"_l{layer}") + suffix: value
            for layer in range(2)
            for direction, suffix in enumerate(["", "_reverse"][: 1 + bidirectional])
            for name, value in ours.layers[layer][direction].state_dict().items()
        }
    )
    lengths = torch.tensor([7, 3, 1, 5])
    x = torch.randn(4, 7, 4)
    packed = nn.utils.rnn.pack_padded_sequence(
        x, lengths, batch_first=True, enforce_sorted=False
    )
    output, final = reference(packed)
    expected, _ = nn.utils.rnn.pad_packed_sequence(output, batch_first=True)
    real = torch.arange(7) < lengths[:, None]
    torch.testing.assert_close(ours(x, lengths).flatten(-2)[real], expected[real])
    outputs, states = ours(x, lengths, return_states=True)
    torch.testing.assert_close(outputs.flatten(-2)[real], expected[real])
    final = final if isinstance(final, tuple) else (final,)
    assert len(states) == len(final)
    for state, reference_state in zip(states, final, strict=True):
        # torch's (num_layers * num_directions, B, H) against ours per layer
        torch.testing.assert_close(state.flatten(0, 1), reference_state)


def test_last_pooling_is_final_hidden_state():
    """'last' equals h_n of torch's bidirectional LSTM run on each sequence alone."""
    recurrent = Recurrent(3, 4, bidirectional=True).eval()
    reference = nn.LSTM(3, 4, bidirectional=True, batch_first=True)
    reference.load_state_dict(
        {
            name + suffix: value
            for direction, suffix in enumerate(["", "_reverse"])
            for name, value in recurrent.layers[0][direction].state_dict().items()
        }
    )
    pooling = SequencePooling("last", 4, 2)
    lengths = torch.tensor([6, 2])
    x = torch.randn(2, 6, 3)
    summary = pooling(recurrent(x, lengths), lengths)
    for i, n in enumerate(lengths.tolist()):
        h_n = reference(x[i : i + 1, :n])[1][0]  # (directions, 1, hidden)
        torch.testing.assert_close(summary[i], h_n[:, 0].flatten())


def test_mean_and_max_pooling_by_hand():
    """mean/max over real steps only, and sum-merging of the two directions."""
    outputs = torch.arange(24.0).view(1, 3, 2, 4)  # (B, T, D, H)
    lengths = torch.tensor([2])
    mean = SequencePooling("mean", 4, 2, "sum")(outputs, lengths)
    assert mean.tolist() == [
        [
            (0 + 4 + 8 + 12) / 2,
            (1 + 5 + 9 + 13) / 2,
            (2 + 6 + 10 + 14) / 2,
            (3 + 7 + 11 + 15) / 2,
        ]
    ]
    top = SequencePooling("max", 4, 2)(outputs, lengths)
    assert top.tolist() == [[8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0]]


def test_attention_weights_ignore_padding():
    """Attention puts no weight on padding, even where padding holds huge values."""
    pooling = SequencePooling("attention", 2, 1)
    outputs = torch.tensor([[[[1.0, 2.0]], [[1.0, 2.0]], [[1e6, 1e6]]]])
    assert pooling(outputs, torch.tensor([2])).tolist() == [[1.0, 2.0]]


def test_frozen_pretrained_embeddings():
    """load_embeddings copies the vectors and freezing stops their gradient."""
    model = SequenceModel(output_size=2, vocab_size=4, embedding_dim=3)
    weights = torch.arange(12.0).view(4, 3)
    model.load_embeddings(weights, freeze=True)
    assert torch.equal(model.embedding.weight, weights)
    assert not model.embedding.weight.requires_grad


def test_token_dropout_reads_tokens_as_unknown_only_in_training():
    """Dropped tokens embed as row 1 (unknown); padding stays; eval drops nothing."""
    torch.manual_seed(0)
    model = SequenceModel(
        output_size=2, vocab_size=6, embedding_dim=3, hidden_size=4, token_dropout=1.0
    )
    tokens = torch.tensor([[2, 3, 4], [5, 0, 0]])
    unknown = torch.tensor([[1, 1, 1], [1, 0, 0]])
    lengths = torch.tensor([3, 1])
    model.train()
    torch.testing.assert_close(
        model(lengths, tokens=tokens), model(lengths, tokens=unknown)
    )
    model.eval()
    assert not torch.allclose(
        model(lengths, tokens=tokens), model(lengths, tokens=unknown)
    )


def test_char_cnn_ignores_character_padding():
    """A word's character vector is the same however far its characters are padded."""
    from sklstm.nn import CharCNN

    cnn = CharCNN(n_chars=12, embedding_dim=6)
    word = torch.tensor([[[3, 7, 5]]])
    padded = torch.tensor([[[3, 7, 5, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0]]])
    out = cnn(padded)
    torch.testing.assert_close(out[0, 0], cnn(word)[0, 0])
    assert out[0, 1].abs().sum() == 0  # a padding token has no characters


def test_char_cnn_by_hand():
    """The char vector is relu(max over the word of a width-3 convolution)."""
    from sklstm.nn import CharCNN

    cnn = CharCNN(n_chars=5, embedding_dim=2)
    chars = torch.tensor([[[2, 4]]])
    emb = cnn.embedding.weight[chars[0, 0]]  # (2 chars, 2 dims)
    padded = torch.cat([torch.zeros(1, 2), emb, torch.zeros(1, 2)])  # conv padding
    w, b = cnn.conv.weight, cnn.conv.bias  # (out, in, 3)
    conv = torch.stack(
        [(w * padded[i : i + 3].T).sum(dim=(1, 2)) + b for i in range(2)]
    )
    torch.testing.assert_close(cnn(chars)[0, 0], torch.relu(conv.amax(dim=0)))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_stacked_run_matches_torchs_multi_layer_rnn(cell):
    """run_stacked without dropout gives torch's own multi-layer LSTM/GRU outputs
    and final states, in training and evaluation mode."""
    from sklstm.nn.recurrent import CELLS, run_stacked
    from sklstm.rng import Dropout

    torch.manual_seed(0)
    rnn = CELLS[cell](3, 5, num_layers=3, batch_first=True)
    x = torch.randn(4, 6, 3)
    states = tuple(torch.randn(3, 4, 5) for _ in range(2 if cell == "lstm" else 1))
    for training in (True, False):
        rnn.train(training)
        expected, final = rnn(x, states if cell == "lstm" else states[0])
        final = final if isinstance(final, tuple) else (final,)
        outputs, ours = run_stacked(rnn, x, states, Dropout(0.0))
        torch.testing.assert_close(outputs, expected)
        for mine, theirs in zip(ours, final, strict=True):
            torch.testing.assert_close(mine, theirs)
