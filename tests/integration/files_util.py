"""Helpers for the file-transfer tests: test files with real magic bytes and
a raw client for the upload messages (Envelope fields 50-59)."""
import hashlib
import os
import struct
import tempfile
import zlib

from itest import f_bytes, f_varint, decode

B_UPLOAD_BEGIN, B_UPLOAD_STATE, B_UPLOAD_CHUNK, B_UPLOAD_ACK = 50, 51, 52, 53
B_UPLOAD_FINISH, B_FILE_INFO, B_FILES, B_FILES_REPLY, B_DOWNLOAD, B_DOWNLOAD_CHUNK = (
    54, 55, 56, 57, 58, 59)


# A real 8x8 grayscale baseline JPEG (libjpeg-turbo, quality 50): the server
# decodes every upload fully (W6), so test files must be well-formed.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123251d283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffc0000b080008000801011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00e5f48d2beddb7e5ce6bfffd9")


def _pdf(size):
    """A well-formed one-page PDF of exactly size bytes (>= ~400): random
    bytes in an unfiltered stream, a correct xref and trailer."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]

    def build(n):
        out, offs = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
        for i, o in enumerate(objs, 1):
            offs.append(len(out))
            out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
        offs.append(len(out))
        out += b"4 0 obj\n<< /Length %d >>\nstream\n" % n + os.urandom(n) + b"\nendstream\nendobj\n"
        xref = len(out)
        out += b"xref\n0 5\n0000000000 65535 f \n"
        for o in offs:
            out += b"%010d 00000 n \n" % o
        out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)

    n = max(0, size - len(build(0)))
    data = build(n)
    while len(data) != size and n > 0:   # the /Length and startxref digits moved
        n -= len(data) - size
        data = build(max(n, 0))
    return data


def _jpeg(size):
    """TINY_JPEG with random COM segments after its APP0 up to size bytes."""
    head, tail, pad = TINY_JPEG[:20], TINY_JPEG[20:], bytearray()
    left = size - len(TINY_JPEG)
    while left >= 4:
        n = min(left - 4, 65533)
        if left - 4 - n in (1, 2, 3):   # leave room for a whole next segment
            n -= 4
        pad += b"\xff\xfe" + struct.pack(">H", n + 2) + os.urandom(n)
        left -= n + 4
    return head + bytes(pad) + tail + b"\0" * left


def _png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _png(size):
    """A 1x1 grayscale PNG with random private ancillary chunks up to size."""
    sig = b"\x89PNG\r\n\x1a\n"
    ihdr = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    idat = _png_chunk(b"IDAT", zlib.compress(b"\x00\x80"))
    iend = _png_chunk(b"IEND", b"")
    left, pad = size - len(sig + ihdr + idat + iend), bytearray()
    while left >= 12:
        n = min(left - 12, 1 << 20)
        if 0 < left - 12 - n < 12:
            n -= 12
        pad += _png_chunk(b"prVt", os.urandom(n))
        left -= n + 12
    return sig + ihdr + bytes(pad) + idat + iend + b"\0" * left


def _tiff(size):
    """A 1x1 grayscale uncompressed little-endian TIFF, random bytes after."""
    entries = [(256, 3, 1, 1), (257, 3, 1, 1), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 0), (277, 3, 1, 1), (278, 3, 1, 1), (279, 4, 1, 1)]
    ifd_len = 2 + 12 * len(entries) + 4
    pixel = 8 + ifd_len
    out = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(entries)))
    for tag, typ, count, val in entries:
        if tag == 273:
            val = pixel
        fmt = "<HHIHH" if typ == 3 else "<HHII"
        out += struct.pack(fmt, tag, typ, count, val, 0) if typ == 3 else struct.pack(
            fmt, tag, typ, count, val)
    out += struct.pack("<I", 0) + b"\x80"
    return bytes(out) + os.urandom(max(0, size - len(out)))


def valid_bytes(size, magic=b"%PDF-1.4\n"):
    """size bytes of a well-formed file of the type magic names (PDF, JPEG,
    PNG, TIFF); any other magic: magic then random bytes (a refused type)."""
    if magic.startswith(b"%PDF"):
        return _pdf(size)
    if magic.startswith(b"\xff\xd8"):
        return _jpeg(size)
    if magic.startswith(b"\x89PNG"):
        return _png(size)
    if magic.startswith((b"II*\x00", b"MM\x00*")):
        return _tiff(size)
    return magic + os.urandom(max(0, size - len(magic)))


def make_file(size, magic=b"%PDF-1.4\n", suffix=".pdf", dirname=None):
    """A well-formed file of exactly size bytes of the type magic names,
    random inside (valid_bytes)."""
    fd, path = tempfile.mkstemp(suffix=suffix, dir=dirname)
    with os.fdopen(fd, "wb") as f:
        f.write(valid_bytes(size, magic))
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
