"""Uploads whose file name is not UTF-8 are kept, not dropped.

Browsers send names in UTF-8, but other clients (scripts, old mail-to-web gateways)
send them in Latin-1 or Windows-1252. Django cannot decode such a part's header, so
it skips the whole part without a word and the case is made without the file. This
handler, first in FILE_UPLOAD_HANDLERS, re-encodes each part's headers to UTF-8 on
the way in (as Windows-1252, which never fails) and lets Django parse the rest.
"""

from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser

# A part's headers are small; past this much without their end, the stream is passed on.
MAX_HEADER_BYTES = 64 * 1024


def utf8_headers(block: bytes) -> bytes:
    try:
        block.decode("utf-8")
        return block
    except UnicodeDecodeError:
        return block.decode("cp1252", errors="replace").encode("utf-8")


class PartHeadersAsUtf8:
    """A multipart body as a stream, with every part's header block made UTF-8."""

    def __init__(self, stream, boundary: bytes):
        self.stream = stream
        self.delimiter = b"--" + boundary + b"\r\n"
        self.buffer = b""
        self.done = False
        self.position = 0  # where in the buffer the next delimiter may begin

    def _fill(self, size: int) -> None:
        chunk = self.stream.read(size)
        if chunk:
            self.buffer += chunk
        else:
            self.done = True

    def read(self, size: int = -1) -> bytes:
        """Up to about `size` bytes more; b"" only at the end (Django reads that as the end)."""
        size = size if size and size > 0 else 64 * 1024
        while True:
            data = self._read_some(size)
            if data or self.done:
                return data

    def _read_some(self, size: int) -> bytes:
        while not self.done and len(self.buffer) < size + MAX_HEADER_BYTES:
            self._fill(size)
        out = []
        cursor = 0
        while True:
            start = self.buffer.find(self.delimiter, cursor)
            if start == -1:
                break
            headers_from = start + len(self.delimiter)
            headers_to = self.buffer.find(b"\r\n\r\n", headers_from)
            if headers_to == -1:
                if self.done or len(self.buffer) - headers_from > MAX_HEADER_BYTES:
                    break
                # The header block goes on past what was read: keep it for the next read.
                out.append(self.buffer[cursor:start])
                self.buffer = self.buffer[start:]
                return b"".join(out)
            out.append(self.buffer[cursor:headers_from])
            out.append(utf8_headers(self.buffer[headers_from:headers_to]))
            cursor = headers_to
        # Hold back a tail that could be the start of a delimiter cut by the read.
        keep = 0 if self.done else len(self.delimiter)
        end = max(cursor, len(self.buffer) - keep)
        out.append(self.buffer[cursor:end])
        self.buffer = self.buffer[end:]
        return b"".join(out)


class Utf8FileNames(FileUploadHandler):
    """Parse multipart bodies through PartHeadersAsUtf8 with the other upload handlers."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        handlers = [handler for handler in self.request.upload_handlers if handler is not self]
        parser = MultiPartParser(
            META, PartHeadersAsUtf8(input_data, boundary), handlers, encoding or "utf-8"
        )
        return parser.parse()

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
