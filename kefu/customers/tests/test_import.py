"""R2.4: dry run with a validation report, all-or-nothing import, re-import updates, bad files refused."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from kefu.accounts.models import Branch
from kefu.core.errors import KefuError
from kefu.core.models import Setting
from kefu.customers import importing
from kefu.customers.bulkwrite import BulkWriter
from kefu.customers.models import Customer, CustomerPhone, Device, ImportJob

HEADER = "customer_number,name,kind,merchant_number,branch,phones,address,contact_name,device_model,serial_number\n"
GOOD = (HEADER
        + "KH1001,上海浦东张记餐饮店,merchant,898310000000001,sh,13812345678;021-62345678,"
          "上海市浦东新区张江路1号,张伟,百富 S910,S-1\n"
        + "KH1002,北京朝阳李记超市,商户,898310000000002,,010-62345678 转 12,北京市朝阳区建国路2号,李娜,,\n")


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


@pytest.fixture
def branch(db):
    return Branch.objects.create(code="sh", name="上海分公司")


def run(filename: str, content: bytes):
    report = importing.validate(filename, content)
    if report.ok:
        importing.apply(report)
    return report


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_and_gb18030(branch, encoding):
    report = run("customers.csv", csv_bytes(GOOD, encoding))
    assert report.ok and (report.created, report.updated) == (2, 0)
    first = Customer.objects.get(customer_number="KH1001")
    assert first.name == "上海浦东张记餐饮店" and first.branch == branch
    assert sorted(first.phones.values_list("number", flat=True)) == ["02162345678", "13812345678"]
    assert first.devices.get().serial_number == "S-1"
    second = Customer.objects.get(customer_number="KH1002")
    assert second.kind.code == "merchant"  # the kind's Chinese name is accepted too
    assert second.phones.get().extension == "12"


@pytest.mark.django_db
def test_reimporting_the_same_file_updates_instead_of_duplicating(branch):
    run("customers.csv", csv_bytes(GOOD))
    counts = (Customer.objects.count(), CustomerPhone.objects.count(), Device.objects.count())
    report = run("customers.csv", csv_bytes(GOOD))
    assert (report.created, report.updated) == (0, 0)
    assert (Customer.objects.count(), CustomerPhone.objects.count(), Device.objects.count()) == counts
    changed = GOOD.replace("北京朝阳李记超市", "北京朝阳李记超市（旗舰店）")
    report = run("customers.csv", csv_bytes(changed))
    assert (report.created, report.updated) == (0, 1)
    assert Customer.objects.get(customer_number="KH1002").name == "北京朝阳李记超市（旗舰店）"


@pytest.mark.django_db
def test_dry_run_reports_every_bad_row_and_field_and_writes_nothing(branch):
    bad = (HEADER
           + "KH2001,好店,merchant,,,12345,,,,\n"
           + "KH2002,,merchant,,,13812345678,,,,\n"
           + "KH2001,重复,merchant,,,,,,,\n"
           + "KH2004,未知类型,alien,,nowhere,,,,,\n"
           + "KH2005,没有型号,merchant,,,,,,,SN-9\n"
           + "KH2006,正常的一行,merchant,,,13900001111,,,,\n")
    report = importing.validate("bad.csv", csv_bytes(bad))
    found = {(e.row, e.field) for e in report.errors}
    assert found == {(2, "phones"), (3, "name"), (4, "customer_number"), (5, "kind"), (5, "branch"),
                     (6, "device_model")}
    assert all(e.message and e.message_en for e in report.errors)
    with pytest.raises(KefuError):
        importing.apply(report)
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_missing_column_names_row_one_and_the_column():
    with pytest.raises(KefuError) as info:
        importing.validate("x.csv", csv_bytes("customer_number,kind\nKH1,merchant\n"))
    assert info.value.field == "name"
    assert "name" in info.value.message_en and "1" in info.value.message_en


@pytest.mark.django_db
def test_a_file_in_neither_encoding_is_refused():
    content = "customer_number,name,kind\nKH1,好,merchant\n".encode() + b"\xff\xfe\xfa\xfb\n"
    with pytest.raises(KefuError) as info:
        importing.validate("x.csv", content)
    assert info.value.field == "file" and "line 3" in info.value.message_en


@pytest.mark.django_db
def test_too_large_a_file_is_refused_before_reading():
    Setting.objects.create(key="customers.import_max_bytes", value=2048)
    with pytest.raises(KefuError) as info:
        importing.validate("big.csv", b"x" * 4096)
    assert info.value.field == "file" and "limit" in info.value.message_en


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_xlsx_import_and_formula_cells_are_refused():
    good = xlsx([["客户编号", "名称", "类型", "电话"], ["KH3001", "广州天河王记药房", "merchant", 13812345678]])
    report = run("c.xlsx", good)
    assert report.ok and Customer.objects.get().phones.get().number == "13812345678"
    with_formula = xlsx([["客户编号", "名称", "类型"], ["KH3002", "=CONCAT(\"a\",\"b\")", "merchant"]])
    report = importing.validate("f.xlsx", with_formula)
    assert [(e.row, e.field) for e in report.errors] == [(2, "name")]
    assert "formula" in report.errors[0].message_en


@pytest.mark.django_db
def test_not_an_xlsx_and_wrong_extension():
    with pytest.raises(KefuError):
        importing.validate("c.xlsx", b"not a zip")
    with pytest.raises(KefuError):
        importing.validate("c.pdf", b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_a_failure_while_writing_leaves_nothing_half_written(branch, monkeypatch):
    report = importing.validate("customers.csv", csv_bytes(GOOD))
    original = BulkWriter.insert

    def fail_on_devices(self, model, fields, rows):
        if model is Device:
            raise RuntimeError("disk full")
        return original(self, model, fields, rows)

    monkeypatch.setattr(BulkWriter, "insert", fail_on_devices)
    with pytest.raises(RuntimeError):
        importing.apply(report)
    assert Customer.objects.count() == 0 and CustomerPhone.objects.count() == 0
    assert Customer.history.count() == 0 and CustomerPhone.history.count() == 0


@pytest.mark.django_db
def test_command_line_import(tmp_path, branch, capsys):
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(GOOD, "gb18030"))
    call_command("import-customers", str(path), "--dry-run")
    assert Customer.objects.count() == 0
    call_command("import-customers", str(path))
    assert Customer.objects.count() == 2
    assert "2 rows: 2 created, 0 updated" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(HEADER + "KH9,坏号码,merchant,,,123,,,,\n"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import-customers", str(bad))


@pytest.mark.django_db
def test_web_upload_dry_run_then_import(branch, make_user, client, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(make_user("supervisor"))
    upload = SimpleUploadedFile("customers.csv", csv_bytes(GOOD), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/customers/imports/", {"file": upload})
    dry = ImportJob.objects.get()
    assert response.status_code == 302 and dry.dry_run and dry.status == "succeeded" and dry.total_rows == 2
    assert Customer.objects.count() == 0
    page = client.get(f"/customers/imports/{dry.pk}/").content.decode()
    assert "Import now" in page or "立即导入" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/customers/imports/{dry.pk}/")
    real = ImportJob.objects.exclude(pk=dry.pk).get()
    assert (real.dry_run, real.status, real.created_count) == (False, "succeeded", 2)
    assert Customer.objects.count() == 2


@pytest.mark.django_db
def test_api_upload_reports_rows_and_fields(make_user, api_client_for, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client_for(make_user("supervisor"))
    upload = SimpleUploadedFile("bad.csv", csv_bytes(HEADER + "KH9,坏号码,merchant,,,123,,,,\n"))
    with django_capture_on_commit_callbacks(execute=True):
        job = client.post("/api/v1/customer-imports/", {"file": upload, "dry_run": True}, format="multipart").json()
    data = client.get(f"/api/v1/customer-imports/{job['id']}/").json()
    assert data["status"] == "succeeded" and data["errors"][0]["row"] == 2 and data["errors"][0]["field"] == "phones"
    response = client.post(f"/api/v1/customer-imports/{data['id']}/confirm/")
    assert response.status_code == 400 and response.json()["error"]["code"] == "import_not_ready"


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_naming_the_file_field(make_user, api_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    Setting.objects.create(key="customers.import_max_bytes", value=1024)
    client = api_client_for(make_user("supervisor"))
    upload = SimpleUploadedFile("big.csv", HEADER.encode() + b"x" * 4096)
    response = client.post("/api/v1/customer-imports/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "file" and "MB" in error["message_en"]
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_import_twice(branch, make_user):
    """Real concurrency: both threads call the job runner at once; one claims it, the other skips."""
    import threading

    from django.db import connection

    from kefu.customers.services import import_job_run

    job = ImportJob.objects.create(created_by=make_user("supervisor"), filename="c.csv", content=csv_bytes(GOOD),
                                   size=len(GOOD), dry_run=False)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            import_job_run(job.pk)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("succeeded", 2)
    assert Customer.objects.count() == 2 and Customer.history.count() == 2


# --- audit trail, conflicts and ids of the set-wise writes (kefu/customers/bulkwrite.py) -------------------

def assert_history_mirrors_records(model, user, history_type="+"):
    """Every record has exactly one history row of `history_type`, by `user`, without a change reason,
    holding every tracked field exactly as the record has it."""
    historical = model.history.model
    records = {obj.pk: obj for obj in model.objects.all()}
    assert records
    rows = list(model.history.filter(history_type=history_type))
    assert sorted(row.id for row in rows) == sorted(records)
    for row in rows:
        assert row.history_user_id == user.pk and row.history_change_reason is None
        for field in historical.tracked_fields:
            assert getattr(row, field.attname) == getattr(records[row.id], field.attname), field.name


@pytest.mark.django_db
def test_every_imported_row_has_its_history_row_by_the_importing_user(branch, make_user, api_client_for):
    from kefu.customers.models import ContactPerson, CustomerAddress

    lead = make_user("supervisor")
    importing.apply(importing.validate("customers.csv", csv_bytes(GOOD)), actor=lead)
    for model in (Customer, CustomerPhone, ContactPerson, CustomerAddress, Device):
        assert_history_mirrors_records(model, lead)
        assert not model.history.exclude(history_type="+").exists()
    first = Customer.objects.get(customer_number="KH1001")
    assert first.created_at and first.updated_at  # auto_now fields are set as save() would

    # A changed name is one "~" row with the new values; nothing else gets a history row.
    other = make_user("supervisor")
    changed = GOOD.replace("北京朝阳李记超市", "北京朝阳李记超市（旗舰店）")
    importing.apply(importing.validate("customers.csv", csv_bytes(changed)), actor=other)
    second = Customer.objects.get(customer_number="KH1002")
    change = Customer.history.get(history_type="~")
    assert (change.id, change.name, change.history_user_id) == (second.pk, "北京朝阳李记超市（旗舰店）", other.pk)
    assert change.kind_id == second.kind_id and change.created_at == second.created_at
    assert Customer.history.count() == 3 and CustomerPhone.history.count() == 3

    # The history page shows who created and who changed what, before and after.
    entries = api_client_for(lead).get(f"/api/v1/customers/{second.pk}/history/").json()
    assert entries[0]["history_type"] == "changed" and entries[0]["user"] == str(other)
    assert {"field": "name", "old": "北京朝阳李记超市", "new": "北京朝阳李记超市（旗舰店）"} in entries[0]["changes"]
    created = [e for e in entries if e["history_type"] == "created"]
    assert len(created) == 4 and all(e["user"] == str(lead) for e in created)  # customer, phone, contact, address


@pytest.mark.django_db
def test_without_a_user_the_history_rows_have_none(branch):
    run("customers.csv", csv_bytes(GOOD))
    assert Customer.history.count() == 2 and not Customer.history.exclude(history_user=None).exists()


@pytest.mark.django_db
def test_a_customer_added_meanwhile_fails_the_import_with_nothing_written(branch):
    report = importing.validate("customers.csv", csv_bytes(GOOD))
    kind = Customer._meta.get_field("kind").related_model.objects.get(code="merchant")
    # A colleague registers the merchant number of row 3 under another customer before the import writes.
    Customer.objects.create(customer_number="KH9999", merchant_number="898310000000002", name="别人刚建的", kind=kind)
    with pytest.raises(KefuError) as info:
        importing.apply(report)
    assert info.value.code == "import_conflict" and info.value.message_zh and info.value.message_en
    assert list(Customer.objects.values_list("customer_number", flat=True)) == ["KH9999"]
    assert not CustomerPhone.objects.exists() and Customer.history.count() == 1  # KH9999's own


@pytest.mark.django_db
def test_ids_of_deleted_customers_are_not_given_again(branch, make_user):
    """A new customer must not take the id of a deleted one: its history would show the other's past."""
    from kefu.customers.services import customer_save

    gone = customer_save(actor=make_user("supervisor"), data={"customer_number": "KH0001", "name": "已注销",
                                                                "kind": "merchant"})
    gone_id = gone.pk
    gone.delete()
    run("customers.csv", csv_bytes(GOOD))
    assert min(Customer.objects.values_list("pk", flat=True)) > gone_id
    assert sorted(Customer.history.filter(id=gone_id).values_list("history_type", flat=True)) == ["+", "-"]
    # Rows added later, one by one, continue after the imported ids.
    later = customer_save(actor=None, data={"customer_number": "KH0002", "name": "新店", "kind": "merchant"})
    assert later.pk > max(Customer.objects.exclude(pk=later.pk).values_list("pk", flat=True))
    assert CustomerPhone.objects.create(customer=later, number="13900001111", kind="mobile").pk > max(
        CustomerPhone.objects.exclude(customer=later).values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_device_without_serial_is_added_to_each_customer_that_lists_it(branch):
    header = "customer_number,name,kind,device_model\n"
    run("a.csv", csv_bytes(header + "KH5001,甲店,merchant,收银机\n"))
    run("b.csv", csv_bytes(header + "KH5001,甲店,merchant,收银机\nKH5002,乙店,merchant,收银机\n"))
    assert sorted(Device.objects.values_list("customer__customer_number", "model")) == [
        ("KH5001", "收银机"), ("KH5002", "收银机")]


@pytest.mark.django_db
def test_a_serial_of_another_customer_is_found_whatever_the_model_of_other_rows(branch):
    header = "customer_number,name,kind,device_model,serial_number\n"
    run("a.csv", csv_bytes(header + "KH6001,甲店,merchant,百富 S910,SN-1\n"))
    report = importing.validate("b.csv", csv_bytes(header + "KH6002,乙店,merchant,百富 S910,SN-1\n"
                                                           "KH6003,丙店,merchant,新大陆 ME31,SN-1\n"))
    assert [(e.row, e.field) for e in report.errors] == [(2, "serial_number")]
    assert "KH6001" in report.errors[0].message_en


# --- the .xlsx reader gives what openpyxl gives ------------------------------------------------------------

def openpyxl_rows(content: bytes) -> list[tuple[int, list]]:
    """The rows as openpyxl's read-only reader returns them (the importer's reader before it had its own)."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=False).worksheets[0]
    rows = []
    for number, row in enumerate(sheet.iter_rows(values_only=False), start=1):
        rows.append((number, [("formula", str(c.value)) if c.data_type == "f" else c.value for c in row]))
    return normalised(rows)


def importer_rows(content: bytes) -> list[tuple[int, list]]:
    rows = importing._sheet_rows(*importing._open_first_sheet(content))
    return normalised([(n, [("formula", str(v)) if isinstance(v, importing._Formula) else v for v in cells])
                       for n, cells in rows])


def normalised(rows):
    """Without trailing empty cells and empty rows (openpyxl pads both to the sheet's size)."""
    out = []
    for number, cells in rows:
        cells = list(cells)
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            out.append((number, cells))
    return out


def with_shared_strings(content: bytes) -> bytes:
    """The workbook as Excel and WPS save it: text in a shared-strings table, a <dimension> element."""
    import re
    import zipfile

    cell = re.compile(r'<c r="([A-Z]+[0-9]+)"( s="\d+")? t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t>'
                      r'</is></c>', re.S)
    strings: list[str] = []

    def shared(match) -> str:
        text = match.group(3)
        if text == "只有最后一格":  # as rich text with a phonetic guide, which is not part of the value
            strings.append('<r><t>只有</t></r><r><rPr><b/></rPr><t>最后一格</t></r>'
                           '<rPh sb="0" eb="1"><t>ズイ</t></rPh>')
        else:
            strings.append(f'<t xml:space="preserve">{text}</t>')
        return f'<c r="{match.group(1)}"{match.group(2) or ""} t="s"><v>{len(strings) - 1}</v></c>'

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = cell.sub(shared, data.decode()).replace("<sheetViews>", '<dimension ref="A1:H9"/><sheetViews>',
                                                              1).encode()
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSS" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            zout.writestr(item, data)
        table = "".join(f"<si>{text}</si>" for text in strings)
        zout.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                      f'count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>')
    assert strings
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("layout", ["openpyxl", "excel"])
def test_the_xlsx_reader_reads_every_kind_of_cell_as_openpyxl_does(layout):
    import datetime

    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["客户编号", "名称", "类型", "电话", "营业时间", "备注", None, "分公司"])
    sheet.append(["KH1", " 带空格的名称 ", "merchant", 13812345678, datetime.time(9, 30), 1.5, None, True])
    sheet.append(["KH2", "=CONCAT(\"a\",\"b\")", "商户", 2.0, datetime.datetime(2026, 3, 1, 8, 0),  # noqa: DTZ001 — Excel has no zones
                  -7, None, False])
    sheet.append(["KH3", CellRichText(["粗体", TextBlock(InlineFont(b=True), "店")]), "", "=D2*2",
                  datetime.date(2026, 1, 2), "", None, "sh"])
    sheet.append([])  # an empty row, and a gap in row 6: cells far to the right
    sheet["H7"] = "只有最后一格"
    sheet["A9"] = 12345678901234567890
    sheet["B9"] = "0.1"
    sheet["C9"] = 1e-7
    sheet["D9"] = "#N/A"
    sheet["F9"] = "a_x005F_b"  # openpyxl's unescaping of Excel's _x005F_
    sheet["E9"] = datetime.timedelta(hours=30)
    sheet["E9"].number_format = "[h]:mm:ss"
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue() if layout == "openpyxl" else with_shared_strings(buffer.getvalue())
    expected = openpyxl_rows(content)
    assert importer_rows(content) == expected
    assert expected[1][1][4] == datetime.time(9, 30) and expected[2][1][1] == ("formula", '=CONCAT("a","b")')
    assert expected[3][1][1] == "粗体店" and dict(expected)[7][7] == "只有最后一格"


@pytest.mark.django_db
def test_an_xlsx_whose_sheet_is_damaged_is_refused():
    import zipfile

    good = xlsx([["客户编号", "名称", "类型"], ["KH1", "好", "merchant"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    with pytest.raises(KefuError) as info:
        importing.validate("c.xlsx", out.getvalue())
    assert info.value.field == "file" and "xlsx" in info.value.message_en
