"""Saving fitted estimators: pickle/joblib, or skops for files you do not trust.

A fitted sklstm estimator pickles as plain data: hyperparameters, vocabulary,
scalers, label encoders and the network's weights as numpy arrays (see
:class:`~sklstm.net.SequenceNet`). So ``pickle``/``joblib`` files load on any
machine, a CUDA-trained model on a CPU-only laptop included.

Loading a pickle can run arbitrary code, so only load pickles you made yourself.
For a model from elsewhere use `skops <https://skops.readthedocs.io>`_, which loads
only the types you trust and runs no code::

    import skops.io as sio
    from sklstm.persistence import SKOPS_TRUSTED_TYPES

    sio.dump(estimator, "model.skops")
    estimator = sio.load("model.skops", trusted=SKOPS_TRUSTED_TYPES)

``SKOPS_TRUSTED_TYPES`` lists the types a fitted sklstm estimator is made of.
Custom ``callbacks`` or ``tokenizer`` callables add their own types: check
``skops.io.get_untrusted_types(file=...)`` before trusting them.
"""

__all__ = ["SKOPS_TRUSTED_TYPES"]

SKOPS_TRUSTED_TYPES = [
    "functools.partial",  # skorch's optimizer setters
    "sklstm.classifier.LSTMClassifier",
    "sklstm.data.batching.bucket_loader",
    "sklstm.data.inputs.InputEncoder",
    "sklstm.data.tokenize.RegexTokenizer",
    "sklstm.data.vocabulary.Vocabulary",
    "sklstm.heads.ClassHead",
    "sklstm.heads.LabelSetHead",
    "sklstm.heads.SymbolSequenceHead",
    "sklstm.heads.TagHead",
    "sklstm.heads.ValueHead",
    "sklstm.heads.ValueSequenceHead",
    "sklstm.multilabel.LSTMMultiLabel",
    "sklstm.net.SequenceNet",
    "sklstm.nn.losses.StepCrossEntropyLoss",
    "sklstm.nn.losses.StepValueLoss",
    "sklstm.nn.model.SequenceModel",
    "sklstm.nn.seq2seq.Seq2SeqModel",
    "sklstm.regressor.LSTMRegressor",
    "sklstm.seq2seq.LSTMSeq2Seq",
    "sklstm.tagger.LSTMTagger",
    "sklstm.targets.ClassEncoder",  # the tagger's head encodes its tags with one
    "skorch.dataset.Dataset",
    "skorch.history.History",
    "skorch.setter.optimizer_setter",
    "torch.nn.modules.loss.BCEWithLogitsLoss",
    "torch.nn.modules.loss.CrossEntropyLoss",
    "torch.nn.modules.loss.MSELoss",
    "torch.optim.adam.Adam",
    "torch.optim.adamw.AdamW",
    "torch.optim.rmsprop.RMSprop",
    "torch.optim.sgd.SGD",
]
