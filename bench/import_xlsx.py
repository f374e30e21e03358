#!/usr/bin/env python
"""Import speed benchmark (issue "Foundation", R2.4): a 100,000-row .xlsx through validate() and apply().

    rm -rf /tmp/kefu-bench-import && KEFU_DATA_DIR=/tmp/kefu-bench-import .venv/bin/python bench/import_xlsx.py
    KEFU_DATABASE_URL=postgres://kefu@127.0.0.1:55433/kefu_import .venv/bin/python bench/import_xlsx.py
    # the same with another implementation of the importer, e.g. the previous commit's (same conditions):
    git show HEAD:kefu/customers/importing.py > /tmp/importing_old.py
    ... bench/import_xlsx.py --importer /tmp/importing_old.py

Makes the workbook with openpyxl (valid Chinese data: customer number, name, kind, merchant number, two phone
numbers separated by ";", address, contact, device model and serial number), then on a fresh database times
`kefu.customers.importing.validate()` and `apply()` — the same two calls `kefu import-customers FILE` and the
import job make — and prints the seconds of each phase: wall-clock time, CPU time of this process
(`time.process_time()`; on SQLite this includes the database's work) and, on PostgreSQL, CPU time of the
server process serving the connection (read from /proc, so only for a server on this machine). On a machine
shared with other work, the CPU times are the figures to compare. It then imports the same file again, which must
create and update nothing and add no phone, contact, address or device twice, and prints the counts.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django  # noqa: E402

TARGET_SECONDS = 60
HEADER = ["customer_number", "name", "kind", "merchant_number", "phones", "address", "contact_name", "device_model",
          "serial_number"]
AREAS = ("021", "010", "020", "0755", "028", "0571", "025", "027")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--file", default=None, help="workbook path (default /tmp/kefu-bench-import-ROWS.xlsx)")
    parser.add_argument("--reuse", action="store_true", help="use the workbook if it is there already")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--excel-layout", action="store_true",
                        help="rewrite the workbook as Excel/WPS save it (shared strings, <dimension>)")
    parser.add_argument("--allow-existing", action="store_true",
                        help="run even if the database already holds IM… customers (the first run is then no "
                             "longer a fresh import)")
    parser.add_argument("--importer", default=None,
                        help="a file with another version of kefu/customers/importing.py to time instead")
    parser.add_argument("--allow-dev-db", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def make_workbook(path: Path, rows: int, seed: int, kind_labels: dict[str, str]) -> None:
    from faker import Faker
    from openpyxl import Workbook

    from kefu.core.demo import DEVICE_MODELS, MERCHANT_TRADES, MOBILE_PREFIXES

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    cities = [fake.city_name() for _ in range(300)]
    surnames = [fake.last_name() for _ in range(200)]
    persons = [fake.name() for _ in range(5000)]
    companies = [fake.company() for _ in range(3000)]
    addresses = [fake.address().split(" ")[0] for _ in range(5000)]

    def mobile() -> str:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        return rng.choice([number, f"{number[:3]} {number[3:7]} {number[7:]}", f"+86 {number}"])

    def landline() -> str:
        area = rng.choice(AREAS)
        local = str(rng.randint(2, 7)) + f"{rng.randrange(10**7):07d}"
        text = rng.choice([f"{area}-{local}", f"({area}) {local[:4]} {local[4:]}", f"{area}{local}"])
        return f"{text} 转 {rng.randint(100, 8999)}" if rng.random() < 0.2 else text

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户")
    sheet.append(HEADER)
    for i in range(1, rows + 1):
        kind = "merchant" if i % 5 else rng.choice(["subscriber", "individual", "enterprise"])
        person = rng.choice(persons)
        if kind == "merchant":
            name = f"{rng.choice(cities)}{rng.choice(surnames)}记{rng.choice(MERCHANT_TRADES)}（{i % 50 + 1}分店）"
        elif kind == "enterprise":
            name = rng.choice(companies)
        else:
            name = person
        # Kinds by code and, for one row in ten, by their Chinese name as an office worker would type them.
        label = kind_labels.get(kind, kind) if i % 10 == 0 else kind
        sheet.append([
            f"IM{i:08d}",
            name,
            label,
            f"898{i:012d}" if kind == "merchant" else None,
            f"{mobile()};{landline()}",
            f"{rng.choice(addresses)}{rng.randint(1, 300)}号",
            person,
            rng.choice(DEVICE_MODELS) if kind == "merchant" else None,
            f"SN{i:010d}" if kind == "merchant" else None,
        ])
    workbook.save(path)


def excel_layout(path: Path) -> None:
    """Rewrite the workbook the way Excel and WPS save it: text in a shared-strings table and a <dimension>
    element. openpyxl writes every text cell inline and no dimension, which its own reader parses more slowly
    (it has to scan the whole sheet for its size), so this gives figures closer to real uploads."""
    import io
    import re
    import zipfile

    cell = re.compile(r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>',
                      re.S)
    strings: list[str] = []
    index: dict[str, int] = {}

    def shared(match) -> str:
        text = match.group(2)
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return f'<c r="{match.group(1)}" t="s"><v>{index[text]}</v></c>'

    source = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = cell.sub(shared, data.decode())
                last = f"{chr(64 + len(HEADER))}{text.count('<row ')}"
                text = text.replace("<sheetViews>", f'<dimension ref="A1:{last}"/><sheetViews>', 1)
                data = text.encode()
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSharedStrings" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            zout.writestr(item, data)
        table = "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in strings)
        zout.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                      f'count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>')


def counts() -> dict[str, int]:
    from kefu.customers.models import ContactPerson, Customer, CustomerAddress, CustomerPhone, Device

    out = {}
    for model in (Customer, CustomerPhone, ContactPerson, CustomerAddress, Device):
        out[model._meta.model_name] = model.objects.count()
        out[f"{model._meta.model_name} history"] = model.history.count()
    return out


def load_importer(path: str | None):
    """kefu.customers.importing, or the same module read from another file (loaded inside the package, so
    that its relative imports work) to compare two implementations in the same conditions."""
    if not path:
        from kefu.customers import importing

        return importing
    import importlib.util

    spec = importlib.util.spec_from_file_location("kefu.customers._bench_importing", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def server_cpu():
    """A function returning the CPU seconds used so far by the PostgreSQL process serving this connection,
    or None when it cannot be read (SQLite, or a server on another machine)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return read


