"""kefu.core.textfiles: uploaded CSV/text in UTF-8 (with or without BOM), GB18030/GBK or marked UTF-16."""

import codecs

import pytest

from kefu.core.errors import KefuError
from kefu.core.textfiles import TextFileError, decode_text

TEXT = "客户编号,名称\nKH1,上海浦东张记餐饮店\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), TEXT),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), TEXT),  # Excel's "CSV UTF-8": the mark is not text
        (TEXT.encode("gbk"), TEXT),
        (TEXT.encode("gb2312"), TEXT),
        ("㐀𠀀 (outside GBK)\n".encode("gb18030"), "㐀𠀀 (outside GBK)\n"),
        (TEXT.encode("utf-16"), TEXT),  # Excel's and Notepad's "Unicode" text, with its mark
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), TEXT),
        (b"", ""),
    ],
    ids=["utf-8", "utf-8 with BOM", "gbk", "gb2312", "gb18030 four-byte", "utf-16le", "utf-16be", "empty"],
)
def test_each_encoding_offices_save_in_is_read(data, expected):
    assert decode_text(data) == expected


def test_bytes_in_neither_encoding_are_refused_naming_the_file_field_and_line():
    data = TEXT.encode("utf-8") + b"KH2,\xff\xfe\xfa\n"
    with pytest.raises(TextFileError) as info:
        decode_text(data, filename="客户.csv")
    error = info.value
    assert (error.code, error.field) == ("file_encoding", "file")
    assert "客户.csv" in error.message_en and "line 3" in error.message_en and "UTF-8" in error.message_en
    assert "客户.csv" in error.message_zh and "3" in error.message_zh  # Chinese once the catalogue has it


def test_the_line_is_where_the_likelier_encoding_stopped():
    # Valid GB18030 for four lines, then a byte no encoding reads: GB18030 read further than UTF-8 did.
    data = "一\n二\n三\n四\n".encode("gb18030") + b"\xff\n"
    with pytest.raises(TextFileError) as info:
        decode_text(data)
    assert "line 5" in info.value.message_en


def test_a_utf8_mark_before_bytes_that_are_not_utf8_is_refused_not_read_as_gb18030():
    data = codecs.BOM_UTF8 + "名称\n".encode() + "张记\n".encode("gbk")
    with pytest.raises(TextFileError) as info:
        decode_text(data)
    assert "line 2" in info.value.message_en


def test_nul_characters_are_refused_as_not_text():
    # UTF-16 without a mark "decodes" as UTF-8 with a NUL after every ASCII letter.
    with pytest.raises(TextFileError) as info:
        decode_text("date,kind\n".encode("utf-16-le"), filename="x.csv")
    assert "NUL" in info.value.message_en and "x.csv" in info.value.message_en


def test_callers_keep_their_own_error_class_and_field():
    class ImportError_(KefuError):
        code = "my_import"

    with pytest.raises(ImportError_) as info:
        decode_text(b"\xff\xff", field="upload", error=ImportError_)
    assert (info.value.code, info.value.field) == ("my_import", "upload")
