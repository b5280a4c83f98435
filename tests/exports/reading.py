"""Reading an export back: CSV (with its byte order mark), XLSX and streamed responses."""

import csv
import io

import openpyxl


def read_csv(content: bytes) -> list[dict]:
    """Parse an export: it must start with a UTF-8 byte order mark."""
    assert content.startswith(b"\xef\xbb\xbf"), "CSV exports start with a UTF-8 BOM"
    text = content[3:].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_csv_header(content: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def read_xlsx(content: bytes) -> dict[str, list[list]]:
    """Every sheet's rows (header first), values as openpyxl reads them."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheets = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }
    workbook.close()
    return sheets


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)
