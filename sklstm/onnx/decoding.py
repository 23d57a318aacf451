"""An encoder-decoder's decoding in numpy, for the light predictor.

An exported :class:`~sklstm.LSTMSeq2Seq` is two graphs: its encoder (the file's
graph: the decoder's initial states and the attention's memory) and one decoder
step (``previous, *states[, memory, mask] -> outputs, *next states``). The loops
of :meth:`sklstm.nn.Seq2SeqModel.generate` around them, greedy and beam search,
are written here again in numpy, step for step, so that the file alone gives the
estimator's outputs. Only numpy: no torch where the light predictor runs.
"""

from functools import cached_property

import numpy as np

from sklstm.onnx.heads import LightHead, log_softmax

__all__ = ["DECODING_HEADS"]


class _Decoding(LightHead):
    """What both kinds of output share: the decoder step, and decoding each
    batch of encoded inputs to its output lengths.

    Its methods take the encoder's outputs per batch, ``(positions in X, input
    lengths, [*states, memory])``, and X's lengths; ``step`` is the decoder step's
    onnxruntime session, set by the predictor.
    """

    decodes = True
    step = None

    def _start(self, lengths, encoded):
        """The decoder's states (a list), memory and mask (None without
        attention) for a batch."""
        if "memory" not in self._inputs:
            return list(encoded), None, None
        memory = encoded[-1]  # after the states
        mask = np.arange(memory.shape[1]) < lengths[:, None]
        return list(encoded[:-1]), memory, mask

    @cached_property
    def _inputs(self):
        """The decoder step's input names: previous, *states[, memory, mask]."""
        return [node.name for node in self.step.get_inputs()]

    def _step(self, previous, states, memory, mask):
        """The decoder step's outputs ``(B, n_outputs)`` and next states."""
        feed = dict(zip(self._inputs, [previous, *states], strict=False))
        if memory is not None:
            feed |= {"memory": memory, "mask": mask}
        outputs, *states = self.step.run(None, feed)
        return outputs, states

    def _max_lengths(self, lengths):
        """Most output steps per sequence, as the estimator decides at predict."""
        fixed = self.state.get("output_length")
        if fixed is None:
            fixed = self.state["max_output_length"]
        if fixed is not None:
            return np.full(len(lengths), fixed)
        ratio = self.state["length_ratio"] * np.asarray(lengths)
        return np.maximum(np.ceil(ratio).astype(np.int64), 1)

    def _decode(self, encoded, lengths):
        """Each sequence's decoded steps (those before its end), in X's order."""
        max_lengths = self._max_lengths(lengths)
        decoded = [None] * len(lengths)
        for batch, input_lengths, outputs in encoded:
            start = self._start(input_lengths, outputs)
            steps, output_lengths = self._generate(*start, max_lengths[batch])
            for position, row, n in zip(batch, steps, output_lengths, strict=True):
                decoded[position] = row[:n]
        return decoded


