"""R2.4: dry run with a validation report, all-or-nothing import, re-import updates, bad files refused."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from kefu.accounts.models import Branch
from kefu.core.errors import KefuError
from kefu.core.models import Setting
from kefu.customers import importing
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
    original = importing.bulk_create_with_history

    def fail_on_devices(objs, model, **kwargs):
        if model is Device:
            raise RuntimeError("disk full")
        return original(objs, model, **kwargs)

    monkeypatch.setattr(importing, "bulk_create_with_history", fail_on_devices)
    with pytest.raises(RuntimeError):
        importing.apply(report)
    assert Customer.objects.count() == 0 and CustomerPhone.objects.count() == 0


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
