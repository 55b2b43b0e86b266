"""Helpers for the file-transfer tests: test files with real magic bytes and
a raw client for the upload messages (Envelope fields 50-59)."""
import hashlib
import os
import tempfile

from itest import f_bytes, f_varint, decode

B_UPLOAD_BEGIN, B_UPLOAD_STATE, B_UPLOAD_CHUNK, B_UPLOAD_ACK = 50, 51, 52, 53
B_UPLOAD_FINISH, B_FILE_INFO, B_FILES, B_FILES_REPLY, B_DOWNLOAD, B_DOWNLOAD_CHUNK = (
    54, 55, 56, 57, 58, 59)


def make_file(size, magic=b"%PDF-1.4\n", suffix=".pdf", dirname=None):
    """A file of exactly size bytes starting with magic, random after it."""
    fd, path = tempfile.mkstemp(suffix=suffix, dir=dirname)
    with os.fdopen(fd, "wb") as f:
        f.write(magic)
        left = size - len(magic)
        while left > 0:
            n = min(left, 1 << 20)
            f.write(os.urandom(n))
            left -= n
    return path


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def begin_body(code, name, size, sha, kind="scan", chunk=0):
    return (f_bytes(1, code) + f_bytes(2, name) + f_varint(3, size) + f_bytes(4, sha) +
            f_bytes(5, kind) + f_varint(6, chunk))


def chunk_body(upload_id, offset, data, checksum=None):
    if checksum is None:
        checksum = hashlib.sha256(data).digest()
    return (f_bytes(1, upload_id) + f_varint(2, offset) + f_bytes(3, data, always=True) +
            f_bytes(4, checksum))


def finish_body(upload_id):
    return f_bytes(1, upload_id)


def upload_state(reply):
    b = reply.body
    return {"upload_id": b.get(1, [b""])[0].decode(), "committed": b.get(2, [0])[0],
            "chunk_bytes": b.get(3, [0])[0], "complete": bool(b.get(4, [0])[0])}


def file_info(reply):
    b = reply.body
    return {"name": b.get(1, [b""])[0].decode(), "size": b.get(2, [0])[0],
            "sha256": b.get(3, [b""])[0].decode(), "mime": b.get(4, [b""])[0].decode()}


def ack_offset(reply):
    return reply.body.get(2, [0])[0]


__all__ = ["make_file", "sha256_file", "begin_body", "chunk_body", "finish_body",
           "upload_state", "file_info", "ack_offset", "decode"]