class _Symbols(_Decoding):
    """Output symbols (:class:`~sklstm.heads.SymbolSequenceHead`): greedy or
    beam-search decoding, and their probabilities under teacher forcing."""

    def predict(self, encoded, lengths):
        return [
            self.classes_[row - self.state["first_symbol"]]
            for row in self._decode(encoded, lengths)
        ]

    def predict_proba(self, encoded, lengths):
        targets = self._decode(encoded, lengths)
        first, n_classes = self.state["first_symbol"], len(self.classes_)
        columns = [*range(first, first + n_classes), self.state["end"]]
        return [
            np.exp(log_proba[:-1, columns])
            for log_proba in self._teacher_forced(encoded, targets)
        ]

    def log_likelihood(self, encoded, lengths, y):
        if len(y) != len(lengths):
            raise ValueError(
                f"y has {len(y)} output sequences; X has {len(lengths)} sequences."
            )
        targets = [self._indices(sequence, i) for i, sequence in enumerate(y)]
        return np.array(
            [
                log_proba[np.arange(len(log_proba)), [*target, self.state["end"]]].sum()
                for log_proba, target in zip(
                    self._teacher_forced(encoded, targets), targets, strict=True
                )
            ]
        )

    def _indices(self, sequence, i):
        """A given output sequence's symbol indices."""
        sequence = np.asarray(sequence)
        if sequence.ndim != 1 or not len(sequence):
            raise ValueError(
                f"y[{i}] is not a non-empty sequence of symbols; every output "
                "sequence needs at least one step."
            )
        unknown = sequence[~np.isin(sequence, self.classes_)]
        if unknown.size:
            raise ValueError(
                f"y[{i}] contains symbols not seen in fit: {unknown.tolist()[:10]}; "
                f"known symbols are {self.classes_.tolist()[:20]}."
            )
        return np.searchsorted(self.classes_, sequence) + self.state["first_symbol"]

    def _teacher_forced(self, encoded, targets):
        """Per sequence, the log-probabilities ``(T_out_i + 1, n_outputs)`` of
        each step of its output ``targets`` (symbol indices, in X's order) and
        of the end after them, given the true previous symbols."""
        pad, end = self.state["pad"], self.state["end"]
        log_probas = [None] * len(targets)
        for batch, input_lengths, outputs in encoded:
            states, memory, mask = self._start(input_lengths, outputs)
            rows = [targets[position] for position in batch]
            steps = max(len(row) for row in rows) + 1  # + 1: the end
            previous = np.full((len(rows), steps), pad, dtype=np.int64)
            previous[:, 0] = end
            for r, row in enumerate(rows):
                previous[r, 1 : len(row) + 1] = row
            logits = []
            for t in range(steps):
                output, states = self._step(previous[:, t], states, memory, mask)
                logits.append(output)
            logits = np.stack(logits, axis=1).astype(np.float64)
            logits[..., pad] = -np.inf  # never an output
            log_proba = log_softmax(logits)
            for position, lp, row in zip(batch, log_proba, rows, strict=True):
                log_probas[position] = lp[: len(row) + 1]
        return log_probas

    def _generate(self, states, memory, mask, max_lengths):
        if self.state["beam_size"] == 1:
            return self._greedy(states, memory, mask, max_lengths)
        return self._beam_search(states, memory, mask, max_lengths)

    def _greedy(self, states, memory, mask, max_lengths):
        pad, end = self.state["pad"], self.state["end"]
        previous = np.full(len(max_lengths), end, dtype=np.int64)
        done = np.zeros(len(max_lengths), dtype=bool)
        symbols = []
        for t in range(int(max_lengths.max()) + 1):  # + 1: the END step
            logits, states = self._step(previous, states, memory, mask)
            logits[:, pad] = -np.inf
            symbol = np.where(t >= max_lengths, end, logits.argmax(axis=-1))
            symbol = np.where(done, pad, symbol)
            symbols.append(symbol)
            done |= symbol == end
            if done.all():
                break
            previous = symbol
        return self._until_end(np.stack(symbols, axis=1))

    def _beam_search(self, states, memory, mask, max_lengths):
        pad, end = self.state["pad"], self.state["end"]
        batch_size, beam_size = len(max_lengths), self.state["beam_size"]
        states = [np.repeat(state, beam_size, axis=1) for state in states]
        if memory is not None:
            memory = np.repeat(memory, beam_size, axis=0)
            mask = np.repeat(mask, beam_size, axis=0)
        limit = max_lengths[:, None]
        # all beams start alike: only the first may extend, or they would duplicate
        scores = np.full((batch_size, beam_size), -np.inf)
        scores[:, 0] = 0.0
        done = np.zeros((batch_size, beam_size), dtype=bool)
        sequences = np.empty((batch_size, beam_size, 0), dtype=np.int64)
        previous = np.full(batch_size * beam_size, end, dtype=np.int64)
        rows = np.arange(batch_size)[:, None]
        for t in range(int(max_lengths.max()) + 1):
            logits, states = self._step(previous, states, memory, mask)
            log_proba = log_softmax(logits).reshape(batch_size, beam_size, -1)
            n_symbols = log_proba.shape[-1]
            log_proba[..., pad] = -np.inf
            # a finished beam extends only by END, at no cost (and is then masked);
            # one at its length limit only by END, at END's cost
            only_end = np.full_like(log_proba, -np.inf)
            only_end[..., end] = np.where(done, 0.0, log_proba[..., end])
            log_proba = np.where((done | (t >= limit))[..., None], only_end, log_proba)
            candidates = (scores[..., None] + log_proba).reshape(batch_size, -1)
            index = np.argsort(-candidates, axis=-1, kind="stable")[:, :beam_size]
            scores = np.take_along_axis(candidates, index, axis=-1)  # best first
            beam, symbol = index // n_symbols, index % n_symbols
            done = done[rows, beam]
            symbol = np.where(done, pad, symbol)
            sequences = np.concatenate(
                [sequences[rows, beam], symbol[..., None]], axis=-1
            )
            done |= symbol == end
            if done.all():
                break
            states = [state[:, (beam + rows * beam_size).ravel()] for state in states]
            previous = symbol.ravel()
        return self._until_end(sequences[:, 0])

    def _until_end(self, symbols):
        """``(symbols, lengths)``: each row's symbols before its first END."""
        ends = symbols == self.state["end"]
        return symbols, np.where(
            ends.any(axis=1), ends.argmax(axis=1), symbols.shape[1]
        )


class _ValueSequences(_Decoding):
    """Real-valued output steps (:class:`~sklstm.heads.ValueSequenceHead`),
    each fed back as the next step's input, scaled back to y's units."""

    def predict(self, encoded, lengths):
        mean, scale = np.asarray(self.state["mean"]), np.asarray(self.state["scale"])
        outputs = []
        for steps in self._decode(encoded, lengths):
            values = steps.astype(np.float64) * scale + mean
            outputs.append(values[:, 0] if self.state["one_dimensional"] else values)
        return outputs

    def _generate(self, states, memory, mask, max_lengths):
        # real values of one training length (a horizon) always take that length
        exact = self.state["output_length"] is not None
        batch_size = len(max_lengths)
        previous = np.zeros((batch_size, len(self.state["mean"]) + 1), np.float32)
        previous[:, -1] = 1.0  # the "start" flag
        done = np.zeros(batch_size, dtype=bool)
        output_lengths = max_lengths.copy()
        values = []
        for t in range(int(max_lengths.max())):
            output, states = self._step(previous, states, memory, mask)
            values.append(output[:, :-1])
            ends = t + 1 >= max_lengths
            if not exact:
                ends |= output[:, -1] > 0  # "ends here" more likely than not
            output_lengths = np.where(ends & ~done, t + 1, output_lengths)
            done |= ends
            if done.all():
                break
            previous = np.concatenate(
                [output[:, :-1], np.zeros_like(output[:, -1:])], 1
            )
        return np.stack(values, axis=1), output_lengths


#: the twin of each exported encoder-decoder head's ``kind``
DECODING_HEADS = {"symbol_sequences": _Symbols, "value_sequences": _ValueSequences}
