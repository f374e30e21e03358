"""Text files people upload (customer lists, CDRs, holiday schedules): one way to turn their bytes into text.

Chinese offices save CSV and text files in UTF-8 (often with a byte order mark, as Excel's "CSV UTF-8" does)
or in the legacy national encoding — GB2312, GBK or GB18030, of which GB18030 is the superset, so one
decoder reads all three. Excel's and Notepad's "Unicode" text is UTF-16 with a byte order mark.
"""

from __future__ import annotations

import codecs

from django.utils.translation import gettext_lazy as _

from .errors import FieldError, KefuError


class TextFileError(FieldError):
    code = "file_encoding"


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes, *, filename: str = "", field: str = "file",
                error: type[KefuError] = TextFileError) -> str:
    """The text of an uploaded file: UTF-8 (byte order mark dropped), else GB18030/GBK/GB2312.

    A file that starts with a byte order mark is read in that encoding only: a UTF-8 mark followed by bytes
    that are not UTF-8 is a damaged file, not a GB18030 one. UTF-16 (with its mark) is read too — its marks
    cannot begin GB18030 or UTF-8 text, so nothing is guessed. When neither decoder reads the whole file, or
    the result holds NUL characters (a binary file, or UTF-16 without a mark, which UTF-8 would "read"),
    raises `error` (a KefuError subclass; callers pass their own to keep their error code) naming the file,
    `field` and the first line that cannot be read.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as failure:
            raise _unreadable(data, failure.start, filename, field, error) from None
        return _checked(text, filename, field, error)
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError as failure:
            raise _unreadable(data, failure.start + len(codecs.BOM_UTF8), filename, field, error) from None
        return _checked(text, filename, field, error)
    try:
        return _checked(data.decode("utf-8"), filename, field, error)
    except UnicodeDecodeError as failure:
        utf8_failure = failure
    try:
        return _checked(data.decode("gb18030"), filename, field, error)
    except UnicodeDecodeError as failure:
        # The encoding that read further is most likely the file's own: report where that one stopped.
        raise _unreadable(data, max(utf8_failure.start, failure.start), filename, field, error) from None


def _unreadable(data: bytes, position: int, filename: str, field: str, error: type[KefuError]) -> KefuError:
    line = data[:position].count(b"\n") + 1
    if filename:
        return error(_("The file “%(name)s” is neither UTF-8 nor GB18030 (GBK) text: line %(line)s cannot be "
                       "read. Save it as “CSV UTF-8” and upload it again."),
                     field=field, name=filename, line=line)
    return error(_("The file is neither UTF-8 nor GB18030 (GBK) text: line %(line)s cannot be read. Save it as "
                   "“CSV UTF-8” and upload it again."), field=field, line=line)


def _checked(text: str, filename: str, field: str, error: type[KefuError]) -> str:
    position = text.find("\x00")
    if position < 0:
        return text
    line = text.count("\n", 0, position) + 1
    if filename:
        raise error(_("The file “%(name)s” holds NUL characters (line %(line)s): it is not a text file, or it is "
                      "UTF-16 text without a byte order mark. Save it as “CSV UTF-8” and upload it again."),
                    field=field, name=filename, line=line)
    raise error(_("The file holds NUL characters (line %(line)s): it is not a text file, or it is UTF-16 text "
                  "without a byte order mark. Save it as “CSV UTF-8” and upload it again."),
                field=field, line=line)