def import_once(importing, filename: str, content: bytes) -> dict:
    marks = {}

    def progress(stage: str, done: int, total: int) -> None:
        if done and done % 20000 == 0 or (total and done == total):
            now = time.perf_counter()
            if (stage, done) not in marks:
                marks[(stage, done)] = now
                print(f"    {stage} {done}{'/' + str(total) if total else ''}  ({now - started:.1f} s)", flush=True)

    server = server_cpu()
    server_started = server() if server else 0.0
    cpu_started = time.process_time()
    started = time.perf_counter()
    report = importing.validate(filename, content, progress=progress)
    validated = time.perf_counter()
    cpu_validated = time.process_time()
    if report.errors:
        for error in report.errors[:20]:
            print(f"  row {error.row}, {error.field}: {error.message_en}")
        sys.exit(f"{len(report.errors)} errors in {report.total_rows} rows: the generated file should be valid")
    importing.apply(report, progress=progress)
    applied = time.perf_counter()
    cpu_applied = time.process_time()
    return {"rows": report.total_rows, "created": report.created, "updated": report.updated,
            "validate": validated - started, "apply": applied - validated, "total": applied - started,
            "cpu validate": cpu_validated - cpu_started, "cpu apply": cpu_applied - cpu_validated,
            "cpu total": cpu_applied - cpu_started,
            "server cpu": server() - server_started if server else None}


def main() -> None:
    args = parse_args()
    _django.setup(allow_dev_db=args.allow_dev_db)
    from kefu.customers.models import Customer, CustomerKind
    from kefu.customers.services import customer_kinds_seed_defaults

    _django.migrate_if_needed()
    customer_kinds_seed_defaults()
    database = _django.database_description()
    print(f"database: {database}", flush=True)
    print(f"machine: {_django.load_average()} (before)", flush=True)
    if Customer.objects.filter(customer_number__startswith="IM").exists() and not args.allow_existing:
        sys.exit("The database already holds IM… customers: the first import would not be a fresh one. Use a new "
                 "database (rm -rf $KEFU_DATA_DIR, or dropdb/createdb), or pass --allow-existing.")
    importing = load_importer(args.importer)
    print(f"importer: {importing.__file__}", flush=True)
    layout = "-excel" if args.excel_layout else ""
    path = Path(args.file or f"/tmp/kefu-bench-import-{args.rows}{layout}.xlsx")
    if not (args.reuse and path.exists()):
        started = time.perf_counter()
        labels = dict(CustomerKind.objects.values_list("code", "name"))
        make_workbook(path, args.rows, args.seed, labels)
        if args.excel_layout:
            excel_layout(path)
        print(f"made {path} ({args.rows} rows{', Excel layout' if layout else ''}) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    content = path.read_bytes()
    print(f"file: {path}, {len(content) / 1048576:.1f} MB", flush=True)

    before = counts()
    print("first import (fresh database):", flush=True)
    first = import_once(importing, path.name, content)
    after_first = counts()
    print("second import of the same file:", flush=True)
    second = import_once(importing, path.name, content)
    after_second = counts()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {_django.load_average()} (after)")

    print(f"\nimport of {first['rows']} rows on {database}")
    print(f"{'run':<10} {'validate s':>11} {'apply s':>8} {'total s':>8} {'created':>8} {'updated':>8}  target")
    for name, run in (("first", first), ("re-import", second)):
        verdict = f"≤ {TARGET_SECONDS} s: {'met' if run['total'] <= TARGET_SECONDS else 'MISSED'}"
        print(f"{name:<10} {run['validate']:>11.1f} {run['apply']:>8.1f} {run['total']:>8.1f} {run['created']:>8} "
              f"{run['updated']:>8}  {verdict}")
    print(f"\nCPU seconds  {'validate':>9} {'apply':>8} {'total':>8} {'db server':>10}")
    for name, run in (("first", first), ("re-import", second)):
        server = f"{run['server cpu']:>10.1f}" if run["server cpu"] is not None else f"{'—':>10}"
        print(f"{name:<12} {run['cpu validate']:>9.1f} {run['cpu apply']:>8.1f} {run['cpu total']:>8.1f} {server}")
    print(f"\n{'table':<28} {'before':>9} {'after 1st':>10} {'after 2nd':>10}")
    for key in before:
        print(f"{key:<28} {before[key]:>9} {after_first[key]:>10} {after_second[key]:>10}")
    duplicates = {k: after_second[k] - after_first[k] for k in before if after_second[k] != after_first[k]}
    print("\nre-import added nothing" if not duplicates else f"\nre-import ADDED ROWS: {duplicates}")
    print(f"peak memory of this process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
