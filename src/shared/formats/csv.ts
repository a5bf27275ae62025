export type CsvValue = string | number | null | undefined;

/**
 * One RFC 4180 record: a field is quoted when it holds a comma, a double quote, CR or LF, and a
 * double quote inside is doubled. Null and undefined are empty fields. Records end in CRLF, as
 * RFC 4180 §2 says; Python's csv and pandas read either ending.
 */
export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
