"""An encoder-decoder: the encoder's final states start a decoder LSTM/GRU."""

import torch
from torch import nn

from sklstm.nn.model import SequenceEncoder
from sklstm.nn.pooling import step_mask
from sklstm.nn.recurrent import CELLS, run_stacked

__all__ = ["END", "PAD", "Seq2SeqModel"]

#: output symbol index of padding, and of the boundary symbol that starts the
#: decoder and ends every output sequence; the user's symbols follow
PAD, END = 0, 1
ATTENTIONS = ("dot", "general")


class Seq2SeqModel(SequenceEncoder):
    """:class:`SequenceEncoder` -> decoder LSTM/GRU, with optional attention.

    The decoder has the encoder's cell, size and number of layers, and starts from
    the encoder's final states, layer by layer: each sequence's states after its
    own last step (padding never reaches them). A bidirectional encoder's two
    directions are joined by ``bidirectional_merge``: by default concatenated and
    projected onto the decoder's size by a learned linear layer (``bridge``), so
    both directions' summaries reach the decoder and the projection learns how to
    mix them; ``"sum"`` adds them, weighing them alike.

    With ``attention``, each decoder step also reads a weighted mean of the
    encoder's outputs (projected by the same bridge), masked to real steps, in the
    style of Luong et al. (2015) without input feeding: scores are the decoder
    output's dot product with each encoder step (``"dot"``), or with a learned
    linear map of it (``"general"``), and the output layer reads
    ``tanh(W [context; decoder output])``. A final state summarises the whole
    input in one vector; attention lets every output step look back at the steps
    it needs, which matters for long inputs.

    Training runs the decoder over the true previous outputs at once (teacher
    forcing, :meth:`forward`); :meth:`generate` feeds back its own predictions.

    Parameters
    ----------
    output_size : int
        For symbol outputs, the symbols including padding (0) and the boundary
        symbol (1); for real-valued outputs, the values per step.
    values : bool, default=False
        Real-valued output steps (with an extra "ends here" logit per step)
        rather than symbols.
    attention : {None, "dot", "general"}, default=None
    bidirectional_merge : {"concat", "sum"}, default="concat"
    **encoder
        The :class:`SequenceEncoder`'s parameters; ``embedding_dim`` also sizes the
        output symbols' embedding, ``dropout`` also applies to the decoder.

    Examples
    --------
    >>> model = Seq2SeqModel(output_size=6, vocab_size=10, embedding_dim=4,
    ...                      hidden_size=5, bidirectional=True, attention="dot")
    >>> tokens, lengths = torch.tensor([[2, 3, 4], [5, 0, 0]]), torch.tensor([3, 1])
    >>> targets = torch.tensor([[2, 3, 1], [4, 1, -100]])
    >>> model(lengths, tokens=tokens, targets=targets).shape
    torch.Size([2, 3, 6])
    >>> outputs, output_lengths = model.generate(
    ...     lengths, max_lengths=torch.tensor([4, 2]), tokens=tokens, beam_size=2)
    >>> outputs.shape[0], output_lengths.shape
    (2, torch.Size([2]))
    """

    def __init__(
        self,
        *,
        output_size,
        values=False,
        attention=None,
        bidirectional_merge="concat",
        **encoder,
    ):
        super().__init__(**encoder)
        hidden_size = self.recurrent.hidden_size
        directions = self.recurrent.num_directions
        self.values = values
        if values:
            self.target_embedding = None
            input_size = output_size + 1  # the previous values and a "start" flag
        else:
            input_size = self.embedding_dim
            self.target_embedding = nn.Embedding(
                output_size, input_size, padding_idx=PAD
            )
        self.bridge = (
            nn.Linear(directions * hidden_size, hidden_size)
            if directions > 1 and bidirectional_merge == "concat"
            else None
        )
        # dropout between the decoder's layers is applied in _decode, from the
        # fit's own generator, not by torch's module
        self.decoder = CELLS[self.recurrent.cell](
            input_size, hidden_size, len(self.recurrent.layers), batch_first=True
        )
        self.attention = attention
        self.score = (
            nn.Linear(hidden_size, hidden_size, bias=False)
            if attention == "general"
            else None
        )
        self.combine = nn.Linear(2 * hidden_size, hidden_size) if attention else None
        self.out = nn.Linear(hidden_size, output_size + 1 if values else output_size)

    # -- encoder to decoder --------------------------------------------------

    def start(self, lengths, tokens=None, features=None, chars=None):
        """The decoder's initial states (a tuple of ``(num_layers, B, H)``), and
        the attention's memory ``(B, T, H)`` (None without attention) and mask
        ``(B, T)``: the encoder half of :meth:`generate`, exported as a graph of
        its own (:mod:`sklstm.onnx`)."""
        outputs, states = self.encode(
            lengths, tokens, features, chars, return_states=True
        )
        # states (num_layers, D, B, H) -> (num_layers, B, D, H), like the outputs
        states = [state.transpose(1, 2) for state in states]
        memory = self._merge(outputs) if self.attention else None
        states = tuple(self._merge(state) for state in states)
        return states, memory, step_mask(lengths, outputs.size(1))

    def _merge(self, directions):
        """``(..., D, H)`` -> ``(..., H)``: the decoder's size."""
        if self.bridge is not None:
            return self.bridge(directions.flatten(-2))
        return directions.sum(dim=-2)  # one direction, or "sum"

    def _decode(self, inputs, states):
        """Run the decoder over ``(B, T, input)`` from ``states`` (a tuple)."""
        if self.training and self.dropout.p and self.decoder.num_layers > 1:
            return run_stacked(self.decoder, inputs, states, self.dropout)
        outputs, states = self.decoder(
            inputs, states if len(states) == 2 else states[0]
        )
        return outputs, states if isinstance(states, tuple) else (states,)

    def _output(self, decoded, memory, mask):
        """Output-layer values for decoder outputs ``(B, T, H)``."""
        decoded = self.dropout(decoded)
        if self.attention:
            query = decoded if self.score is None else self.score(decoded)
            scores = query @ memory.transpose(1, 2)  # (B, T_out, T_in)
            scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
            context = torch.softmax(scores, dim=-1) @ memory
            decoded = self.dropout(
                torch.tanh(self.combine(torch.cat([context, decoded], dim=-1)))
            )
        return self.out(decoded)

    def _embed(self, previous):
        """Decoder inputs from the previous output steps."""
        if self.values:
            return previous
        return self.dropout(self.target_embedding(previous))

    def _first_input(self, batch_size, device):
        """The decoder's first input: the boundary symbol, or the "start" flag."""
        if not self.values:
            return torch.full((batch_size,), END, device=device)
        first = torch.zeros(batch_size, self.out.out_features, device=device)
        first[:, -1] = 1.0
        return first

    # -- training: teacher forcing ---------------------------------------------

    def forward(self, lengths, tokens=None, features=None, chars=None, targets=None):
        """Outputs for each true output step given the true previous ones.

        ``targets`` are the output sequences, padded: symbols ``(B, T_out)``
        ending with ``END`` and padded with any negative index, or values
        ``(B, T_out, output_size + 1)`` (the last column flags each sequence's
        last step) padded with NaN. Returns ``(B, T_out, output_size)`` logits or
        ``(B, T_out, output_size + 1)`` values and "ends here" logits.
        """
        states, memory, mask = self.start(lengths, tokens, features, chars)
        first = self._first_input(len(lengths), lengths.device)[:, None]
        if self.values:
            previous = targets[:, :-1].nan_to_num(0.0)
            previous[..., -1] = 0.0  # the flag column marks the first step only
        else:
            previous = targets[:, :-1].clamp(min=PAD)  # padding labels -> PAD
        inputs = self._embed(torch.cat([first, previous], dim=1))
        decoded, _ = self._decode(inputs, states)
        return self._output(decoded, memory, mask)

    # -- prediction: feeding back its own outputs -------------------------------

    def step(self, previous, states, memory, mask):
        """One decoder step from the previous outputs ``(B,)`` (symbols) or ``(B,
        output_size + 1)`` (values): its output-layer values and the next states.
        What :meth:`generate` loops over, exported as a graph of its own."""
        decoded, states = self._decode(self._embed(previous)[:, None], states)
        return self._output(decoded, memory, mask)[:, 0], states

    @torch.no_grad()
    def generate(
        self,
        lengths,
        max_lengths,
        tokens=None,
        features=None,
        chars=None,
        beam_size=1,
        exact_lengths=False,
    ):
        """Decode a batch, all sequences stepping together.

        Parameters
        ----------
        lengths : tensor of shape (B,)
            Input lengths; ``tokens``, ``features``, ``chars`` as for :meth:`forward`.
        max_lengths : tensor of shape (B,)
            Most output steps of each sequence (symbols before ``END``): a sequence
            still running there ends.
        beam_size : int, default=1
            Symbol outputs: 1 decodes greedily, more runs a beam search, batched
            over sequences and beams, for the most likely output.
        exact_lengths : bool, default=False
            Real-valued outputs: emit exactly ``max_lengths`` steps, ignoring the
            "ends here" logits.

        Returns
        -------
        outputs : tensor of shape (B, T_out) or (B, T_out, output_size)
            Symbols (padded with ``PAD`` past each one's ``END``) or values.
        output_lengths : tensor of shape (B,)
            Output steps of each sequence (symbols before ``END``).
        """
        start = self.start(lengths, tokens, features, chars)
        if self.values:
            return self._greedy_values(*start, max_lengths, exact_lengths)
        if beam_size == 1:
            return self._greedy_symbols(*start, max_lengths)
        return self._beam_search(*start, max_lengths, beam_size)

    def _greedy_symbols(self, states, memory, mask, max_lengths):
        batch_size = len(max_lengths)
        previous = self._first_input(batch_size, max_lengths.device)
        done = torch.zeros(batch_size, dtype=torch.bool, device=max_lengths.device)
        symbols = []
        for t in range(int(max_lengths.max()) + 1):  # + 1: the END step
            logits, states = self.step(previous, states, memory, mask)
            logits[:, PAD] = float("-inf")
            symbol = logits.argmax(dim=-1)
            symbol = symbol.masked_fill(t >= max_lengths, END).masked_fill(done, PAD)
            symbols.append(symbol)
            done |= symbol == END
            if done.all():
                break
            previous = symbol
        return _until_end(torch.stack(symbols, dim=1))

    def _beam_search(self, states, memory, mask, max_lengths, beam_size):
        batch_size, n_symbols = len(max_lengths), self.out.out_features
        device = max_lengths.device
        states = tuple(state.repeat_interleave(beam_size, dim=1) for state in states)
        if memory is not None:
            memory = memory.repeat_interleave(beam_size, dim=0)
        mask = mask.repeat_interleave(beam_size, dim=0)
        limit = max_lengths[:, None]
        # all beams start alike: only the first may extend, or they would duplicate
        scores = torch.full((batch_size, beam_size), float("-inf"), device=device)
        scores[:, 0] = 0.0
        done = torch.zeros(batch_size, beam_size, dtype=torch.bool, device=device)
        sequences = torch.empty(
            batch_size, beam_size, 0, dtype=torch.long, device=device
        )
        previous = self._first_input(batch_size * beam_size, device)
        rows = torch.arange(batch_size, device=device)[:, None] * beam_size
        for t in range(int(max_lengths.max()) + 1):
            logits, states = self.step(previous, states, memory, mask)
            log_proba = torch.log_softmax(logits, dim=-1).view(
                batch_size, beam_size, -1
            )
            log_proba[..., PAD] = float("-inf")
            # a finished beam extends only by END, at no cost (and is then masked);
            # one at its length limit only by END, at END's cost
            only_end = torch.full_like(log_proba, float("-inf"))
            only_end[..., END] = log_proba[..., END].masked_fill(done, 0.0)
            log_proba = torch.where(
                (done | (t >= limit))[..., None], only_end, log_proba
            )
            candidates = (scores[..., None] + log_proba).view(batch_size, -1)
            scores, index = candidates.topk(beam_size, dim=-1)  # best first
            beam, symbol = index // n_symbols, index % n_symbols
            done = done.gather(1, beam)
            symbol = symbol.masked_fill(done, PAD)
            sequences = torch.cat(
                [
                    sequences.gather(1, beam[..., None].expand(-1, -1, t)),
                    symbol[..., None],
                ],
                dim=-1,
            )
            done |= symbol == END
            if done.all():
                break
            states = tuple(state[:, (beam + rows).view(-1)] for state in states)
            previous = symbol.view(-1)
        return _until_end(sequences[:, 0])

    def _greedy_values(self, states, memory, mask, max_lengths, exact_lengths):
        batch_size = len(max_lengths)
        previous = self._first_input(batch_size, max_lengths.device)
        done = torch.zeros(batch_size, dtype=torch.bool, device=max_lengths.device)
        output_lengths = max_lengths.clone()
        values = []
        for t in range(int(max_lengths.max())):
            output, states = self.step(previous, states, memory, mask)
            values.append(output[:, :-1])
            ends = t + 1 >= max_lengths
            if not exact_lengths:
                ends |= output[:, -1] > 0  # "ends here" more likely than not
            output_lengths = torch.where(ends & ~done, t + 1, output_lengths)
            done |= ends
            if done.all():
                break
            previous = torch.cat([output[:, :-1], torch.zeros_like(output[:, -1:])], 1)
        return torch.stack(values, dim=1), output_lengths


def _until_end(symbols):
    """``(symbols, lengths)``: each row's symbols before its first ``END``."""
    ends = symbols == END
    lengths = torch.where(ends.any(dim=1), ends.int().argmax(dim=1), symbols.size(1))
    return symbols, lengths
