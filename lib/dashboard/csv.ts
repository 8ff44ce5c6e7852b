// RFC 4180 CSV: quote fields holding a quote, comma or line break; lines end in CRLF.

export type Cell = string | number | bigint | Date | null;

/**
 * Text a person typed (reasons, emails) could start with = + - @ and run as a formula when the
 * file is opened in a spreadsheet: such text gets a leading apostrophe. Numbers stay numbers.
 */
function textCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: Cell[]): string {
  return (
    cells
      .map((c) =>
        c === null ? "" : c instanceof Date ? c.toISOString() : typeof c === "string" ? textCell(c) : String(c),
      )
      .join(",") + "\r\n"
  );
}

/** The reverse of csvLine, for tests and checks: rows of raw strings. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (quoted || (ch !== "," && ch !== "\n" && ch !== "\r")) {
      field += ch;
    } else if (ch === ",") {
      endField();
    } else if (ch === "\n") {
      endField();
      rows.push(row);
      row = [];
    }
  }
  if (field !== "" || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}
