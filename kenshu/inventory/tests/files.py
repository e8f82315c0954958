"""Learner files for the bulk-assignment tests: CSV in several encodings and XLSX."""

import io

from openpyxl import Workbook

HEADER = ["氏名", "フリガナ", "メールアドレス", "ユーザーID"]


def csv_text(rows, header=HEADER) -> str:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def cp932_csv(rows, header=HEADER) -> bytes:
    return csv_text(rows, header).encode("cp932")


def utf8_bom_csv(rows, header=HEADER) -> bytes:
    return csv_text(rows, header).encode("utf-8-sig")


def utf8_csv(rows, header=HEADER) -> bytes:
    return csv_text(rows, header).encode("utf-8")


def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
